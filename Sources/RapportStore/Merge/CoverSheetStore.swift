import Foundation
import LibPQ
import RapportMerge
import RapportModel

/// What SEGMENT-COVER-SHEETS did.
public struct CoverSheetResult: Sendable, Equatable {
    public var segmentNo: String
    public var templateCode: String
    /// The cover sheet entries, in line order.
    public var entryNos: [Int64]
}

/// Cover sheets for a segment (reference §5, document type 17 "Cover Sheet"): the Contact Cover Sheet layout
/// merged per segment line, each logged as a cover sheet entry of the setup's Cover Sheets template with the
/// merged sheet as its own attachment — in the caller's one transaction, set-based. The segment stays.
public enum CoverSheetStore {
    public static func produce(_ connection: PGConnection, actor: ActingUser, segmentNo: String) throws
        -> CoverSheetResult
    {
        guard let header = try SegmentReader.lock(connection, segmentNo) else {
            throw StoreError.notFound("Segment \(segmentNo) does not exist.")
        }
        guard actor.mayManage(createdBy: header.createdBy, salesperson: header.salespersonCode) else {
            throw AccessDenied("segment \(segmentNo) belongs to another salesperson")
        }
        let row = try connection.query(
            """
            SELECT s.template_code, m.cover_sheet_layout_file_name, m.cover_sheet_layout_content,
                   (SELECT l.language_code FROM interaction_template_languages l
                    WHERE l.template_code = s.template_code ORDER BY l.language_code NULLS FIRST LIMIT 1),
                   EXISTS (SELECT 1 FROM interaction_template_languages l WHERE l.template_code = s.template_code),
                   (SELECT count(*) FROM segment_lines l WHERE l.segment_no = \(segmentNo) AND l.contact_no IS NOT NULL),
                   (SELECT l.contact_no FROM segment_lines l JOIN contacts c ON c.no = l.contact_no
                    WHERE l.segment_no = \(segmentNo) AND c.privacy_blocked ORDER BY l.line_no LIMIT 1)
            FROM (SELECT 1) one
            LEFT JOIN marketing_setup m ON true
            LEFT JOIN interaction_template_setup s ON s.event = 'cover_sheet'
            """
        )[0]
        guard let template = try row.decode(String?.self, at: 0) else {
            throw StoreError.invalid(
                "No template is set up for Cover Sheets in the interaction template setup: set one with "
                    + "SETUP-SET event=cover_sheet template=<code>"
            )
        }
        if try row.decode(Bool.self, at: 4) {
            let language = try row.decode(String?.self, at: 3)
            throw StoreError.invalid(
                "Interaction Template \(template) has assigned Interaction Template Language \(language ?? ""). It is "
                    + "not allowed to have languages assigned to templates used for system document logging: remove "
                    + "them with TEMPLATE-LANGUAGE-DELETE, or set up another template for cover_sheet with SETUP-SET"
            )
        }
        guard let fileName = try row.decode(String?.self, at: 1),
            let content = try row.decode(PGBytes?.self, at: 2)?.bytes,
            let format = MergeFormat(fileName: fileName)
        else {
            throw StoreError.invalid(
                "The Contact Cover Sheet has no layout: set one with COVER-SHEET-LAYOUT-SET file-name=<name> {N}"
            )
        }
        guard try row.decode(Int.self, at: 5) > 0 else { throw StoreError.invalid(SegmentMessages.empty(segmentNo)) }
        if let blocked = try row.decode(String?.self, at: 6) {
            throw StoreError.invalid(InteractionValidation.privacyBlocked(blocked))
        }
        let layout: MergeLayout
        do {
            layout = MergeLayout(
                templateCode: template,
                languageCode: nil,
                fileName: fileName,
                format: format,
                template: try MergeTemplate(content, format: format)
            )
        } catch {
            throw StoreError.invalid(
                "The Contact Cover Sheet layout cannot be merged: \(error). Set it again with COVER-SHEET-LAYOUT-SET."
            )
        }
        // One entry per line with a contact, in line order (§5: Date = today, description = the template's).
        let entries = try connection.query(
            """
            INSERT INTO interaction_log_entries (
                contact_no, contact_company_no, date, description, information_flow, initiated_by, cost, duration,
                user_id, interaction_group_code, interaction_template_code, segment_no, time_of_interaction,
                salesperson_code, correspondence_type, contact_alt_address_code, document_type, subject)
            SELECT l.contact_no, l.contact_company_no, CURRENT_DATE, t.description, t.information_flow,
                   t.initiated_by, t.unit_cost, t.unit_duration, \(actor.userID), t.interaction_group_code, t.code,
                   l.segment_no, LOCALTIME(0), l.salesperson_code, 'hard_copy', l.contact_alt_address_code,
                   'cover_sheet', t.description
            FROM segment_lines l JOIN interaction_templates t ON t.code = \(template)
            WHERE l.segment_no = \(segmentNo) AND l.contact_no IS NOT NULL
            ORDER BY l.line_no
            RETURNING entry_no
            """
        ).map { try $0.decode(Int64.self, at: 0) }.sorted()
        try MergeWriter.mergeEntries(
            connection,
            where: "e.entry_no = ANY($1)",
            binds: [PGInt64Array(entries).pgBind],
            layout: layout
        )
        return CoverSheetResult(segmentNo: segmentNo, templateCode: template, entryNos: entries)
    }

