import Foundation
import LibPQ
import RapportModel
import RapportProtocol

/// Reading segment headers and lines.
enum SegmentReader {
    static let headerColumns = """
        h.no, h.description, h.campaign_no, h.salesperson_code, h.correspondence_type_default::text,
        h.interaction_template_code, h.unit_cost, h.unit_duration, h.date, h.campaign_target,
        h.information_flow::text, h.initiated_by::text, h.no_series, h.campaign_response, h.language_code_default,
        h.interaction_group_code, h.send_word_docs_as_attmt, h.ignore_contact_corres_type, h.subject_default,
        h.word_template_code, h.created_by,
        (SELECT count(*) FROM segment_lines l WHERE l.segment_no = h.no),
        (SELECT coalesce(sum(l.cost), 0)::numeric(18,2) FROM segment_lines l WHERE l.segment_no = h.no),
        (SELECT coalesce(sum(l.duration), 0)::numeric(18,2) FROM segment_lines l WHERE l.segment_no = h.no),
        (SELECT count(*) FROM segment_criteria_lines k WHERE k.segment_no = h.no AND k.type = 'action'),
        (SELECT s.attachment_no FROM segment_interaction_languages s
         WHERE s.segment_no = h.no AND s.segment_line_no = 0
           AND s.language_code IS NOT DISTINCT FROM h.language_code_default AND s.word_template_code IS NULL),
        (SELECT p.description FROM campaigns p WHERE p.no = h.campaign_no)
        """

    /// The header fields a write needs, with the header row locked FOR UPDATE: the lock serializes every
    /// change of one segment (reference 3.14 R5) and makes a second Log Segment wait (3.8 R1). No line
    /// aggregates: they would read every line of a 100,000-line segment.
    static func lock(_ connection: PGConnection, _ no: String) throws -> LockedSegment? {
        try connection.query(
            """
            SELECT h.no, h.description, h.campaign_no, h.salesperson_code, h.created_by,
                   (SELECT count(*) FROM segment_criteria_lines k WHERE k.segment_no = h.no AND k.type = 'action')
            FROM segment_headers h WHERE h.no = \(no)
            FOR UPDATE OF h
            """
        ).first.map { row in
            LockedSegment(
                no: try row.decode(String.self, at: 0),
                description: try row.decode(String?.self, at: 1),
                campaignNo: try row.decode(String?.self, at: 2),
                salespersonCode: try row.decode(String?.self, at: 3),
                createdBy: try row.decode(String?.self, at: 4),
                noOfCriteriaActions: try row.decode(Int.self, at: 5)
            )
        }
    }

    static func header(_ connection: PGConnection, _ no: String) throws -> SegmentHeaderRecord? {
        let rows = try connection.query(
            "SELECT \(unescaped: Self.headerColumns) FROM segment_headers h WHERE h.no = \(no)"
        )
        return try rows.first.map(Self.decodeHeader)
    }

    /// Headers in number order: a keyset page after `after` of at most `limit` (nil: all).
    static func headers(
        _ connection: PGConnection,
        createdBy: String?,
        salesperson: String?,
        after: String? = nil,
        limit: Int? = nil
    ) throws -> [SegmentHeaderRecord] {
        try connection.query(
            """
            SELECT \(unescaped: Self.headerColumns) FROM segment_headers h
            WHERE (\(createdBy)::text IS NULL OR h.created_by = \(createdBy)
                   OR h.salesperson_code IS NOT DISTINCT FROM \(salesperson))
              AND (\(after)::text IS NULL OR h.no > \(after))
            ORDER BY h.no LIMIT \(limit)
            """
        ).map(Self.decodeHeader)
    }

    static func decodeHeader(_ row: PGRow) throws -> SegmentHeaderRecord {
        SegmentHeaderRecord(
            no: try row.decode(String.self, at: 0),
            description: try row.decode(String?.self, at: 1),
            campaignNo: try row.decode(String?.self, at: 2),
            salespersonCode: try row.decode(String?.self, at: 3),
            correspondenceTypeDefault: try row.decode(String?.self, at: 4),
            templateCode: try row.decode(String?.self, at: 5),
            unitCost: try row.decode(Decimal.self, at: 6),
            unitDuration: try row.decode(Decimal.self, at: 7),
            date: try row.decode(PGDate?.self, at: 8).map(CalendarDate.init),
            campaignTarget: try row.decode(Bool.self, at: 9),
            informationFlow: try row.decode(String?.self, at: 10),
            initiatedBy: try row.decode(String?.self, at: 11),
            noSeries: try row.decode(String?.self, at: 12),
            campaignResponse: try row.decode(Bool.self, at: 13),
            languageCodeDefault: try row.decode(String?.self, at: 14),
            groupCode: try row.decode(String?.self, at: 15),
            sendWordDocsAsAttmt: try row.decode(Bool.self, at: 16),
            ignoreContactCorresType: try row.decode(Bool.self, at: 17),
            subjectDefault: try row.decode(String?.self, at: 18),
            wordTemplateCode: try row.decode(String?.self, at: 19),
            createdBy: try row.decode(String?.self, at: 20),
            noOfLines: try row.decode(Int.self, at: 21),
            cost: try row.decode(Decimal.self, at: 22),
            duration: try row.decode(Decimal.self, at: 23),
            noOfCriteriaActions: try row.decode(Int.self, at: 24),
            attachmentNo: try row.decode(Int64?.self, at: 25),
            campaignDescription: try row.decode(String?.self, at: 26)
        )
    }

