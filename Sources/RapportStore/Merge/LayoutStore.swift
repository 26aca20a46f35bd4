import Foundation
import LibPQ
import RapportMerge
import RapportModel

/// The custom report layout of a template language row (reference 1.4: Custom Layout Code and its
/// description): set, replaced (with `replace`) and cleared; the layout content is what a merge template
/// merges per contact.
public struct TemplateLayout: Sendable, Equatable {
    public var templateCode: String
    public var languageCode: String?
    public var layoutCode: String
    public var description: String?
    public var fileName: String?
    public var format: String?
    public var sizeBytes: Int?
    /// The merge fields the layout uses.
    public var fields: [String]
    /// The template's wizard action after the change (reference 3.1 R3b).
    public var wizardAction: WizardAction?
}

public struct LayoutUpload: Sendable, Equatable {
    public var layoutCode: String
    public var description: String?
    public var fileName: String
    public var content: [UInt8]
    public var replace: Bool

    public init(layoutCode: String, description: String?, fileName: String, content: [UInt8], replace: Bool) {
        self.layoutCode = layoutCode
        self.description = description
        self.fileName = fileName
        self.content = content
        self.replace = replace
    }
}

public enum LayoutStore {
    /// Every merge field a layout may name.
    public static let fieldNames = MergeFields.Name.allCases.map(\.rawValue)

    /// Sets (or, with `replace`, replaces) the layout of (template, language). The content must be a .docx,
    /// .html/.htm or .txt file whose merge fields all exist. On the template's default language row the
    /// template's wizard action becomes Merge (reference 3.1 R3b).
    public static func set(_ connection: PGConnection, template: String, language: String?, _ upload: LayoutUpload)
        throws -> TemplateLayout
    {
        guard let format = MergeFormat(fileName: upload.fileName) else {
            throw StoreError.invalid(
                "A layout must be a Word document (.docx), an HTML body (.html) or a text body (.txt): "
                    + "\(upload.fileName) is none of these. Send another file-name= with its extension."
            )
        }
        let prepared: MergeTemplate
        do {
            prepared = try MergeTemplate(upload.content, format: format)
        } catch {
            throw StoreError.invalid("The layout cannot be merged: \(error)")
        }
        let unknown = prepared.unknownFields
        if !unknown.isEmpty {
            throw StoreError.invalid(
                "The layout uses merge fields that do not exist: \(unknown.joined(separator: ", ")). The fields are: "
                    + MergeFields.Name.allCases.map(\.rawValue).joined(separator: ", ") + "."
            )
        }
        let row = try Self.lock(connection, template: template, language: language)
        let limit = try MarketingSetupStore.get(connection).maxAttachmentBytes
        if upload.content.count > limit {
            throw StoreError.invalid(
                "The layout is \(upload.content.count) bytes; the marketing setup allows at most \(limit) bytes: "
                    + "raise it with SETUP-MARKETING max-attachment-bytes=<bytes>"
            )
        }
        if row.hasLayout && !upload.replace {
            throw StoreError.conflict(
                "Interaction Tmpl. Language \(language ?? "(blank)") of Interaction Template \(template) already has "
                    + "layout \(row.layoutCode ?? ""). Replace it? Send replace=true to replace it."
            )
        }
        try connection.execute(
            """
            UPDATE interaction_template_languages
            SET custom_layout_code = \(upload.layoutCode), custom_layout_description = \(upload.description),
                custom_layout_file_name = \(upload.fileName), custom_layout_content = \(PGBytes(upload.content)),
                custom_layout_modified_at = now()
            WHERE template_code = \(template) AND language_code IS NOT DISTINCT FROM \(language)
            """
        )
        var action = row.wizardAction
        if row.isDefault {
            action = .merge
            try connection.execute("UPDATE interaction_templates SET wizard_action = 'merge' WHERE code = \(template)")
        }
        return TemplateLayout(
            templateCode: template,
            languageCode: language,
            layoutCode: upload.layoutCode,
            description: upload.description,
            fileName: upload.fileName,
            format: format.rawValue,
            sizeBytes: upload.content.count,
            fields: prepared.fieldsUsed,
            wizardAction: action
        )
    }

