import LibPQ
import RapportModel

/// A line's template and language overrides (reference 3.2 R6, 3.6 R9) with the line's content: a line
/// with the header's template uses the segment's language rows ("inherited"); a line with another
/// template gets its own copies of that template's language rows ("unique").
enum SegmentLineContent {
    /// Validates a template on a line (3.2 R6): clears the template-derived fields, then takes them from the
    /// template; the campaign is the header's when it has one, else the template's.
    static func applyTemplate(_ connection: PGConnection, segmentNo: String, lineNo: Int, templateCode: String?) throws
    {
        if let templateCode,
            try connection.query("SELECT 1 FROM interaction_templates WHERE code = \(templateCode)").isEmpty
        {
            throw StoreError.notFound(
                "The Interaction Template \(templateCode) does not exist: add it with TEMPLATE-ADD, or choose another template="
            )
        }
        let old = try Self.attachment(connection, segmentNo: segmentNo, lineNo: lineNo)
        var query = PGQuery(sql: "")
        let segment = query.bind(segmentNo)
        let line = query.bind(lineNo)
        let template = query.bind(templateCode)
        query.sql = """
            UPDATE segment_lines l SET
                interaction_template_code = t.code,
                interaction_group_code = t.interaction_group_code,
                -- A typed description stays unless the line had another (non-blank) template before.
                description = CASE WHEN coalesce(l.description, '') = ''
                                        OR l.interaction_template_code <> t.code
                                   THEN t.description ELSE l.description END,
                cost = coalesce(t.unit_cost, 0),
                duration = coalesce(t.unit_duration, 0),
                information_flow = t.information_flow,
                initiated_by = t.initiated_by,
                campaign_target = coalesce(t.campaign_target, false),
                campaign_response = coalesce(t.campaign_response, false),
                correspondence_type = CASE
                    WHEN h.ignore_contact_corres_type AND h.correspondence_type_default IS NOT NULL
                         THEN h.correspondence_type_default
                    WHEN (coalesce(t.ignore_contact_corres_type, false) OR c.correspondence_type IS NULL)
                         AND t.correspondence_type IS NOT NULL THEN t.correspondence_type
                    ELSE c.correspondence_type END,
                campaign_no = coalesce(h.campaign_no, t.campaign_no),
                word_template_code = t.word_template_code,
                attachment_no = NULL, language_code = NULL, subject = NULL
            FROM segment_headers h
            JOIN contacts c ON true
            LEFT JOIN interaction_templates t ON t.code = \(template)
            WHERE h.no = \(segment) AND l.segment_no = h.no AND l.line_no = \(line)::int AND c.no = l.contact_no
            """
        try connection.execute(query)
        let headerTemplate = try connection.query(
            "SELECT interaction_template_code FROM segment_headers WHERE no = \(segmentNo)"
        )[0].decode(String?.self, at: 0)
        if templateCode == headerTemplate {
            try connection.execute(
                """
                DELETE FROM segment_interaction_languages
                WHERE segment_no = \(segmentNo) AND segment_line_no = \(lineNo)
                """
            )
            try Self.useSegmentContent(connection, segmentNo: segmentNo, lineNo: lineNo)
        } else {
            try SegmentLanguageStore.copyTemplate(
                connection,
                segmentNo: segmentNo,
                lineNo: lineNo,
                templateCode: templateCode
            )
            try Self.useOwnContent(connection, segmentNo: segmentNo, lineNo: lineNo)
        }
        try SegmentSQL.deleteUnreferencedAttachments(connection, old.map { [$0] } ?? [])
    }