    static let lineColumns = """
        l.line_no, l.contact_no, c.name, l.contact_company_no, co.name, l.campaign_no, l.salesperson_code,
        l.correspondence_type::text, l.interaction_template_code, l.interaction_group_code, l.cost,
        l.duration, l.attachment_no,
        CASE WHEN l.attachment_no IS NULL THEN NULL
             WHEN EXISTS (SELECT 1 FROM segment_interaction_languages s
                          WHERE s.segment_no = l.segment_no AND s.segment_line_no = l.line_no) THEN 'Unique'
             ELSE 'Inherited' END,
        l.campaign_target, l.campaign_response, l.information_flow::text, l.initiated_by::text,
        l.contact_alt_address_code, l.evaluation::text, l.language_code, l.description, l.date,
        l.time_of_interaction, l.attempt_failed, l.task_no, l.opportunity_no, l.subject,
        l.send_word_docs_as_attmt, l.word_template_code, c.phone_no, c.mobile_phone_no, c.email
        """

    /// Lines after `afterLine`, in line order, at most `limit`.
    static func lines(_ connection: PGConnection, _ segmentNo: String, afterLine: Int, limit: Int) throws
        -> [SegmentLineRecord]
    {
        try connection.query(
            """
            SELECT \(unescaped: Self.lineColumns)
            FROM segment_lines l
            LEFT JOIN contacts c ON c.no = l.contact_no
            LEFT JOIN contacts co ON co.no = l.contact_company_no
            WHERE l.segment_no = \(segmentNo) AND l.line_no > \(afterLine)
            ORDER BY l.line_no
            LIMIT \(limit)
            """
        ).map(Self.decodeLine)
    }

    static func line(_ connection: PGConnection, _ segmentNo: String, lineNo: Int) throws -> SegmentLineRecord? {
        try connection.query(
            """
            SELECT \(unescaped: Self.lineColumns)
            FROM segment_lines l
            LEFT JOIN contacts c ON c.no = l.contact_no
            LEFT JOIN contacts co ON co.no = l.contact_company_no
            WHERE l.segment_no = \(segmentNo) AND l.line_no = \(lineNo)
            """
        ).first.map(Self.decodeLine)
    }

    static func decodeLine(_ row: PGRow) throws -> SegmentLineRecord {
        SegmentLineRecord(
            lineNo: try row.decode(Int.self, at: 0),
            contactNo: try row.decode(String?.self, at: 1),
            contactName: try row.decode(String?.self, at: 2),
            contactCompanyNo: try row.decode(String?.self, at: 3),
            contactCompanyName: try row.decode(String?.self, at: 4),
            campaignNo: try row.decode(String?.self, at: 5),
            salespersonCode: try row.decode(String?.self, at: 6),
            correspondenceType: try row.decode(String?.self, at: 7),
            templateCode: try row.decode(String?.self, at: 8),
            groupCode: try row.decode(String?.self, at: 9),
            cost: try row.decode(Decimal.self, at: 10),
            duration: try row.decode(Decimal.self, at: 11),
            attachmentNo: try row.decode(Int64?.self, at: 12),
            attachmentKind: try row.decode(String?.self, at: 13),
            campaignTarget: try row.decode(Bool.self, at: 14),
            campaignResponse: try row.decode(Bool.self, at: 15),
            informationFlow: try row.decode(String?.self, at: 16),
            initiatedBy: try row.decode(String?.self, at: 17),
            altAddressCode: try row.decode(String?.self, at: 18),
            evaluation: try row.decode(String?.self, at: 19),
            languageCode: try row.decode(String?.self, at: 20),
            description: try row.decode(String?.self, at: 21),
            date: try row.decode(PGDate?.self, at: 22).map(CalendarDate.init),
            time: try row.decode(PGTime?.self, at: 23).map(TimeOfDay.init),
            attemptFailed: try row.decode(Bool.self, at: 24),
            taskNo: try row.decode(String?.self, at: 25),
            opportunityNo: try row.decode(String?.self, at: 26),
            subject: try row.decode(String?.self, at: 27),
            sendWordDocsAsAttmt: try row.decode(Bool.self, at: 28),
            wordTemplateCode: try row.decode(String?.self, at: 29),
            contactPhoneNo: try row.decode(String?.self, at: 30),
            contactMobilePhoneNo: try row.decode(String?.self, at: 31),
            contactEmail: try row.decode(String?.self, at: 32)
        )
    }
}