    /// Clears the layout (code, description and content) of (template, language). On the default language row
    /// a Merge wizard action without a Word template becomes blank (reference 3.1 R3b). Returns the code cleared.
    @discardableResult
    public static func clear(_ connection: PGConnection, template: String, language: String?) throws -> String {
        let row = try Self.lock(connection, template: template, language: language)
        guard let code = row.layoutCode else {
            throw StoreError.notFound(Self.noLayout(template: template, language: language))
        }
        try connection.execute(
            """
            UPDATE interaction_template_languages
            SET custom_layout_code = NULL, custom_layout_description = NULL, custom_layout_file_name = NULL,
                custom_layout_content = NULL, custom_layout_modified_at = now()
            WHERE template_code = \(template) AND language_code IS NOT DISTINCT FROM \(language)
            """
        )
        if row.isDefault && row.wizardAction == .merge && !row.hasWordTemplate {
            try connection.execute("UPDATE interaction_templates SET wizard_action = NULL WHERE code = \(template)")
        }
        return code
    }

    /// The layout of (template, language) with its content.
    public static func download(_ connection: PGConnection, template: String, language: String?) throws
        -> (TemplateLayout, [UInt8])
    {
        let rows = try connection.query(
            """
            SELECT l.custom_layout_code, l.custom_layout_description, l.custom_layout_file_name,
                   l.custom_layout_content, t.wizard_action
            FROM interaction_template_languages l JOIN interaction_templates t ON t.code = l.template_code
            WHERE l.template_code = \(template) AND l.language_code IS NOT DISTINCT FROM \(language)
            """
        )
        guard let row = rows.first, let content = try row.decode(PGBytes?.self, at: 3)?.bytes,
            let fileName = try row.decode(String?.self, at: 2)
        else {
            _ = try Self.lock(connection, template: template, language: language)
            throw StoreError.notFound(Self.noLayout(template: template, language: language))
        }
        let format = MergeFormat(fileName: fileName)
        let fields = try format.map { try MergeTemplate(content, format: $0).fieldsUsed } ?? []
        return (
            TemplateLayout(
                templateCode: template,
                languageCode: language,
                layoutCode: try row.decode(String?.self, at: 0) ?? "",
                description: try row.decode(String?.self, at: 1),
                fileName: fileName,
                format: format?.rawValue,
                sizeBytes: content.count,
                fields: fields,
                wizardAction: try row.decode(String?.self, at: 4).flatMap(WizardAction.init(rawValue:))
            ),
            content
        )
    }

    private struct LockedRow {
        var layoutCode: String?
        var hasLayout: Bool
        var isDefault: Bool
        var wizardAction: WizardAction?
        var hasWordTemplate: Bool
    }

    private static func lock(_ connection: PGConnection, template: String, language: String?) throws -> LockedRow {
        let rows = try connection.query(
            """
            SELECT l.custom_layout_code, l.custom_layout_content IS NOT NULL,
                   t.language_code_default IS NOT DISTINCT FROM l.language_code, t.wizard_action,
                   t.word_template_code IS NOT NULL OR l.word_template_code IS NOT NULL
            FROM interaction_template_languages l JOIN interaction_templates t ON t.code = l.template_code
            WHERE l.template_code = \(template) AND l.language_code IS NOT DISTINCT FROM \(language)
            FOR UPDATE OF l, t
            """
        )
        guard let row = rows.first else {
            if try !MasterDataLookup.exists(connection, "SELECT 1 FROM interaction_templates WHERE code = \(template)")
            {
                throw StoreError.notFound("Interaction Template \(template) does not exist")
            }
            throw StoreError.notFound(TemplateLanguageStore.missing(template: template, language: language))
        }
        return LockedRow(
            layoutCode: try row.decode(String?.self, at: 0),
            hasLayout: try row.decode(Bool.self, at: 1),
            isDefault: try row.decode(Bool.self, at: 2),
            wizardAction: try row.decode(String?.self, at: 3).flatMap(WizardAction.init(rawValue:)),
            hasWordTemplate: try row.decode(Bool.self, at: 4)
        )
    }

    private static func noLayout(template: String, language: String?) -> String {
        "Interaction Tmpl. Language \(language ?? "(blank)") of Interaction Template \(template) has no layout"
    }
}
