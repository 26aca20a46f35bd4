import Foundation
import LibPQ

/// What is known about a stored attachment besides its content.
public struct AttachmentInfo: Sendable, Equatable {
    public var no: Int64
    public var fileName: String?
    public var fileExtension: String?
    public var contentType: String?
    public var sizeBytes: Int64
    public var readOnly: Bool
    public var lastModifiedAt: Date

    /// Columns of `attachments a` (NULL when no attachment is joined).
    static let columns =
        "a.no, a.file_name, a.file_extension, a.content_type, a.size_bytes, a.read_only, a.last_modified_at"

    /// The attachment in the columns from `start`, nil when they are NULL (nothing joined).
    init?(row: PGRow, from start: Int) throws {
        guard let no = try row.decode(Int64?.self, at: start) else { return nil }
        self.no = no
        self.fileName = try row.decode(String?.self, at: start + 1)
        self.fileExtension = try row.decode(String?.self, at: start + 2)
        self.contentType = try row.decode(String?.self, at: start + 3)
        self.sizeBytes = try row.decode(Int64.self, at: start + 4)
        self.readOnly = try row.decode(Bool.self, at: start + 5)
        self.lastModifiedAt = try row.decode(Date.self, at: start + 6)
    }
}

/// A file to attach to a template language row.
public struct AttachmentUpload: Sendable, Equatable {
    public var fileName: String
    public var contentType: String?
    public var content: [UInt8]
    /// The answer to "Replace existing attachment?" (reference §1.4).
    public var replace: Bool

    public init(fileName: String, contentType: String?, content: [UInt8], replace: Bool) {
        self.fileName = fileName
        self.contentType = contentType
        self.content = content
        self.replace = replace
    }

    /// The extension of the file name, lower-case, without the dot; nil without one.
    var fileExtension: String? {
        guard let dot = self.fileName.lastIndex(of: "."), dot != self.fileName.startIndex else { return nil }
        let ext = self.fileName[self.fileName.index(after: dot)...].lowercased()
        return ext.isEmpty ? nil : ext
    }
}

/// Attachments of template language rows, inside the caller's transaction. A replaced or removed
/// attachment is deleted when nothing else refers to it (logged entries keep theirs).
public enum AttachmentStore {
    /// Stores `upload` as the attachment of (template, language): within the size limit of the
    /// marketing setup, never over a read-only attachment, and over another one only with `replace`.
    public static func upload(
        _ connection: PGConnection,
        template: String,
        language: String?,
        _ upload: AttachmentUpload
    ) throws -> AttachmentInfo {
        let row = try Self.lockRow(connection, template: template, language: language)
        if row.wordTemplate {
            throw StoreError.invalid(
                "You cannot use an attachment when a Word template has been specified. Blank the Word template first: "
                    + "TEMPLATE-SET <template> word-template= (default language) or a new template language."
            )
        }
        let limit = try MarketingSetupStore.get(connection).maxAttachmentBytes
        if upload.content.count > limit {
            throw StoreError.invalid(
                "The attachment is \(upload.content.count) bytes; the marketing setup allows at most \(limit) bytes: "
                    + "raise it with SETUP-MARKETING max-attachment-bytes=<bytes>"
            )
        }
        if let old = row.attachment {
            if old.readOnly {
                throw StoreError.conflict(
                    "Attachment \(old.no) is read-only because it has been logged; it cannot be replaced. Remove it "
                        + "from the template language with ATTACHMENT-REMOVE, then upload the new file."
                )
            }
            if !upload.replace {
                throw StoreError.conflict(
                    "Interaction Tmpl. Language \(language ?? "(blank)") of Interaction Template \(template) already "
                        + "has an attachment. Replace existing attachment? Send replace=true to replace it."
                )
            }
        }
        let inserted = try connection.query(
            """
            INSERT INTO attachments (file_name, file_extension, content_type, size_bytes, content)
            VALUES (\(upload.fileName), \(upload.fileExtension), \(upload.contentType), \(upload.content.count),
                    \(PGBytes(upload.content)))
            RETURNING \(unescaped: AttachmentInfo.columns.replacingOccurrences(of: "a.", with: ""))
            """
        )
        let info = try AttachmentInfo(row: inserted[0], from: 0)!
        try Self.point(connection, template: template, language: language, to: info.no)
        if let old = row.attachment { try Self.deleteIfUnreferenced(connection, old.no) }
        return info
    }

