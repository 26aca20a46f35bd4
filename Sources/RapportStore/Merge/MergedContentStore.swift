import Foundation
import LibPQ
import RapportMerge
import RapportModel

/// What the delivery worker sends for one entry: the document (merged for the entry's contact) and, for an
/// HTML or text layout, the same content as the e-mail body.
public struct MergedContent: Sendable, Equatable {
    public var entryNo: Int64
    public var attachmentNo: Int64?
    public var fileName: String
    public var contentType: String?
    public var content: [UInt8]
    /// The merged HTML body (an HTML layout or attachment); nil otherwise.
    public var htmlBody: String?
    /// The merged plain-text body (a text layout or attachment); nil otherwise.
    public var textBody: String?
    public var subject: String?
    /// Whether the content was merged for this entry (its own merged attachment, or merged just now).
    public var merged: Bool
}

/// The merged content of logged entries (reference 3.9 R1), in the caller's transaction.
public enum MergedContentStore {
    /// Of `entryNos`, the entries to merge when they are sent (reference 3.9 R1): not merged yet, and their
    /// template merges with a layout for their language (e.g. logged before the layout was set). One
    /// statement per delivery batch; entries merged when logged are sent as they are.
    public static func mergedAtSending(_ connection: PGConnection, entryNos: [Int64]) throws -> Set<Int64> {
        guard !entryNos.isEmpty else { return [] }
        return Set(
            try connection.query(
                """
                SELECT e.entry_no FROM interaction_log_entries e
                WHERE e.entry_no = ANY(\(PGInt64Array(entryNos))) AND NOT e.merged
                  AND \(unescaped: MergeSources.hasLayout(mergeActionOnly: true))
                """
            ).map { try $0.decode(Int64.self, at: 0) }
        )
    }

    /// The content the delivery worker sends for `entryNo`: the entry's own merged attachment as it is; else
    /// the template language's layout merged for the entry's contact now (when the template merges); else the
    /// entry's attachment as it is. Throws notFound when the entry does not exist or has nothing to send.
    public static func content(_ connection: PGConnection, entryNo: Int64) throws -> MergedContent {
        let answers = try connection.queries([
            """
            SELECT e.merged, e.subject, e.interaction_template_code, a.no, a.file_name, a.content_type, a.content
            FROM interaction_log_entries e LEFT JOIN attachments a ON a.no = e.attachment_no
            WHERE e.entry_no = \(entryNo)
            """,
            PGQuery(
                sql: MergeSources.fieldsQuery(keys: MergeSources.entryKeys("e.entry_no = $1")),
                binds: [entryNo.pgBind]
            ),
        ])
        guard let entry = answers[0].first else {
            throw StoreError.notFound("Interaction Log Entry \(entryNo) does not exist.")
        }
        let subject = try entry.decode(String?.self, at: 1)
        let attachmentNo = try entry.decode(Int64?.self, at: 3)
        let fileName = try entry.decode(String?.self, at: 4)
        let contentType = try entry.decode(String?.self, at: 5)
        let stored = try entry.decode(PGBytes?.self, at: 6)?.bytes
        if try entry.decode(Bool.self, at: 0), let stored {
            return Self.content(
                entryNo,
                attachmentNo,
                fileName ?? "attachment-\(entryNo)",
                contentType,
                stored,
                subject,
                merged: true
            )
        }
        if let template = try entry.decode(String?.self, at: 2), let row = answers[1].first {
            let layouts = try MergeSources.layouts(
                try connection.query(MergeSources.layoutsQuery(templates: [template], mergeActionOnly: true))
            )
            let (_, fields, key) = try MergeSources.fields(row)
            if let layout = layouts[key] {
                let merged = try MergeSources.merge(layout, fields)
                return Self.content(
                    entryNo,
                    attachmentNo,
                    merged.fileName ?? layout.fileName,
                    merged.contentType,
                    merged.content,
                    subject,
                    merged: true
                )
            }
        }
        guard let stored else {
            throw StoreError.notFound("Interaction Log Entry \(entryNo) has no attachment and nothing to merge.")
        }
        return Self.content(
            entryNo,
            attachmentNo,
            fileName ?? "attachment-\(entryNo)",
            contentType,
            stored,
            subject,
            merged: false
        )
    }

    private static func content(
        _ entryNo: Int64,
        _ attachmentNo: Int64?,
        _ fileName: String,
        _ contentType: String?,
        _ bytes: [UInt8],
        _ subject: String?,
        merged: Bool
    ) -> MergedContent {
        let format = MergeFormat(fileName: fileName)
        let text = format == .html || format == .text ? String(decoding: bytes, as: UTF8.self) : nil
        return MergedContent(
            entryNo: entryNo,
            attachmentNo: attachmentNo,
            fileName: fileName,
            contentType: contentType,
            content: bytes,
            htmlBody: format == .html ? text : nil,
            textBody: format == .text ? text : nil,
            subject: subject,
            merged: merged
        )
    }
}

/// Gives logged entries their own merged attachment, set-based: one read of the fields of all the entries and
/// of their templates' layouts, a merge per entry in memory, then the attachments and the entries' new
/// numbers in one pipeline per chunk.
enum MergeWriter {
    /// Entries merged per pipeline (bounds the merged documents held in memory).
    static let chunk = 250

