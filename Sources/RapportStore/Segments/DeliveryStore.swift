import LibPQ
import RapportModel

/// The delivery queue (reference 3.9, 3.14 R3, docs/SCHEMA.md 0008): logging marks entries In Progress and
/// queues them; workers claim batches with `FOR UPDATE SKIP LOCKED` under a lease and report each item
/// delivered (status blank) or failed (Error).
public enum DeliveryStore {
    /// Claims up to `limit` open items (pending, or claimed with an expired lease) for `worker`.
    public static func claim(_ connection: PGConnection, worker: String, limit: Int, leaseSeconds: Int) throws
        -> [DeliveryItem]
    {
        try connection.query(
            """
            WITH claimed AS (
                UPDATE delivery_outbox o
                SET status = 'claimed', claimed_by = \(worker), attempts = o.attempts + 1, retry_at = NULL,
                    claimed_until = now() + make_interval(secs => \(leaseSeconds))
                WHERE o.id = ANY (ARRAY(
                    SELECT id FROM delivery_outbox
                    WHERE (status = 'pending' AND (retry_at IS NULL OR retry_at <= now()))
                       OR (status = 'claimed' AND claimed_until < now())
                    ORDER BY id
                    LIMIT \(limit)
                    FOR UPDATE SKIP LOCKED))
                RETURNING o.id, o.entry_no, o.attempts, o.claimed_until)
            SELECT k.id, k.entry_no, k.attempts, to_char(k.claimed_until AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                   e.contact_no, c.name, coalesce(nullif(a.email, ''), c.email), e.correspondence_type::text,
                   e.attachment_no, e.subject, e.interaction_language_code, e.word_template_code,
                   e.send_word_docs_as_attmt, sp.email, e.description, sp.name
            FROM claimed k
            -- One index probe per claimed entry (OFFSET 0 keeps the planner from hashing the whole ledger
            -- when its statistics say it is small).
            CROSS JOIN LATERAL (SELECT * FROM interaction_log_entries e WHERE e.entry_no = k.entry_no OFFSET 0) e
            LEFT JOIN contacts c ON c.no = e.contact_no
            LEFT JOIN contact_alt_addresses a ON a.contact_no = e.contact_no AND a.code = e.contact_alt_address_code
            LEFT JOIN salespeople sp ON sp.code = e.salesperson_code
            ORDER BY k.id
            """
        ).map { row in
            DeliveryItem(
                id: try row.decode(Int64.self, at: 0),
                entryNo: try row.decode(Int64.self, at: 1),
                attempts: try row.decode(Int.self, at: 2),
                claimedUntil: try row.decode(String.self, at: 3),
                contactNo: try row.decode(String?.self, at: 4),
                contactName: try row.decode(String?.self, at: 5),
                email: try row.decode(String?.self, at: 6),
                correspondenceType: try row.decode(String?.self, at: 7),
                attachmentNo: try row.decode(Int64?.self, at: 8),
                subject: try row.decode(String?.self, at: 9),
                languageCode: try row.decode(String?.self, at: 10),
                wordTemplateCode: try row.decode(String?.self, at: 11),
                sendWordDocsAsAttmt: try row.decode(Bool.self, at: 12),
                salespersonEmail: try row.decode(String?.self, at: 13),
                description: try row.decode(String?.self, at: 14),
                salespersonName: try row.decode(String?.self, at: 15)
            )
        }
    }