    // MARK: the Contact Cover Sheet layout

    public struct Layout: Sendable, Equatable {
        public var fileName: String
        public var format: String
        public var sizeBytes: Int
        public var fields: [String]
    }

    /// Sets (or replaces) the Contact Cover Sheet layout; its merge fields must all exist.
    public static func setLayout(_ connection: PGConnection, fileName: String, content: [UInt8]) throws -> Layout {
        guard let format = MergeFormat(fileName: fileName) else {
            throw StoreError.invalid(
                "A layout must be a Word document (.docx), an HTML body (.html) or a text body (.txt): "
                    + "\(fileName) is none of these. Send another file-name= with its extension."
            )
        }
        let prepared: MergeTemplate
        do {
            prepared = try MergeTemplate(content, format: format)
        } catch {
            throw StoreError.invalid("The layout cannot be merged: \(error)")
        }
        if !prepared.unknownFields.isEmpty {
            throw StoreError.invalid(
                "The layout uses merge fields that do not exist: \(prepared.unknownFields.joined(separator: ", ")). "
                    + "The fields are: " + MergeFields.Name.allCases.map(\.rawValue).joined(separator: ", ") + "."
            )
        }
        let limit = try MarketingSetupStore.get(connection).maxAttachmentBytes
        if content.count > limit {
            throw StoreError.invalid(
                "The layout is \(content.count) bytes; the marketing setup allows at most \(limit) bytes: "
                    + "raise it with SETUP-MARKETING max-attachment-bytes=<bytes>"
            )
        }
        try connection.execute(
            """
            UPDATE marketing_setup
            SET cover_sheet_layout_file_name = \(fileName), cover_sheet_layout_content = \(PGBytes(content))
            """
        )
        return Layout(
            fileName: fileName,
            format: format.rawValue,
            sizeBytes: content.count,
            fields: prepared.fieldsUsed
        )
    }

    /// Clears the Contact Cover Sheet layout.
    public static func clearLayout(_ connection: PGConnection) throws {
        let cleared = try connection.execute(
            """
            UPDATE marketing_setup SET cover_sheet_layout_file_name = NULL, cover_sheet_layout_content = NULL
            WHERE cover_sheet_layout_content IS NOT NULL
            """
        )
        if cleared == 0 { throw StoreError.notFound("The Contact Cover Sheet has no layout.") }
    }

    /// The Contact Cover Sheet layout with its content.
    public static func layout(_ connection: PGConnection) throws -> (Layout, [UInt8]) {
        guard
            let row = try connection.query(
                "SELECT cover_sheet_layout_file_name, cover_sheet_layout_content FROM marketing_setup"
            ).first, let fileName = try row.decode(String?.self, at: 0),
            let content = try row.decode(PGBytes?.self, at: 1)?.bytes
        else { throw StoreError.notFound("The Contact Cover Sheet has no layout.") }
        let format = MergeFormat(fileName: fileName)
        let fields = try format.map { try MergeTemplate(content, format: $0).fieldsUsed } ?? []
        return (
            Layout(fileName: fileName, format: format?.rawValue ?? "", sizeBytes: content.count, fields: fields),
            content
        )
    }
}