    /// Whether any template merges at all: a read of the small template tables, so that logging without a
    /// merge template (the usual case, 100,000-line segments) costs nothing more.
    static func anyMergeLayout(_ connection: PGConnection) throws -> Bool {
        try !connection.query(
            """
            SELECT 1 FROM interaction_template_languages l JOIN interaction_templates t ON t.code = l.template_code
            WHERE t.wizard_action = 'merge' AND l.custom_layout_content IS NOT NULL LIMIT 1
            """
        ).isEmpty
    }

    /// Merges the entries matching `condition` (on `e`, with `binds`) whose template merges and has a layout
    /// for the entry's language (or, given `layout`, every matching entry with it); returns the entries merged.
    @discardableResult
    static func mergeEntries(
        _ connection: PGConnection,
        where condition: String,
        binds: [PGBind],
        layout fixed: MergeLayout? = nil
    ) throws -> [Int64] {
        let keys = MergeSources.entryKeys(
            fixed == nil ? "(\(condition)) AND " + MergeSources.hasLayout(mergeActionOnly: true) : condition
        )
        let answers = try connection.queries([
            PGQuery(sql: MergeSources.fieldsQuery(keys: keys) + " ORDER BY k.entry_no", binds: binds),
            MergeSources.layoutsQuery(templates: fixed == nil ? nil : [], mergeActionOnly: true),
        ])
        guard !answers[0].isEmpty else { return [] }
        let layouts = try MergeSources.layouts(answers[1])
        var merged: [Int64] = []
        var pending: [(Int64, InteractionAttachment)] = []
        for row in answers[0] {
            let (entryNo, fields, key) = try MergeSources.fields(row)
            guard let entryNo, let layout = fixed ?? layouts[key] else { continue }
            pending.append((entryNo, try MergeSources.merge(layout, fields)))
            if pending.count == Self.chunk {
                merged += try Self.store(connection, pending)
                pending = []
            }
        }
        if !pending.isEmpty { merged += try Self.store(connection, pending) }
        return merged
    }

    /// Merges the entries of a logged segment whose template merges (reference 3.8 R6.3); nothing to read
    /// when no template merges.
    static func mergeLoggedSegment(_ connection: PGConnection, loggedSegmentEntryNo: Int64) throws {
        guard try Self.anyMergeLayout(connection) else { return }
        try Self.mergeEntries(
            connection,
            where: "e.logged_segment_entry_no = $1",
            binds: [loggedSegmentEntryNo.pgBind]
        )
    }

    /// The document a new interaction stores instead of its template's attachment when its template merges
    /// (reference 3.5 R3: the merged content is the entry's own attachment): one round trip, only for merge
    /// templates. Nil when the template language has no layout.
    static func document(_ connection: PGConnection, _ keys: MergeKeys) throws -> InteractionAttachment? {
        guard let template = keys.templateCode else { return nil }
        var query = PGQuery(sql: "")
        let values = [
            query.bind(keys.entryNo) + "::bigint AS entry_no", query.bind(keys.contactNo) + "::text AS contact_no",
            query.bind(keys.altAddressCode) + "::text AS alt_code",
            query.bind(keys.salespersonCode) + "::text AS salesperson_code",
            query.bind(keys.campaignNo) + "::text AS campaign_no", query.bind(keys.date) + "::date AS date",
            query.bind(keys.description) + "::text AS description", query.bind(keys.subject) + "::text AS subject",
            query.bind(keys.languageCode) + "::text AS language_code", query.bind(template) + "::text AS template_code",
        ]
        query.sql = MergeSources.fieldsQuery(keys: "SELECT " + values.joined(separator: ", "))
        let answers = try connection.queries([
            query, MergeSources.layoutsQuery(templates: [template], mergeActionOnly: true),
        ])
        let layouts = try MergeSources.layouts(answers[1])
        guard let row = answers[0].first else { return nil }
        let (_, fields, key) = try MergeSources.fields(row)
        guard let layout = layouts[key] else { return nil }
        return try MergeSources.merge(layout, fields)
    }

    /// Stores each merged document as a new read-only attachment and points its entry at it (merged = true);
    /// the attachments the entries had are deleted when nothing else refers to them.
    static func store(_ connection: PGConnection, _ documents: [(Int64, InteractionAttachment)]) throws -> [Int64] {
        let numbers = try connection.queries(
            documents.map { _, document in
                """
                INSERT INTO attachments (file_name, file_extension, content_type, size_bytes, content, read_only)
                VALUES (\(document.fileName), \(document.fileName.flatMap(MergeSources.fileExtension)),
                        \(document.contentType), \(document.content.count), \(PGBytes(document.content)), true)
                RETURNING no
                """
            }
        ).map { try $0[0].decode(Int64.self, at: 0) }
        let entries = PGInt64Array(documents.map(\.0))
        let replaced = try connection.query(
            """
            WITH old AS (SELECT entry_no, attachment_no FROM interaction_log_entries WHERE entry_no = ANY(\(entries))),
            upd AS (
                UPDATE interaction_log_entries e SET attachment_no = m.no, merged = true
                FROM unnest(\(entries), \(PGInt64Array(numbers))) AS m(entry_no, no)
                WHERE e.entry_no = m.entry_no)
            SELECT DISTINCT attachment_no FROM old WHERE attachment_no IS NOT NULL
            """
        ).map { try $0.decode(Int64.self, at: 0) }
        InteractionAttachments.deleteUnreferenced(connection, replaced)
        return documents.map(\.0)
    }
}
