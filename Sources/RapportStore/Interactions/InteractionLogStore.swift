import LibPQ
import RapportModel
import RapportProtocol

/// The Interaction Log Entries list and its actions (reference 3.11, 3.12): list, show, comments, cancel,
/// un-cancel, evaluate, delete canceled entries. Postponed entries are never part of the log.
public enum InteractionLogStore {
    /// A keyset page of the log, newest first; postponed entries are always excluded.
    public static func list(
        _ connection: PGConnection,
        _ filter: InteractionLogFilter,
        after cursor: LogCursor?,
        limit: Int
    ) throws -> InteractionLogPage {
        var query = PGQuery(sql: "")
        var conditions = ["NOT e.postponed"]
        func equal(_ column: String, _ value: (some PGEncodable)?, cast: String = "") {
            guard let value else { return }
            conditions.append("e.\(column) = \(query.bind(value))\(cast)")
        }
        equal("contact_no", filter.contactNo)
        equal("contact_company_no", filter.companyNo)
        equal("salesperson_code", filter.salespersonCode)
        equal("interaction_template_code", filter.templateCode)
        equal("interaction_group_code", filter.groupCode)
        equal("campaign_no", filter.campaignNo)
        equal("segment_no", filter.segmentNo)
        equal("logged_segment_entry_no", filter.loggedSegmentEntryNo)
        equal("evaluation", filter.evaluation?.rawValue)
        equal("document_type", filter.documentType?.rawValue)
        equal("document_no", filter.documentNo)
        equal("opportunity_no", filter.opportunityNo)
        equal("task_no", filter.taskNo)
        equal("canceled", filter.canceled)
        if let from = filter.from { conditions.append("e.date >= \(query.bind(from.pgValue))::date") }
        if let to = filter.to { conditions.append("e.date <= \(query.bind(to.pgValue))::date") }
        return try InteractionLogReader.page(connection, where: conditions, binds: query, after: cursor, limit: limit)
    }

    /// One entry with its comment lines. A postponed entry is shown only to its salesperson or a manager.
    public static func show(_ connection: PGConnection, _ entryNo: Int64, actor: ActingUser) throws
        -> (InteractionLogEntry, [InteractionLogComment])
    {
        guard let entry = try InteractionLogReader.entry(connection, entryNo),
            !entry.postponed || actor.mayActFor(entry.draft.salespersonCode)
        else { throw Self.missing(entryNo) }
        return (entry, try InteractionLogReader.comments(connection, entryNo))
    }

    /// An entry's attachment: file name, content type and content (reference 3.11 R7, Show Attachments).
    public static func attachment(_ connection: PGConnection, _ entryNo: Int64, actor: ActingUser) throws
        -> (no: Int64, fileName: String?, contentType: String?, content: [UInt8])
    {
        let (entry, _) = try self.show(connection, entryNo, actor: actor)
        guard let no = entry.attachmentNo,
            let row = try connection.query(
                "SELECT file_name, content_type, content FROM attachments WHERE no = \(no)"
            ).first
        else { throw StoreError.notFound("Interaction log entry \(entryNo) has no attachment.") }
        return (
            no, try row.decode(String?.self, at: 0), try row.decode(String?.self, at: 1),
            try row.decode(PGBytes.self, at: 2).bytes
        )
    }

    /// A keyset page of an entry's comment lines after `afterLine`, at most `limit` (nil: all).
    public static func comments(
        _ connection: PGConnection,
        _ entryNo: Int64,
        actor: ActingUser,
        afterLine: Int64? = nil,
        limit: Int? = nil
    ) throws -> [InteractionLogComment] {
        guard let entry = try InteractionLogReader.entry(connection, entryNo),
            !entry.postponed || actor.mayActFor(entry.draft.salespersonCode)
        else { throw Self.missing(entryNo) }
        return try InteractionLogReader.comments(connection, entryNo, afterLine: afterLine, limit: limit)
    }

    /// Adds a comment line after the last one (reference 1.7), dated `date` or today.
    public static func addComment(
        _ connection: PGConnection,
        entryNo: Int64,
        comment: String,
        code: String?,
        date: CalendarDate?,
        actor: ActingUser
    ) throws -> InteractionLogComment {
        // The entry's check rides in the insert's round trip; a refusal there wins over the insert's outcome
        // (and rolls it back with the transaction).
        connection.enqueue(self.selectionQuery([entryNo])) { rows in
            _ = try self.checkSelection(rows, [entryNo], actor: actor)
        }
        let row = try connection.query(
            """
            INSERT INTO interaction_log_entry_comments (entry_no, line_no, date, code, comment)
            SELECT \(entryNo),
                   coalesce((SELECT max(line_no) FROM interaction_log_entry_comments WHERE entry_no = \(entryNo)), 0)
                       + \(CommentLines.lineNoStep),
                   coalesce(\(date?.pgValue)::date, CURRENT_DATE), \(code), \(comment)
            RETURNING line_no, date
            """
        )[0]
        return InteractionLogComment(
            lineNo: try row.decode(Int.self, at: 0),
            date: try row.decode(PGDate?.self, at: 1).map(CalendarDate.init),
            code: code,
            comment: comment,
            lastDateModified: nil
        )
    }

