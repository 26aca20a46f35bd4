import LibPQ
import RapportModel

/// Resend (reference 3.9 R2), in the caller's one transaction: the entries of a logged segment or the given
/// entries go back to the delivery queue, or — with Update Merge Fields — a new copy of each is logged with
/// its content merged again and queued instead.
public enum ResendStore {
    /// Resend (3.9 R2): the entries of one logged segment, or the given entries (which must all belong to one
    /// logged segment). Only non-postponed entries with an attachment qualify. Without Update Merge Fields the
    /// same entries are queued again; with it, a copy of each ("Resend: …", today, now) is logged and queued.
    /// Returns the queued entry numbers.
    public static func resend(
        _ connection: PGConnection,
        actor: ActingUser,
        loggedSegmentEntryNo: Int64?,
        entryNos: [Int64]?,
        options: DeliveryStore.ResendOptions
    ) throws -> [Int64] {
        let selection = try Self.selection(connection, loggedSegmentEntryNo: loggedSegmentEntryNo, entryNos: entryNos)
        if actor.role < .manager {
            let foreign = try connection.query(
                """
                SELECT entry_no FROM interaction_log_entries
                WHERE entry_no = ANY(\(PGInt64Array(selection)))
                  AND salesperson_code IS DISTINCT FROM \(actor.salespersonCode)
                ORDER BY entry_no LIMIT 1
                """
            )
            if let row = foreign.first {
                throw AccessDenied("entry \(try row.decode(Int64.self, at: 0)) belongs to another salesperson")
            }
        }
        let qualifying = try connection.query(
            """
            SELECT entry_no, correspondence_type IS NOT NULL FROM interaction_log_entries
            WHERE entry_no = ANY(\(PGInt64Array(selection))) AND NOT postponed AND attachment_no IS NOT NULL
            ORDER BY entry_no
            """
        )
        guard !qualifying.isEmpty else { throw StoreError.invalid(SegmentMessages.nothingToResend) }
        if options.correspondenceType == nil {
            for row in qualifying where try !row.decode(Bool.self, at: 1) {
                throw StoreError.invalid(
                    SegmentMessages.entryCorrespondenceTypeMissing(try row.decode(Int64.self, at: 0))
                )
            }
        }
        let entries = PGInt64Array(try qualifying.map { try $0.decode(Int64.self, at: 0) })
        let type = options.correspondenceType?.rawValue
        let queued: [Int64]
        if options.updateMergeFields {
            queued = try Self.copies(connection, entries, type: type, user: actor.userID)
            // The content merged again for each copy (its template's layout, with today's data).
            try MergeWriter.mergeEntries(
                connection,
                where: "e.entry_no = ANY($1)",
                binds: [PGInt64Array(queued).pgBind]
            )
        } else {
            queued = try connection.query(
                """
                UPDATE interaction_log_entries
                SET correspondence_type = coalesce(\(type), correspondence_type), delivery_status = 'in_progress',
                    email_logged = false
                WHERE entry_no = ANY(\(entries))
                RETURNING entry_no
                """
            ).map { try $0.decode(Int64.self, at: 0) }.sorted()
        }
        // One open outbox row per entry: an item still waiting or claimed is not queued twice.
        try connection.execute(
            """
            INSERT INTO delivery_outbox (entry_no)
            SELECT q.entry_no FROM unnest(\(PGInt64Array(queued))) AS q(entry_no)
            WHERE NOT EXISTS (SELECT 1 FROM delivery_outbox o
                              WHERE o.entry_no = q.entry_no AND o.status IN ('pending', 'claimed'))
            ORDER BY q.entry_no
            """
        )
        return queued
    }

