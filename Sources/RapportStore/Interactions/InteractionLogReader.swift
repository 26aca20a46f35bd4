import Foundation
import LibPQ
import RapportModel
import RapportProtocol

/// Reading log entries: one entry, a keyset page of the log, comment lines.
enum InteractionLogReader {
    /// The columns of an entry with its contact names and comment flag (`e` = the entry).
    static let columns = """
        e.entry_no, e.contact_no, e.contact_company_no, e.date, e.description, e.information_flow::text,
        e.initiated_by::text, e.attachment_no, e.cost, e.duration, e.user_id, e.interaction_group_code,
        e.interaction_template_code, e.campaign_no, e.campaign_entry_no, e.campaign_response, e.campaign_target,
        e.segment_no, e.evaluation::text, e.time_of_interaction, e.attempt_failed, e.task_no,
        e.salesperson_code, e.delivery_status::text, e.canceled, e.correspondence_type::text,
        e.contact_alt_address_code, e.logged_segment_entry_no, e.document_type::text, e.document_no, e.version_no,
        e.doc_no_occurrence, e.contact_via, e.interaction_language_code, e.email_logged, e.subject,
        e.opportunity_no, e.postponed, e.word_template_code, e.merged,
        (SELECT c.name FROM contacts c WHERE c.no = e.contact_no),
        (SELECT c.name FROM contacts c WHERE c.no = e.contact_company_no),
        EXISTS (SELECT 1 FROM interaction_log_entry_comments m WHERE m.entry_no = e.entry_no),
        (SELECT t.description FROM interaction_templates t WHERE t.code = e.interaction_template_code),
        (SELECT t.information_flow::text FROM interaction_templates t WHERE t.code = e.interaction_template_code),
        (SELECT s.name FROM salespeople s WHERE s.code = e.salesperson_code),
        (SELECT u.full_name FROM users u WHERE u.user_id = e.user_id)
        """

    static func decode(_ row: PGRow) throws -> InteractionLogEntry {
        var draft = InteractionDraft()
        draft.contactNo = try row.decode(String?.self, at: 1)
        draft.date = CalendarDate(try row.decode(PGDate.self, at: 3))
        draft.description = try row.decode(String?.self, at: 4)
        draft.informationFlow = try row.decode(String?.self, at: 5).flatMap(InformationFlow.init(rawValue:))
        draft.initiatedBy = try row.decode(String?.self, at: 6).flatMap(InitiatedBy.init(rawValue:))
        draft.cost = try row.decode(Decimal.self, at: 8)
        draft.duration = try row.decode(Decimal.self, at: 9)
        draft.groupCode = try row.decode(String.self, at: 11)
        draft.templateCode = try row.decode(String.self, at: 12)
        draft.campaignNo = try row.decode(String?.self, at: 13)
        draft.campaignResponse = try row.decode(Bool.self, at: 15)
        draft.campaignTarget = try row.decode(Bool.self, at: 16)
        draft.evaluation = try row.decode(String?.self, at: 18).flatMap(Evaluation.init(rawValue:))
        draft.time = try row.decode(PGTime?.self, at: 19).map(TimeOfDay.init)
        draft.attemptFailed = try row.decode(Bool.self, at: 20)
        draft.taskNo = try row.decode(String?.self, at: 21)
        draft.salespersonCode = try row.decode(String?.self, at: 22)
        draft.correspondenceType = try row.decode(String?.self, at: 25).flatMap(CorrespondenceType.init(rawValue:))
        draft.documentType = try row.decode(String?.self, at: 28).flatMap(DocumentType.init(rawValue:))
        draft.documentNo = try row.decode(String?.self, at: 29)
        draft.versionNo = try row.decode(Int.self, at: 30)
        draft.docNoOccurrence = try row.decode(Int.self, at: 31)
        draft.contactVia = try row.decode(String?.self, at: 32)
        draft.languageCode = try row.decode(String?.self, at: 33)
        draft.subject = try row.decode(String?.self, at: 35)
        draft.opportunityNo = try row.decode(String?.self, at: 36)
        draft.wordTemplateCode = try row.decode(String?.self, at: 38)
        return InteractionLogEntry(
            entryNo: try row.decode(Int64.self, at: 0),
            draft: draft,
            contactCompanyNo: try row.decode(String?.self, at: 2),
            contactName: try row.decode(String?.self, at: 40),
            contactCompanyName: try row.decode(String?.self, at: 41),
            attachmentNo: try row.decode(Int64?.self, at: 7),
            userID: try row.decode(String.self, at: 10),
            campaignEntryNo: try row.decode(Int64?.self, at: 14),
            segmentNo: try row.decode(String?.self, at: 17),
            loggedSegmentEntryNo: try row.decode(Int64?.self, at: 27),
            deliveryStatus: try row.decode(String?.self, at: 23).flatMap(DeliveryStatus.init(rawValue:)),
            canceled: try row.decode(Bool.self, at: 24),
            postponed: try row.decode(Bool.self, at: 37),
            contactAltAddressCode: try row.decode(String?.self, at: 26),
            emailLogged: try row.decode(Bool.self, at: 34),
            merged: try row.decode(Bool.self, at: 39),
            hasComments: try row.decode(Bool.self, at: 42),
            title: LogEntryTitle.title(
                templateDescription: try row.decode(String?.self, at: 43),
                templateFlow: try row.decode(String?.self, at: 44).flatMap(InformationFlow.init(rawValue:)),
                salespersonName: try row.decode(String?.self, at: 45),
                userFullName: try row.decode(String?.self, at: 46),
                contactName: try row.decode(String?.self, at: 40)
            )
        )
    }