    /// What canceling did.
    public struct CancelResult: Sendable, Equatable {
        /// Entries that were not canceled before.
        public var canceled: Int
        /// Unique attachments removed.
        public var attachmentsRemoved: Int
    }

    /// Cancels the selected entries (reference 3.11 R2); with `removeAttachments` their unique attachments
    /// (used by no other entry) are deleted too. Their logged segment and campaign entry are untouched.
    public static func cancel(
        _ connection: PGConnection,
        _ entryNos: [Int64],
        removeAttachments: Bool,
        actor: ActingUser
    ) throws -> CancelResult {
        // The entries are locked: what the UPDATE will change is known, so it goes out with the COMMIT.
        let changed = try self.selection(connection, entryNos, actor: actor).filter { !$0.canceled }.count
        let list = PGInt64Array(entryNos)
        connection.enqueue(
            "UPDATE interaction_log_entries SET canceled = true WHERE entry_no = ANY(\(list)) AND NOT canceled"
        )
        var removed = 0
        if removeAttachments {
            let cleared = try connection.query(
                """
                WITH unique_attachments AS (
                    SELECT e.entry_no, e.attachment_no FROM interaction_log_entries e
                    WHERE e.entry_no = ANY(\(list)) AND e.attachment_no IS NOT NULL
                      AND NOT EXISTS (SELECT 1 FROM interaction_log_entries o
                                      WHERE o.attachment_no = e.attachment_no AND o.entry_no <> e.entry_no))
                UPDATE interaction_log_entries e SET attachment_no = NULL
                FROM unique_attachments u WHERE e.entry_no = u.entry_no
                RETURNING u.attachment_no
                """
            )
            let numbers = try cleared.compactMap { try $0.decode(Int64?.self, at: 0) }
            InteractionAttachments.deleteUnreferenced(connection, numbers)
            removed = numbers.count
        }
        return CancelResult(canceled: changed, attachmentsRemoved: removed)
    }

    /// Un-cancels the selected entries, refused while an entry's logged segment or campaign entry is canceled
    /// (reference 3.11 R2). Returns how many were canceled before.
    public static func uncancel(_ connection: PGConnection, _ entryNos: [Int64], actor: ActingUser) throws
        -> Int
    {
        guard !entryNos.isEmpty else { throw StoreError.invalid("Select at least one interaction log entry.") }
        let list = PGInt64Array(entryNos)
        let answers = try connection.queries(self.uncancelReads(entryNos))
        let selected = try self.checkSelection(answers[0], entryNos, actor: actor)
        for row in answers[1] {
            if let problem = LogEntryRules.uncancelRefusal(
                loggedSegmentEntryNo: try row.decode(Int64?.self, at: 0),
                loggedSegmentCanceled: try row.decode(Bool.self, at: 1),
                campaignEntryNo: try row.decode(Int64?.self, at: 2),
                campaignEntryCanceled: try row.decode(Bool.self, at: 3)
            ) {
                throw problem.storeError
            }
        }
        connection.enqueue(
            "UPDATE interaction_log_entries SET canceled = false WHERE entry_no = ANY(\(list)) AND canceled"
        )
        return selected.filter(\.canceled).count
    }

    /// Sets the evaluation of the selected entries, canceled ones included (reference 3.11 R4).
    public static func evaluate(
        _ connection: PGConnection,
        _ entryNos: [Int64],
        evaluation: Evaluation,
        actor: ActingUser
    ) throws -> Int {
        let selected = try self.selection(connection, entryNos, actor: actor)
        connection.enqueue(
            """
            UPDATE interaction_log_entries SET evaluation = \(evaluation.rawValue)
            WHERE entry_no = ANY(\(PGInt64Array(entryNos)))
            """
        )
        return selected.count
    }