    /// The entries a resend looks at; refuses a mix of logged segments (3.9 R2).
    private static func selection(_ connection: PGConnection, loggedSegmentEntryNo: Int64?, entryNos: [Int64]?) throws
        -> [Int64]
    {
        if let loggedSegmentEntryNo {
            guard
                try !connection.query("SELECT 1 FROM logged_segments WHERE entry_no = \(loggedSegmentEntryNo)").isEmpty
            else { throw StoreError.notFound("Logged Segment \(loggedSegmentEntryNo) does not exist.") }
            return try connection.query(
                """
                SELECT entry_no FROM interaction_log_entries
                WHERE logged_segment_entry_no = \(loggedSegmentEntryNo) ORDER BY entry_no
                """
            ).map { try $0.decode(Int64.self, at: 0) }
        }
        guard let entryNos, !entryNos.isEmpty else { throw StoreError.invalid(SegmentMessages.loggedSegmentRequired) }
        let rows = try connection.query(
            """
            SELECT entry_no, logged_segment_entry_no FROM interaction_log_entries
            WHERE entry_no = ANY(\(PGInt64Array(entryNos))) ORDER BY entry_no
            """
        )
        let found = try Set(rows.map { try $0.decode(Int64.self, at: 0) })
        if let missing = entryNos.first(where: { !found.contains($0) }) {
            throw StoreError.notFound("Interaction Log Entry \(missing) does not exist.")
        }
        let segments = try Set(rows.map { try $0.decode(Int64?.self, at: 1) })
        guard segments.count <= 1 else { throw StoreError.invalid(SegmentMessages.sameLoggedSegment) }
        return entryNos
    }

    /// Update Merge Fields: a new entry per original, with its comments, linked to the same logged segment.
    private static func copies(_ connection: PGConnection, _ entries: PGInt64Array, type: String?, user: String) throws
        -> [Int64]
    {
        let pairs = try connection.query(
            """
            WITH src AS (SELECT * FROM interaction_log_entries WHERE entry_no = ANY(\(entries))),
            ins AS (
                INSERT INTO interaction_log_entries (
                    contact_no, contact_company_no, date, description, information_flow, initiated_by, attachment_no,
                    cost, duration, user_id, interaction_group_code, interaction_template_code, campaign_no,
                    campaign_entry_no, campaign_response, campaign_target, segment_no, evaluation,
                    time_of_interaction, attempt_failed, task_no, salesperson_code, delivery_status,
                    correspondence_type, contact_alt_address_code, logged_segment_entry_no, document_type,
                    document_no, version_no, doc_no_occurrence, contact_via, send_word_docs_as_attmt,
                    interaction_language_code, email_logged, subject, opportunity_no, word_template_code, merged)
                SELECT contact_no, contact_company_no, CURRENT_DATE,
                       CASE WHEN description LIKE 'Resend:%' THEN description
                            ELSE left('Resend:' || coalesce(description, ''), 100) END,
                       information_flow, initiated_by, attachment_no, cost, duration, \(user), interaction_group_code,
                       interaction_template_code, campaign_no, campaign_entry_no, campaign_response, campaign_target,
                       segment_no, evaluation, LOCALTIME(0), attempt_failed, task_no,
                       salesperson_code, 'in_progress', coalesce(\(type), correspondence_type),
                       contact_alt_address_code, logged_segment_entry_no, document_type, document_no, version_no,
                       doc_no_occurrence, contact_via, send_word_docs_as_attmt, interaction_language_code, false,
                       subject, opportunity_no, word_template_code, merged
                FROM src ORDER BY entry_no
                RETURNING entry_no, contact_no, created_at)
            SELECT s.entry_no, i.entry_no
            FROM (SELECT entry_no, row_number() OVER (ORDER BY entry_no) AS n FROM src) s
            JOIN (SELECT entry_no, row_number() OVER (ORDER BY entry_no) AS n FROM ins) i ON i.n = s.n
            """
        )
        let originals = try pairs.map { try $0.decode(Int64.self, at: 0) }
        let created = try pairs.map { try $0.decode(Int64.self, at: 1) }
        try connection.execute(
            """
            INSERT INTO interaction_log_entry_comments (entry_no, line_no, date, code, comment, last_date_modified)
            SELECT m.new_no, k.line_no, k.date, k.code, k.comment, k.last_date_modified
            FROM unnest(\(PGInt64Array(originals)), \(PGInt64Array(created))) AS m(old_no, new_no)
            JOIN interaction_log_entry_comments k ON k.entry_no = m.old_no
            """
        )
        return created.sorted()
    }
}
