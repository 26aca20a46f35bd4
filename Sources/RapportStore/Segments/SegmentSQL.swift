import LibPQ

/// SQL fragments shared by the segment statements. Aliases: `hdr` = the segment header joined to its
/// template (see `header`), `c` = the line's contact, `l` = the line.
enum SegmentSQL {
    /// The header with its template's correspondence settings and whether it has segment-level content.
    static func header(_ segmentPlaceholder: String) -> String {
        """
        SELECT h.*, t.ignore_contact_corres_type AS template_ignores, t.correspondence_type AS template_type,
               EXISTS (SELECT 1 FROM segment_interaction_languages s
                       WHERE s.segment_no = h.no AND s.segment_line_no = 0) AS has_languages
        FROM segment_headers h
        LEFT JOIN interaction_templates t ON t.code = h.interaction_template_code
        WHERE h.no = \(segmentPlaceholder)
        """
    }

    /// Reference 3.2 R4 for a line using the segment's content: the segment-level row of the contact's
    /// language, else of the header's default language (columns found, language_code, attachment_no,
    /// subject, word_template_code).
    static let segmentLanguage = """
        LEFT JOIN LATERAL (
            SELECT true AS found, s.language_code, s.attachment_no, s.subject, s.word_template_code
            FROM segment_interaction_languages s
            WHERE hdr.has_languages AND s.segment_no = hdr.no AND s.segment_line_no = 0
              AND (s.language_code = c.language_code
                   OR s.language_code IS NOT DISTINCT FROM hdr.language_code_default)
            ORDER BY (s.language_code = c.language_code) IS TRUE DESC
            LIMIT 1) lang ON true
        """

    /// The language a line gets from `lang` (the row's, else the header's default).
    static let chosenLanguage = "CASE WHEN lang.found THEN lang.language_code ELSE hdr.language_code_default END"

    /// The code of contact `c`'s alternative address active on `date` (reference 3.2 R2), or NULL.
    static func activeAltAddress(contact: String, date: String) -> String {
        """
        (SELECT a.code FROM contact_alt_addresses a
         WHERE \(date) IS NOT NULL AND a.contact_no = \(contact)
           AND (a.starting_date IS NULL OR a.starting_date <= \(date))
           AND (a.ending_date IS NULL OR a.ending_date >= \(date))
         ORDER BY a.code LIMIT 1)
        """
    }

    /// Reference 3.2 R3, "template validation" variant: the previous value `previous` survives when neither
    /// the header, the template nor the contact decides.
    static func correspondenceTypeOnTemplate(previous: String) -> String {
        """
        CASE WHEN hdr.ignore_contact_corres_type AND hdr.correspondence_type_default IS NOT NULL
                  THEN hdr.correspondence_type_default
             WHEN (coalesce(hdr.template_ignores, false) OR c.correspondence_type IS NULL)
                  AND hdr.template_type IS NOT NULL THEN hdr.template_type
             WHEN c.correspondence_type IS NOT NULL THEN c.correspondence_type
             ELSE \(previous) END
        """
    }

    /// Deletes attachments that nothing refers to any more (after an UPDATE replaced them; the delete
    /// triggers of 0007 only cover deleted rows).
    static func deleteUnreferencedAttachments(_ connection: PGConnection, _ numbers: [Int64]) throws {
        guard !numbers.isEmpty else { return }
        try connection.execute(
            """
            DELETE FROM attachments a
            WHERE a.no = ANY(\(PGInt64Array(numbers)))
              AND NOT EXISTS (SELECT 1 FROM interaction_template_languages t WHERE t.attachment_no = a.no)
              AND NOT EXISTS (SELECT 1 FROM segment_interaction_languages s WHERE s.attachment_no = a.no)
              AND NOT EXISTS (SELECT 1 FROM segment_lines l WHERE l.attachment_no = a.no)
              AND NOT EXISTS (SELECT 1 FROM interaction_log_entries e WHERE e.attachment_no = a.no)
            """
        )
    }
}