    /// One entry (postponed or not); `lock` holds it until the transaction ends.
    static func entry(_ connection: PGConnection, _ entryNo: Int64, lock: Bool = false) throws
        -> InteractionLogEntry?
    {
        let rows = try connection.query(
            """
            SELECT \(unescaped: Self.columns) FROM interaction_log_entries e WHERE e.entry_no = \(entryNo)
            \(unescaped: lock ? "FOR UPDATE OF e" : "")
            """
        )
        return try rows.first.map(Self.decode)
    }

    /// Comment lines in line order: a keyset page after `afterLine` of at most `limit` (nil: all).
    static func comments(_ connection: PGConnection, _ entryNo: Int64, afterLine: Int64? = nil, limit: Int? = nil)
        throws -> [InteractionLogComment]
    {
        try connection.query(
            """
            SELECT line_no, date, code, comment, last_date_modified
            FROM interaction_log_entry_comments
            WHERE entry_no = \(entryNo) AND (\(afterLine)::bigint IS NULL OR line_no > \(afterLine))
            ORDER BY line_no LIMIT \(limit)
            """
        ).map { row in
            InteractionLogComment(
                lineNo: try row.decode(Int.self, at: 0),
                date: try row.decode(PGDate?.self, at: 1).map(CalendarDate.init),
                code: try row.decode(String?.self, at: 2),
                comment: try row.decode(String?.self, at: 3),
                lastDateModified: try row.decode(PGDate?.self, at: 4).map(CalendarDate.init)
            )
        }
    }

    /// One page of entries matching `conditions` (SQL over `e`, with its binds already in `query`), newest
    /// first: ORDER BY date DESC, entry_no DESC, continuing after `cursor` (keyset, never OFFSET).
    static func page(
        _ connection: PGConnection,
        where conditions: [String],
        binds query: PGQuery,
        after cursor: LogCursor?,
        limit: Int
    ) throws -> InteractionLogPage {
        var query = query
        var conditions = conditions
        if let cursor {
            let date = query.bind(cursor.date)
            let entry = query.bind(cursor.entryNo)
            // The row comparison is an index condition on (…, date DESC, entry_no DESC).
            conditions.append("(e.date, e.entry_no) < (\(date)::date, \(entry)::bigint)")
        }
        let fetch = query.bind(limit + 1)
        query.sql = """
            SELECT \(Self.columns) FROM interaction_log_entries e
            WHERE \(conditions.joined(separator: " AND "))
            ORDER BY e.date DESC, e.entry_no DESC
            LIMIT \(fetch)
            """
        var entries = try connection.query(query).map(Self.decode)
        var next: LogCursor?
        if entries.count > limit {
            entries.removeLast()
            next = entries.last.map { LogCursor(date: $0.draft.date?.description ?? "", entryNo: $0.entryNo) }
        }
        return InteractionLogPage(entries: entries, next: next)
    }
}
