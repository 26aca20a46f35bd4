import Foundation
import LibPQ
import RapportModel

/// An attachment and who shares it (reference 1.16: it is deleted with the last row that refers to it).
public struct AttachmentUsage: Sendable, Equatable {
    public var info: AttachmentInfo
    /// Log entries that refer to it.
    public var entries: Int
    /// Template language rows.
    public var templateLanguages: Int
    /// Segment lines.
    public var segmentLines: Int
    /// Segment language rows (segment-level and line-specific).
    public var segmentLanguages: Int
}

/// Attachments by number, in the caller's transaction.
public enum AttachmentUsageStore {
    /// The attachment `no`, how many rows share it and, with `content`, its bytes. A salesperson does not see
    /// an attachment that only postponed entries of other salespeople refer to.
    public static func get(_ connection: PGConnection, _ no: Int64, actor: ActingUser, content: Bool) throws
        -> (AttachmentUsage, [UInt8]?)
    {
        let rows = try connection.query(
            """
            SELECT \(unescaped: AttachmentInfo.columns),
                   (SELECT count(*) FROM interaction_log_entries e WHERE e.attachment_no = a.no),
                   (SELECT count(*) FROM interaction_template_languages t WHERE t.attachment_no = a.no),
                   (SELECT count(*) FROM segment_lines l WHERE l.attachment_no = a.no),
                   (SELECT count(*) FROM segment_interaction_languages s WHERE s.attachment_no = a.no),
                   NOT EXISTS (SELECT 1 FROM interaction_log_entries e
                               WHERE e.attachment_no = a.no AND e.postponed
                                 AND e.salesperson_code IS DISTINCT FROM \(actor.salespersonCode))
                   OR EXISTS (SELECT 1 FROM interaction_log_entries e WHERE e.attachment_no = a.no AND NOT e.postponed)
                   OR EXISTS (SELECT 1 FROM interaction_template_languages t WHERE t.attachment_no = a.no)
                   OR EXISTS (SELECT 1 FROM segment_lines l WHERE l.attachment_no = a.no)
                   OR EXISTS (SELECT 1 FROM segment_interaction_languages s WHERE s.attachment_no = a.no),
                   CASE WHEN \(content) THEN a.content END
            FROM attachments a WHERE a.no = \(no)
            """
        )
        let visible = try rows.first?.decode(Bool.self, at: 11) ?? false
        guard let row = rows.first, let info = try AttachmentInfo(row: row, from: 0),
            actor.role >= .manager || visible
        else { throw StoreError.notFound("Attachment \(no) does not exist.") }
        let usage = AttachmentUsage(
            info: info,
            entries: try row.decode(Int.self, at: 7),
            templateLanguages: try row.decode(Int.self, at: 8),
            segmentLines: try row.decode(Int.self, at: 9),
            segmentLanguages: try row.decode(Int.self, at: 10)
        )
        return (usage, try row.decode(PGBytes?.self, at: 12)?.bytes)
    }
}