    /// Completes the item `worker` holds for `entryNo`: delivered (the entry's status becomes blank) or failed
    /// (Error, with the reason kept on the outbox row). One statement: run alone it is its own transaction.
    ///
    /// `asynchronousCommit` (the delivery worker): that transaction commits with synchronous_commit off — the
    /// mark is visible at once and reaches the disk within a few hundred milliseconds, without waiting for
    /// the WAL flush. Only a crash of PostgreSQL itself in that window loses the mark (the message is then
    /// sent again: docs/DECISIONS.md).
    public static func complete(
        _ connection: PGConnection,
        worker: String,
        entryNo: Int64,
        failure: String?,
        asynchronousCommit: Bool = false
    ) throws {
        let updated = try Self.complete(
            connection,
            worker: worker,
            outcomes: [(entryNo: entryNo, failure: failure)],
            asynchronousCommit: asynchronousCommit
        )
        guard updated > 0 else {
            if try connection.query("SELECT 1 FROM delivery_outbox WHERE entry_no = \(entryNo)").isEmpty {
                throw StoreError.notFound("Entry \(entryNo) is not in the delivery queue.")
            }
            throw StoreError.conflict("Entry \(entryNo) is not claimed by worker \(worker).")
        }
    }

    /// Completes several items `worker` holds in one statement (one transaction): each delivered (failure
    /// nil) or failed; returns how many were still held. The delivery worker marks in this way what its
    /// SMTP connection finished while the previous mark was committing.
    @discardableResult
    public static func complete(
        _ connection: PGConnection,
        worker: String,
        outcomes: [(entryNo: Int64, failure: String?)],
        asynchronousCommit: Bool
    ) throws -> Int {
        guard !outcomes.isEmpty else { return 0 }
        let entries = PGInt64Array(outcomes.map(\.entryNo))
        // "D" delivered, "F<reason>" failed (the array binding carries no NULLs; a reason may be empty).
        let results = outcomes.map { $0.failure.map { "F" + $0 } ?? "D" }
        return try connection.query(
            """
            WITH o AS (
                SELECT entry_no, result LIKE 'F%' AS failed, substr(result, 2) AS reason
                FROM unnest(\(entries), \(results)::text[]) AS o(entry_no, result)),
            done AS (
                UPDATE delivery_outbox d
                SET status = CASE WHEN o.failed THEN 'failed' ELSE 'delivered' END,
                    last_error = CASE WHEN o.failed THEN o.reason END, claimed_until = NULL
                FROM o WHERE d.entry_no = o.entry_no AND d.status = 'claimed' AND d.claimed_by = \(worker)
                RETURNING d.entry_no, o.failed),
            entry AS (
                UPDATE interaction_log_entries e
                SET delivery_status = CASE WHEN done.failed THEN 'error'::enum_delivery_status END
                FROM done WHERE e.entry_no = done.entry_no
                RETURNING 1)
            SELECT (SELECT count(*) FROM done)::int,
                   CASE WHEN \(asynchronousCommit) THEN set_config('synchronous_commit', 'off', true) END
            """
        )[0].decode(Int.self, at: 0)
    }

    /// Temporary failures of items `worker` holds, in one statement: each back to pending, not claimed
    /// again before its `retryAfterSeconds`, its reason kept. The entries stay In Progress. Returns how many
    /// were still held.
    @discardableResult
    public static func retryLater(
        _ connection: PGConnection,
        worker: String,
        items: [(entryNo: Int64, reason: String, retryAfterSeconds: Double)]
    ) throws -> Int {
        guard !items.isEmpty else { return 0 }
        let entries = PGInt64Array(items.map(\.entryNo))
        let delays = PGInt64Array(items.map { Int64(($0.retryAfterSeconds * 1000).rounded()) })
        return try connection.execute(
            """
            UPDATE delivery_outbox d
            SET status = 'pending', claimed_by = NULL, claimed_until = NULL, last_error = left(r.reason, 2000),
                retry_at = now() + make_interval(secs => r.milliseconds::float8 / 1000)
            FROM unnest(\(entries), \(items.map(\.reason))::text[], \(delays)) AS r(entry_no, reason, milliseconds)
            WHERE d.entry_no = r.entry_no AND d.status = 'claimed' AND d.claimed_by = \(worker)
            """
        )
    }

