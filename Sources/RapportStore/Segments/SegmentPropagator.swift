import LibPQ
import RapportModel

/// Header → line propagation (reference 3.6 R2): one bulk UPDATE of the lines whose template is the
/// header's, overwriting the pushed fields.
enum SegmentPropagator {
    static func push(_ connection: PGConnection, segmentNo: String, _ fields: [SegmentHeaderField]) throws -> Int {
        let assignments = fields.compactMap(Self.assignment)
        guard !assignments.isEmpty else { return 0 }
        return try connection.execute(
            """
            UPDATE segment_lines l SET \(unescaped: assignments.joined(separator: ", "))
            FROM segment_headers h, contacts c
            WHERE h.no = \(segmentNo) AND l.segment_no = h.no AND c.no = l.contact_no
              AND l.interaction_template_code IS NOT DISTINCT FROM h.interaction_template_code
            """
        )
    }

    /// The SET clause of one field (old line values on the right-hand side are the values before the update).
    private static func assignment(_ field: SegmentHeaderField) -> String? {
        switch field {
        case .description: return "description = h.description"
        case .campaignNo: return "campaign_no = h.campaign_no"
        // A blank header salesperson leaves each line with its contact's (as when the line was added),
        // rather than a blank that logging would refuse.
        case .salespersonCode: return "salesperson_code = coalesce(h.salesperson_code, c.salesperson_code)"
        case .correspondenceTypeDefault: return "correspondence_type = h.correspondence_type_default"
        case .unitCost: return "cost = h.unit_cost"
        case .unitDuration: return "duration = h.unit_duration"
        case .date:
            // 3.2 R7: an alternative address active at the old date is re-derived for the new one.
            return """
                date = h.date,
                contact_alt_address_code = CASE
                    WHEN l.contact_alt_address_code IS NOT DISTINCT FROM
                         \(SegmentSQL.activeAltAddress(contact: "l.contact_no", date: "l.date"))
                    THEN \(SegmentSQL.activeAltAddress(contact: "l.contact_no", date: "h.date"))
                    ELSE l.contact_alt_address_code END
                """
        case .campaignTarget: return "campaign_target = h.campaign_target"
        case .informationFlow: return "information_flow = h.information_flow"
        case .initiatedBy: return "initiated_by = h.initiated_by"
        case .campaignResponse: return "campaign_response = h.campaign_response"
        case .interactionGroupCode: return "interaction_group_code = h.interaction_group_code"
        case .sendWordDocsAsAttmt: return "send_word_docs_as_attmt = h.send_word_docs_as_attmt"
        case .wordTemplateCode: return "word_template_code = h.word_template_code"
        case .interactionTemplateCode, .languageCodeDefault, .ignoreContactCorresType, .subjectDefault: return nil
        }
    }
}

/// Changing the header template (reference 3.6 R3).
enum SegmentTemplateApplier {
    /// Re-defaults the header from the template, rebuilds the segment-level content, and — when the user
    /// applies the template to the lines — gives every line the template with the re-defaulted values.
    /// Returns the number of lines updated.
    static func apply(_ connection: PGConnection, segmentNo: String, templateCode: String?, applyToLines: Bool)
        throws -> Int
    {
        if let templateCode,
            try connection.query("SELECT 1 FROM interaction_templates WHERE code = \(templateCode)").isEmpty
        {
            throw StoreError.notFound(
                "The Interaction Template \(templateCode) does not exist: add it with TEMPLATE-ADD, or choose another template="
            )
        }
        let counts = try connection.query(
            """
            SELECT count(*),
                   count(*) FILTER (WHERE l.attachment_no IS NOT NULL AND EXISTS (
                       SELECT 1 FROM segment_interaction_languages s
                       WHERE s.segment_no = l.segment_no AND s.segment_line_no = 0
                         AND s.attachment_no = l.attachment_no))
            FROM segment_lines l WHERE l.segment_no = \(segmentNo)
            """
        )[0]
        let lineCount = try counts.decode(Int.self, at: 0)
        let inherited = try counts.decode(Int.self, at: 1)
        let outcome: SegmentTemplateChange.Outcome
        do {
            outcome = try SegmentTemplateChange.decide(
                applyToLines: applyToLines,
                lineCount: lineCount,
                inheritedAttachmentLines: inherited
            )
        } catch {
            throw StoreError.invalid(error.message)
        }
        // Header defaults from the template; the campaign is the template's, or cleared when it has none.
        try connection.execute(
            """
            UPDATE segment_headers h SET
                interaction_template_code = t.code,
                word_template_code = t.word_template_code,
                language_code_default = t.language_code_default,
                interaction_group_code = t.interaction_group_code,
                unit_cost = coalesce(t.unit_cost, 0),
                unit_duration = coalesce(t.unit_duration, 0),
                information_flow = t.information_flow,
                initiated_by = t.initiated_by,
                campaign_target = coalesce(t.campaign_target, false),
                campaign_response = coalesce(t.campaign_response, false),
                correspondence_type_default = t.correspondence_type,
                ignore_contact_corres_type = coalesce(t.ignore_contact_corres_type, false),
                subject_default = NULL,
                campaign_no = t.campaign_no
            FROM (SELECT 1) one
            LEFT JOIN interaction_templates t ON t.code = \(templateCode)
            WHERE h.no = \(segmentNo)
            """
        )
        try SegmentLanguageStore.copyTemplate(connection, segmentNo: segmentNo, lineNo: 0, templateCode: templateCode)
        guard outcome == .applyToLines else { return 0 }
        let replaced = try connection.query(
            """
            SELECT DISTINCT attachment_no FROM segment_lines
            WHERE segment_no = \(segmentNo) AND attachment_no IS NOT NULL
            """
        ).map { try $0.decode(Int64.self, at: 0) }
        var update = PGQuery(sql: "")
        let segment = update.bind(segmentNo)
        update.sql = """
            UPDATE segment_lines l SET
                interaction_template_code = hdr.interaction_template_code,
                interaction_group_code = hdr.interaction_group_code,
                cost = hdr.unit_cost,
                duration = hdr.unit_duration,
                information_flow = hdr.information_flow,
                initiated_by = hdr.initiated_by,
                campaign_target = hdr.campaign_target,
                campaign_response = hdr.campaign_response,
                campaign_no = hdr.campaign_no,
                correspondence_type = \(SegmentSQL.correspondenceTypeOnTemplate(previous: "NULL")),
                language_code = \(SegmentSQL.chosenLanguage),
                attachment_no = lang.attachment_no,
                subject = lang.subject,
                word_template_code = coalesce(lang.word_template_code, hdr.word_template_code)
            FROM (\(SegmentSQL.header(segment))) hdr CROSS JOIN contacts c
            \(SegmentSQL.segmentLanguage)
            WHERE l.segment_no = hdr.no AND c.no = l.contact_no
            """
        // Unlike BC ([quirk] 6.8) the lines get every template-derived value, not only the code.
        let updated = try connection.execute(update)
        // Line-specific content goes: every line now uses the segment's (its attachments follow by trigger).
        try connection.execute(
            "DELETE FROM segment_interaction_languages WHERE segment_no = \(segmentNo) AND segment_line_no > 0"
        )
        try SegmentSQL.deleteUnreferencedAttachments(connection, replaced)
        return updated
    }
}