    /// The attachment of (template, language) with its content.
    public static func download(_ connection: PGConnection, template: String, language: String?) throws
        -> (AttachmentInfo, [UInt8])
    {
        let rows = try connection.query(
            """
            SELECT \(unescaped: AttachmentInfo.columns), a.content
            FROM interaction_template_languages l JOIN attachments a ON a.no = l.attachment_no
            WHERE l.template_code = \(template) AND l.language_code IS NOT DISTINCT FROM \(language)
            """
        )
        guard let row = rows.first, let info = try AttachmentInfo(row: row, from: 0) else {
            _ = try Self.lockRow(connection, template: template, language: language, forUpdate: false)
            throw StoreError.notFound(Self.noAttachment(template: template, language: language))
        }
        return (info, try row.decode(PGBytes.self, at: 7).bytes)
    }

    /// Detaches the attachment of (template, language) and deletes it unless logged entries or
    /// segments still refer to it. Returns the attachment number removed.
    @discardableResult
    public static func remove(_ connection: PGConnection, template: String, language: String?) throws -> Int64 {
        let row = try Self.lockRow(connection, template: template, language: language)
        guard let old = row.attachment else {
            throw StoreError.notFound(Self.noAttachment(template: template, language: language))
        }
        try Self.point(connection, template: template, language: language, to: nil)
        try Self.deleteIfUnreferenced(connection, old.no)
        return old.no
    }

    private static func point(_ connection: PGConnection, template: String, language: String?, to attachment: Int64?)
        throws
    {
        try connection.execute(
            """
            UPDATE interaction_template_languages SET attachment_no = \(attachment)
            WHERE template_code = \(template) AND language_code IS NOT DISTINCT FROM \(language)
            """
        )
    }

    /// Deletes attachment `no` when no template language, segment language, segment line or log
    /// entry refers to it (the delete triggers of 0007 cover deletions, not updates).
    static func deleteIfUnreferenced(_ connection: PGConnection, _ no: Int64) throws {
        try connection.execute(
            """
            DELETE FROM attachments a WHERE a.no = \(no)
              AND NOT EXISTS (SELECT 1 FROM interaction_template_languages t WHERE t.attachment_no = a.no)
              AND NOT EXISTS (SELECT 1 FROM segment_interaction_languages s WHERE s.attachment_no = a.no)
              AND NOT EXISTS (SELECT 1 FROM segment_lines l WHERE l.attachment_no = a.no)
              AND NOT EXISTS (SELECT 1 FROM interaction_log_entries e WHERE e.attachment_no = a.no)
            """
        )
    }

    /// The language row (locked), whether a Word template governs it (R6), and its attachment.
    private static func lockRow(
        _ connection: PGConnection,
        template: String,
        language: String?,
        forUpdate: Bool = true
    ) throws -> (wordTemplate: Bool, attachment: AttachmentInfo?) {
        let rows = try connection.query(
            """
            SELECT l.word_template_code IS NOT NULL
                   OR (t.word_template_code IS NOT NULL
                       AND t.language_code_default IS NOT DISTINCT FROM l.language_code),
                   \(unescaped: AttachmentInfo.columns)
            FROM interaction_template_languages l
            JOIN interaction_templates t ON t.code = l.template_code
            LEFT JOIN attachments a ON a.no = l.attachment_no
            WHERE l.template_code = \(template) AND l.language_code IS NOT DISTINCT FROM \(language)
            \(unescaped: forUpdate ? "FOR UPDATE OF l" : "")
            """
        )
        guard let row = rows.first else {
            if try !MasterDataLookup.exists(connection, "SELECT 1 FROM interaction_templates WHERE code = \(template)")
            {
                throw StoreError.notFound("Interaction Template \(template) does not exist")
            }
            throw StoreError.notFound(TemplateLanguageStore.missing(template: template, language: language))
        }
        return (try row.decode(Bool.self, at: 0), try AttachmentInfo(row: row, from: 1))
    }

    private static func noAttachment(template: String, language: String?) -> String {
        "Interaction Tmpl. Language \(language ?? "(blank)") of Interaction Template \(template) has no attachment"
    }
}