    /// Deletes the canceled entries matching `filter` with their comments, unique attachments and delivery
    /// rows, in one statement (reference 3.12 R1, R3); `dryRun` only counts them.
    public static func deleteCanceled(_ connection: PGConnection, _ filter: DeleteCanceledFilter, dryRun: Bool)
        throws -> Int
    {
        var query = PGQuery(sql: "")
        var conditions = ["canceled"]
        func equal(_ column: String, _ value: String?) {
            guard let value else { return }
            conditions.append("\(column) = \(query.bind(value))")
        }
        if let entries = filter.entryNos { conditions.append("entry_no = ANY(\(query.bind(PGInt64Array(entries))))") }
        equal("contact_no", filter.contactNo)
        equal("campaign_no", filter.campaignNo)
        equal("interaction_group_code", filter.groupCode)
        equal("interaction_template_code", filter.templateCode)
        equal("salesperson_code", filter.salespersonCode)
        if let from = filter.from { conditions.append("date >= \(query.bind(from.pgValue))::date") }
        if let to = filter.to { conditions.append("date <= \(query.bind(to.pgValue))::date") }
        let predicate = conditions.joined(separator: " AND ")
        if dryRun {
            query.sql = "SELECT count(*) FROM interaction_log_entries WHERE \(predicate)"
            return try connection.query(query)[0].decode(Int.self, at: 0)
        }
        query.sql = "DELETE FROM interaction_log_entries WHERE \(predicate)"
        return try connection.execute(query)
    }

    /// Locks the selected log entries and checks the actor may change them: each must exist, not be
    /// postponed, and (for a salesperson) be of their own salesperson code.
    /// A selected entry, locked until the transaction ends.
    struct SelectedEntry {
        var entryNo: Int64
        var salesperson: String?
        var postponed: Bool
        var canceled: Bool
    }

    static func selection(_ connection: PGConnection, _ entryNos: [Int64], actor: ActingUser) throws
        -> [SelectedEntry]
    {
        guard !entryNos.isEmpty else { throw StoreError.invalid("Select at least one interaction log entry.") }
        return try self.checkSelection(connection.query(self.selectionQuery(entryNos)), entryNos, actor: actor)
    }

    /// What `cancel` and `evaluate` read first (for a group commit's batch to read ahead); none without entries.
    public static func selectionReads(_ entryNos: [Int64]) -> [PGQuery] {
        entryNos.isEmpty ? [] : [self.selectionQuery(entryNos)]
    }

    /// What `uncancel` reads first: the selection and the state of the entries' logged segments and
    /// campaign entries.
    public static func uncancelReads(_ entryNos: [Int64]) -> [PGQuery] {
        guard !entryNos.isEmpty else { return [] }
        return [
            self.selectionQuery(entryNos),
            """
            SELECT e.logged_segment_entry_no, coalesce(s.canceled, false), e.campaign_entry_no,
                   coalesce(c.canceled, false)
            FROM interaction_log_entries e
            LEFT JOIN logged_segments s ON s.entry_no = e.logged_segment_entry_no
            LEFT JOIN campaign_entries c ON c.entry_no = e.campaign_entry_no
            WHERE e.entry_no = ANY(\(PGInt64Array(entryNos))) AND e.canceled
            ORDER BY e.entry_no
            """,
        ]
    }

    /// Locks the selected entries (in entry order, so concurrent selections cannot deadlock).
    static func selectionQuery(_ entryNos: [Int64]) -> PGQuery {
        """
        SELECT entry_no, salesperson_code, postponed, canceled FROM interaction_log_entries
        WHERE entry_no = ANY(\(PGInt64Array(entryNos))) ORDER BY entry_no FOR UPDATE
        """
    }

    /// Every selected entry exists, is not postponed, and is the actor's to change.
    static func checkSelection(_ found: PGRows, _ entryNos: [Int64], actor: ActingUser) throws -> [SelectedEntry] {
        let rows = try found.map { row in
            SelectedEntry(
                entryNo: try row.decode(Int64.self, named: "entry_no"),
                salesperson: try row.decode(String?.self, named: "salesperson_code"),
                postponed: try row.decode(Bool.self, named: "postponed"),
                canceled: try row.decode(Bool.self, named: "canceled")
            )
        }
        let numbers = Set(rows.map(\.entryNo))
        if let missing = entryNos.first(where: { !numbers.contains($0) }) { throw Self.missing(missing) }
        for row in rows {
            if row.postponed {
                throw StoreError.invalid(
                    "Entry \(row.entryNo) is a postponed interaction; resume or delete it with POSTPONED-RESUME "
                        + "or POSTPONED-DELETE."
                )
            }
            if !actor.mayActFor(row.salesperson) {
                throw AccessDenied(
                    "Interaction log entry \(row.entryNo) belongs to salesperson \(row.salesperson ?? "(blank)"); "
                        + "a salesperson may only change their own entries."
                )
            }
        }
        return rows
    }

    static func missing(_ entryNo: Int64) -> StoreError {
        .notFound("Interaction log entry \(entryNo) does not exist.")
    }
}
