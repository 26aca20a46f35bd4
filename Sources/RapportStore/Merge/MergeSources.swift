import Foundation
import LibPQ
import RapportMerge
import RapportModel

/// The merge keys of one entry (logged or about to be): whose data and which layout it is merged with.
struct MergeKeys: Sendable {
    var entryNo: Int64?
    var contactNo: String
    var altAddressCode: String?
    var salespersonCode: String?
    var campaignNo: String?
    var date: String?
    var description: String?
    var subject: String?
    var languageCode: String?
    var templateCode: String?
}

/// A layout to merge: the content of a template language row.
struct MergeLayout: Sendable {
    var templateCode: String
    var languageCode: String?
    var fileName: String
    var format: MergeFormat
    var template: MergeTemplate
}

/// Reads merge fields and layouts, set-based (reference 3.9 R1: contact, salesperson and company data; the
/// alternative address of the entry when it has one).
enum MergeSources {
    /// Columns of the fields query; `k` is a relation of `MergeKeys` columns (entry_no, contact_no, alt_code,
    /// salesperson_code, campaign_no, date, description, subject, language_code, template_code).
    static func fieldsQuery(keys: String) -> String {
        """
        SELECT k.entry_no, k.contact_no, c.name, c.type = 'person',
               CASE WHEN a.code IS NOT NULL AND coalesce(a.company_name, '') <> '' THEN a.company_name
                    WHEN c.type = 'company' THEN c.name ELSE co.name END,
               CASE WHEN a.code IS NOT NULL THEN a.address ELSE c.address END,
               CASE WHEN a.code IS NOT NULL THEN a.address_2 ELSE c.address_2 END,
               CASE WHEN a.code IS NOT NULL THEN a.city ELSE c.city END,
               CASE WHEN a.code IS NOT NULL THEN a.post_code ELSE c.post_code END,
               CASE WHEN a.code IS NOT NULL THEN a.county ELSE c.county END,
               CASE WHEN a.code IS NOT NULL THEN a.country_code ELSE c.country_code END,
               coalesce(nullif(a.email, ''), c.email), coalesce(nullif(a.phone_no, ''), c.phone_no),
               k.salesperson_code, sp.name, sp.email, k.date::text, k.description, k.subject, k.campaign_no,
               cp.description, k.language_code, k.template_code
        FROM (\(keys)) k
        JOIN contacts c ON c.no = k.contact_no
        LEFT JOIN contacts co ON co.no = c.company_no
        LEFT JOIN contact_alt_addresses a ON a.contact_no = k.contact_no AND a.code = k.alt_code
        LEFT JOIN salespeople sp ON sp.code = k.salesperson_code
        LEFT JOIN campaigns cp ON cp.no = k.campaign_no
        """
    }

    /// The keys of logged entries matching `condition` (on `e`).
    static func entryKeys(_ condition: String) -> String {
        """
        SELECT e.entry_no, e.contact_no, e.contact_alt_address_code AS alt_code, e.salesperson_code, e.campaign_no,
               e.date, e.description, e.subject, e.interaction_language_code AS language_code,
               e.interaction_template_code AS template_code
        FROM interaction_log_entries e WHERE \(condition)
        """
    }

    /// One row's fields and the layout key it merges with.
    static func fields(_ row: PGRow) throws -> (entryNo: Int64?, fields: MergeFields, layout: LayoutKey) {
        var fields = MergeFields()
        let entryNo = try row.decode(Int64?.self, at: 0)
        func text(_ column: Int) throws -> String { try row.decode(String?.self, at: column) ?? "" }
        fields.entryNo = entryNo.map(String.init) ?? ""
        fields.contactNo = try text(1)
        fields.contactName = try text(2)
        fields.salutation = MergeFields.salutation(name: fields.contactName, isPerson: try row.decode(Bool.self, at: 3))
        fields.companyName = try text(4)
        fields.address = try text(5)
        fields.address2 = try text(6)
        fields.city = try text(7)
        fields.postCode = try text(8)
        fields.county = try text(9)
        fields.countryCode = try text(10)
        fields.email = try text(11)
        fields.phoneNo = try text(12)
        fields.salespersonCode = try text(13)
        fields.salespersonName = try text(14)
        fields.salespersonEmail = try text(15)
        fields.date = try text(16)
        fields.description = try text(17)
        fields.subject = try text(18)
        fields.campaignNo = try text(19)
        fields.campaignDescription = try text(20)
        fields.languageCode = try text(21)
        let layout = LayoutKey(template: try text(22), language: try row.decode(String?.self, at: 21))
        return (entryNo, fields, layout)
    }