    /// A language on a line (3.6 R9): needs a template; takes attachment, subject and Word template from that
    /// language's row (the line's own rows if it has them, else the segment's), or clears attachment and subject.
    static func applyLanguage(_ connection: PGConnection, segmentNo: String, lineNo: Int, language: String?) throws {
        let row = try connection.query(
            """
            SELECT interaction_template_code,
                   EXISTS (SELECT 1 FROM segment_interaction_languages s
                           WHERE s.segment_no = \(segmentNo) AND s.segment_line_no = \(lineNo))
            FROM segment_lines WHERE segment_no = \(segmentNo) AND line_no = \(lineNo)
            """
        )[0]
        guard try row.decode(String?.self, at: 0) != nil else {
            throw StoreError.invalid(
                SegmentMessages.lineFieldMissing("Interaction Template Code", segmentNo: segmentNo, lineNo: lineNo)
            )
        }
        if let language, try connection.query("SELECT 1 FROM languages WHERE code = \(language)").isEmpty {
            throw StoreError.notFound(
                "The Language \(language) does not exist: add it with LANGUAGE-ADD, or choose another language="
            )
        }
        let level = try row.decode(Bool.self, at: 1) ? lineNo : 0
        try connection.execute(
            """
            UPDATE segment_lines l SET
                language_code = \(language),
                attachment_no = s.attachment_no,
                subject = s.subject,
                word_template_code = CASE WHEN s.found THEN s.word_template_code ELSE l.word_template_code END
            FROM (SELECT 1) one
            LEFT JOIN (SELECT true AS found, attachment_no, subject, word_template_code
                       FROM segment_interaction_languages
                       WHERE segment_no = \(segmentNo) AND segment_line_no = \(level)
                         AND language_code IS NOT DISTINCT FROM \(language)) s ON true
            WHERE l.segment_no = \(segmentNo) AND l.line_no = \(lineNo)
            """
        )
    }

    private static func attachment(_ connection: PGConnection, segmentNo: String, lineNo: Int) throws -> Int64? {
        try connection.query(
            "SELECT attachment_no FROM segment_lines WHERE segment_no = \(segmentNo) AND line_no = \(lineNo)"
        ).first?.decode(Int64?.self, at: 0)
    }

    /// 3.2 R4, first case: the segment-level row of the contact's language, else of the header's default.
    private static func useSegmentContent(_ connection: PGConnection, segmentNo: String, lineNo: Int) throws {
        var query = PGQuery(sql: "")
        let segment = query.bind(segmentNo)
        let line = query.bind(lineNo)
        query.sql = """
            UPDATE segment_lines l SET
                language_code = \(SegmentSQL.chosenLanguage),
                attachment_no = lang.attachment_no,
                subject = lang.subject,
                word_template_code = coalesce(lang.word_template_code, hdr.word_template_code)
            FROM (\(SegmentSQL.header(segment))) hdr
            CROSS JOIN contacts c
            \(SegmentSQL.segmentLanguage)
            WHERE l.segment_no = hdr.no AND l.line_no = \(line)::int AND c.no = l.contact_no
            """
        try connection.execute(query)
    }

    /// 3.2 R4, second case: the line's own row of the contact's language, else of the template's default
    /// language, else the first.
    private static func useOwnContent(_ connection: PGConnection, segmentNo: String, lineNo: Int) throws {
        try connection.execute(
            """
            UPDATE segment_lines l SET
                language_code = s.language_code,
                attachment_no = s.attachment_no,
                subject = s.subject,
                word_template_code = coalesce(s.word_template_code, l.word_template_code)
            FROM contacts c, interaction_templates t,
                 LATERAL (SELECT r.language_code, r.attachment_no, r.subject, r.word_template_code
                          FROM segment_interaction_languages r
                          WHERE r.segment_no = \(segmentNo) AND r.segment_line_no = \(lineNo)
                          ORDER BY (r.language_code = c.language_code) IS TRUE DESC,
                                   (r.language_code IS NOT DISTINCT FROM t.language_code_default) DESC,
                                   r.language_code NULLS FIRST
                          LIMIT 1) s
            WHERE l.segment_no = \(segmentNo) AND l.line_no = \(lineNo)
              AND c.no = l.contact_no AND t.code = l.interaction_template_code
            """
        )
    }
}