    /// Gives back items `worker` claimed and did not start (shutdown): pending again at once; the attempt
    /// does not count.
    public static func release(_ connection: PGConnection, worker: String, entryNos: [Int64]) throws {
        guard !entryNos.isEmpty else { return }
        try connection.execute(
            """
            UPDATE delivery_outbox
            SET status = 'pending', claimed_by = NULL, claimed_until = NULL, attempts = greatest(attempts - 1, 0)
            WHERE entry_no = ANY(\(PGInt64Array(entryNos))) AND status = 'claimed' AND claimed_by = \(worker)
            """
        )
    }

    /// Extends the lease of every item `worker` holds (a batch that takes longer than half its lease).
    @discardableResult
    public static func renew(_ connection: PGConnection, worker: String, leaseSeconds: Int) throws -> Int {
        try connection.execute(
            """
            UPDATE delivery_outbox SET claimed_until = now() + make_interval(secs => \(leaseSeconds))
            WHERE status = 'claimed' AND claimed_by = \(worker)
            """
        )
    }

    /// Items waiting or being sent (the queued gauge).
    public static func openCount(_ connection: PGConnection) throws -> Int {
        try connection.query("SELECT count(*) FROM delivery_outbox WHERE status IN ('pending', 'claimed')")[0]
            .decode(Int.self, at: 0)
    }

    /// A stored attachment as delivery sends it.
    public struct AttachmentContent: Sendable, Equatable {
        public var fileName: String?
        public var fileExtension: String?
        public var contentType: String?
        public var bytes: [UInt8]
    }

    public static func attachments(_ connection: PGConnection, nos: [Int64]) throws -> [Int64: AttachmentContent] {
        guard !nos.isEmpty else { return [:] }
        var found: [Int64: AttachmentContent] = [:]
        for row in try connection.query(
            """
            SELECT no, file_name, file_extension, content_type, content FROM attachments
            WHERE no = ANY(\(PGInt64Array(nos)))
            """
        ) {
            found[try row.decode(Int64.self, at: 0)] = AttachmentContent(
                fileName: try row.decode(String?.self, at: 1),
                fileExtension: try row.decode(String?.self, at: 2),
                contentType: try row.decode(String?.self, at: 3),
                bytes: try row.decode(PGBytes.self, at: 4).bytes
            )
        }
        return found
    }

    public static func attachment(_ connection: PGConnection, no: Int64) throws -> AttachmentContent? {
        try connection.query(
            "SELECT file_name, file_extension, content_type, content FROM attachments WHERE no = \(no)"
        ).first.map { row in
            AttachmentContent(
                fileName: try row.decode(String?.self, at: 0),
                fileExtension: try row.decode(String?.self, at: 1),
                contentType: try row.decode(String?.self, at: 2),
                bytes: try row.decode(PGBytes.self, at: 3).bytes
            )
        }
    }

    /// Delivery counts of logged segments' entries (view delivery_status_by_logged_segment); a logged
    /// segment without queued entries has none.
    public static func counts(_ connection: PGConnection, loggedSegmentEntryNos: [Int64]) throws
        -> [Int64: DeliveryCounts]
    {
        guard !loggedSegmentEntryNos.isEmpty else { return [:] }
        var counts: [Int64: DeliveryCounts] = [:]
        for row in try connection.query(
            """
            SELECT logged_segment_entry_no, queued, sent, failed FROM delivery_status_by_logged_segment
            WHERE logged_segment_entry_no = ANY(\(PGInt64Array(loggedSegmentEntryNos)))
            """
        ) {
            counts[try row.decode(Int64.self, at: 0)] = DeliveryCounts(
                queued: try row.decode(Int.self, at: 1),
                sent: try row.decode(Int.self, at: 2),
                failed: try row.decode(Int.self, at: 3)
            )
        }
        return counts
    }

    /// Resend options (reference 3.9 R2). Fax is obsolete and not offered.
    public struct ResendOptions: Sendable, Equatable {
        /// nil = "Same as Entry".
        public var correspondenceType: CorrespondenceType?
        public var updateMergeFields: Bool

        public init(correspondenceType: CorrespondenceType? = nil, updateMergeFields: Bool = false) {
            self.correspondenceType = correspondenceType
            self.updateMergeFields = updateMergeFields
        }
    }
}