    struct LayoutKey: Hashable, Sendable {
        var template: String
        var language: String?
    }

    /// The layouts of `templates` that are merged: rows with layout content whose template's wizard action is
    /// merge (or any template, for the Cover Sheets template).
    static func layoutsQuery(templates: [String]?, mergeActionOnly: Bool) -> PGQuery {
        """
        SELECT l.template_code, l.language_code, l.custom_layout_file_name, l.custom_layout_content
        FROM interaction_template_languages l
        JOIN interaction_templates t ON t.code = l.template_code
        WHERE (\(templates == nil) OR l.template_code = ANY(\(templates ?? []))) AND l.custom_layout_content IS NOT NULL
          AND (NOT \(mergeActionOnly) OR t.wizard_action = 'merge')
        """
    }

    /// A condition on `e` (an entry): its template language has a layout that is merged.
    static func hasLayout(mergeActionOnly: Bool) -> String {
        """
        EXISTS (SELECT 1 FROM interaction_template_languages l JOIN interaction_templates t ON t.code = l.template_code
                WHERE l.template_code = e.interaction_template_code
                  AND l.language_code IS NOT DISTINCT FROM e.interaction_language_code
                  AND l.custom_layout_content IS NOT NULL\(mergeActionOnly ? " AND t.wizard_action = 'merge'" : ""))
        """
    }

    static func layouts(_ rows: PGRows) throws -> [LayoutKey: MergeLayout] {
        var layouts: [LayoutKey: MergeLayout] = [:]
        for row in rows {
            let template = try row.decode(String.self, at: 0)
            let language = try row.decode(String?.self, at: 1)
            let fileName = try row.decode(String.self, at: 2)
            guard let format = MergeFormat(fileName: fileName) else { continue }
            let content = try row.decode(PGBytes.self, at: 3).bytes
            let prepared: MergeTemplate
            do {
                prepared = try MergeTemplate(content, format: format)
            } catch {
                throw StoreError.invalid(
                    "The layout of Interaction Tmpl. Language \(language ?? "(blank)") of Interaction Template "
                        + "\(template) cannot be merged: \(error). Set it again with TEMPLATE-LAYOUT-SET."
                )
            }
            layouts[LayoutKey(template: template, language: language)] = MergeLayout(
                templateCode: template,
                languageCode: language,
                fileName: fileName,
                format: format,
                template: prepared
            )
        }
        return layouts
    }

    /// The merged document's file name: the layout's name with the entry number (or contact) before the
    /// extension, so that files of one mailing can be told apart.
    static func mergedFileName(_ layout: MergeLayout, _ fields: MergeFields) -> String {
        let name = layout.fileName
        let suffix = fields.entryNo.isEmpty ? fields.contactNo : fields.entryNo
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return "\(name)-\(suffix)" }
        return String(name[..<dot].prefix(200)) + "-\(suffix)" + String(name[dot...])
    }

    static func fileExtension(_ fileName: String) -> String? {
        guard let dot = fileName.lastIndex(of: "."), dot != fileName.startIndex else { return nil }
        let ext = fileName[fileName.index(after: dot)...].lowercased()
        return ext.isEmpty ? nil : ext
    }

    /// Merges `fields` into `layout`; a failure names the entry.
    static func merge(_ layout: MergeLayout, _ fields: MergeFields) throws -> InteractionAttachment {
        do {
            return InteractionAttachment(
                content: try layout.template.merge(fields),
                fileName: Self.mergedFileName(layout, fields),
                contentType: layout.format.contentType
            )
        } catch {
            throw StoreError.invalid("Merging the layout for contact \(fields.contactNo) failed: \(error)")
        }
    }
}
