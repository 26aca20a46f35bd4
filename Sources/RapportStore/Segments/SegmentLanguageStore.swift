import LibPQ
import RapportModel

/// The segment's copies of a template's language variants (reference 1.10, 3.2 R6, 3.6 R3–R5).
/// Attachments are duplicated, so edits in a segment never change the template. A template has a handful
/// of language rows, so the copy goes row by row.
enum SegmentLanguageStore {
    /// Replaces the rows of `lineNo` (0 = segment level) by copies of `templateCode`'s language rows.
    static func copyTemplate(_ connection: PGConnection, segmentNo: String, lineNo: Int, templateCode: String?)
        throws
    {
        try connection.execute(
            """
            DELETE FROM segment_interaction_languages
            WHERE segment_no = \(segmentNo) AND segment_line_no = \(lineNo)
            """
        )
        guard let templateCode else { return }
        let rows = try connection.query(
            """
            SELECT language_code, description, attachment_no, word_template_code
            FROM interaction_template_languages WHERE template_code = \(templateCode)
            ORDER BY language_code NULLS FIRST
            """
        )
        for row in rows {
            let language = try row.decode(String?.self, at: 0)
            let description = try row.decode(String?.self, at: 1)
            let attachment = try row.decode(Int64?.self, at: 2)
            let wordTemplate = try row.decode(String?.self, at: 3)
            let copy = try attachment.map { try Self.copyAttachment(connection, $0) }
            try connection.execute(
                """
                INSERT INTO segment_interaction_languages
                    (segment_no, segment_line_no, language_code, description, attachment_no, word_template_code)
                VALUES (\(segmentNo), \(lineNo), \(language), \(description), \(copy), \(wordTemplate))
                """
            )
        }
    }

    /// A writable copy of an attachment.
    static func copyAttachment(_ connection: PGConnection, _ no: Int64) throws -> Int64 {
        try connection.query(
            """
            INSERT INTO attachments (file_name, file_extension, content_type, size_bytes, content, read_only)
            SELECT file_name, file_extension, content_type, size_bytes, content, false
            FROM attachments WHERE no = \(no)
            RETURNING no
            """
        )[0].decode(Int64.self, at: 0)
    }

    /// Whether the segment has a segment-level row for `language` (nil = blank language).
    static func segmentRow(_ connection: PGConnection, segmentNo: String, language: String?) throws
        -> (subject: String?, attachmentNo: Int64?)?
    {
        try connection.query(
            """
            SELECT subject, attachment_no FROM segment_interaction_languages
            WHERE segment_no = \(segmentNo) AND segment_line_no = 0
              AND language_code IS NOT DISTINCT FROM \(language)
            """
        ).first.map { (try $0.decode(String?.self, at: 0), try $0.decode(Int64?.self, at: 1)) }
    }

    /// Reference 3.6 R4 "yes": creates the segment-level row with description "<template> <language>".
    static func createSegmentRow(_ connection: PGConnection, segmentNo: String, templateCode: String?, language: String)
        throws
    {
        let description = [templateCode, language].compactMap { $0 }.joined(separator: " ")
        try connection.execute(
            """
            INSERT INTO segment_interaction_languages (segment_no, segment_line_no, language_code, description)
            VALUES (\(segmentNo), 0, \(language), \(description.prefix(codePoints: 100)))
            """
        )
    }
}
