import Foundation
import LibPQ
import RapportModel

/// A language variant of a template (reference §1.4), with its attachment's description.
public struct TemplateLanguage: Sendable, Equatable {
    public var templateCode: String
    /// nil = the blank ("no language") variant.
    public var languageCode: String?
    public var description: String?
    public var wordTemplateCode: String?
    public var customLayoutCode: String?
    public var attachment: AttachmentInfo?

    public init(
        templateCode: String,
        languageCode: String?,
        description: String? = nil,
        wordTemplateCode: String? = nil,
        customLayoutCode: String? = nil
    ) {
        self.templateCode = templateCode
        self.languageCode = languageCode
        self.description = description
        self.wordTemplateCode = wordTemplateCode
        self.customLayoutCode = customLayoutCode
    }
}

/// Template language rows, inside the caller's transaction.
public enum TemplateLanguageStore {
    /// Adds a language variant; its description defaults to the template's.
    public static func add(_ connection: PGConnection, _ row: TemplateLanguage) throws -> TemplateLanguage {
        let templates = try connection.query(
            "SELECT description FROM interaction_templates WHERE code = \(row.templateCode)"
        )
        guard let template = templates.first else {
            throw StoreError.notFound("Interaction Template \(row.templateCode) does not exist")
        }
        try MasterDataLookup.require(
            connection,
            row.languageCode,
            in: "languages",
            "Language \(row.languageCode ?? "") does not exist"
        )
        var row = row
        row.description = try row.description ?? template.decode(String?.self, at: 0)
        try MasterDataLookup.inserting(
            "Interaction Tmpl. Language \(row.languageCode ?? "") already exists for Interaction Template "
                + row.templateCode
        ) {
            try connection.execute(
                """
                INSERT INTO interaction_template_languages
                    (template_code, language_code, description, word_template_code, custom_layout_code)
                VALUES (\(row.templateCode), \(row.languageCode), \(row.description), \(row.wordTemplateCode),
                        \(row.customLayoutCode))
                """
            )
        }
        return row
    }

    /// Deletes a language variant; its attachment goes with it unless something else refers to it
    /// (trigger), and a template whose default it was gets a blank default (FK SET NULL).
    public static func delete(_ connection: PGConnection, template: String, language: String?) throws {
        let deleted = try connection.execute(
            """
            DELETE FROM interaction_template_languages
            WHERE template_code = \(template) AND language_code IS NOT DISTINCT FROM \(language)
            """
        )
        if deleted == 0 { throw StoreError.notFound(Self.missing(template: template, language: language)) }
    }

    /// The language variants of a template, blank language first.
    ///
    /// A keyset page of at most `limit` (nil: all) after `after`: nil = from the start, `.some(nil)` =
    /// after the blank language (which sorts first), else after that language code.
    /// How many language rows a template has.
    public static func count(_ connection: PGConnection, template: String) throws -> Int {
        try MasterDataLookup.count(
            connection,
            "SELECT count(*) FROM interaction_template_languages WHERE template_code = \(template)"
        )
    }

    public static func list(
        _ connection: PGConnection,
        template: String,
        after: String?? = nil,
        limit: Int? = nil
    ) throws -> [TemplateLanguage] {
        let started = after != nil
        let afterCode = after ?? nil
        guard try MasterDataLookup.exists(connection, "SELECT 1 FROM interaction_templates WHERE code = \(template)")
        else { throw StoreError.notFound("Interaction Template \(template) does not exist") }
        return try connection.query(
            """
            SELECT l.template_code, l.language_code, l.description, l.word_template_code, l.custom_layout_code,
                   \(unescaped: AttachmentInfo.columns)
            FROM interaction_template_languages l LEFT JOIN attachments a ON a.no = l.attachment_no
            WHERE l.template_code = \(template)
              AND (NOT \(started)::boolean
                   OR (l.language_code IS NOT NULL AND (\(afterCode)::text IS NULL OR l.language_code > \(afterCode))))
            ORDER BY l.language_code NULLS FIRST LIMIT \(limit)
            """
        ).map { row in
            var language = TemplateLanguage(
                templateCode: try row.decode(String.self, at: 0),
                languageCode: try row.decode(String?.self, at: 1),
                description: try row.decode(String?.self, at: 2),
                wordTemplateCode: try row.decode(String?.self, at: 3),
                customLayoutCode: try row.decode(String?.self, at: 4)
            )
            language.attachment = try AttachmentInfo(row: row, from: 5)
            return language
        }
    }

    /// What the template rules need to know about each language row of `template`.
    public static func facts(_ connection: PGConnection, template: String) throws -> [TemplateLanguageFacts] {
        try connection.query(
            """
            SELECT language_code, custom_layout_code IS NOT NULL, attachment_no IS NOT NULL, word_template_code
            FROM interaction_template_languages WHERE template_code = \(template)
            ORDER BY language_code NULLS FIRST
            """
        ).map {
            TemplateLanguageFacts(
                languageCode: try $0.decode(String?.self, at: 0),
                hasHTMLLayout: try $0.decode(Bool.self, at: 1),
                hasAttachment: try $0.decode(Bool.self, at: 2),
                wordTemplateCode: try $0.decode(String?.self, at: 3)
            )
        }
    }

    static func missing(template: String, language: String?) -> String {
        "Interaction Tmpl. Language \(language ?? "(blank)") does not exist for Interaction Template \(template)"
    }
}
