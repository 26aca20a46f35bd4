import LibPQ
import RapportModel
import RapportProtocol

/// Logged segments (reference 1.14, 3.10): list, show, cancel / un-cancel with their entries and campaign
/// entries (bulk, one transaction), and deletion of canceled ones (entries are kept, unlinked).
public enum LoggedSegmentStore {
    static let columns = """
        s.entry_no, s.segment_no, s.description, s.creation_date, s.user_id, s.canceled,
        (SELECT coalesce(sum(CASE WHEN s.canceled THEN t.canceled_entries ELSE t.entries END), 0)::bigint
         FROM interaction_totals t WHERE t.kind = 'logged-segment' AND t.key = s.entry_no::text),
        (SELECT count(*) FROM campaign_entries ce WHERE ce.register_no = s.entry_no AND ce.canceled = s.canceled),
        (SELECT string_agg(DISTINCT ce.campaign_no, ',' ORDER BY ce.campaign_no)
         FROM campaign_entries ce WHERE ce.register_no = s.entry_no)
        """

    static func decode(_ row: PGRow) throws -> LoggedSegmentRecord {
        LoggedSegmentRecord(
            entryNo: try row.decode(Int64.self, at: 0),
            segmentNo: try row.decode(String.self, at: 1),
            description: try row.decode(String.self, at: 2),
            creationDate: CalendarDate(try row.decode(PGDate.self, at: 3)),
            userID: try row.decode(String.self, at: 4),
            canceled: try row.decode(Bool.self, at: 5),
            noOfInteractions: try row.decode(Int.self, at: 6),
            noOfCampaignEntries: try row.decode(Int.self, at: 7),
            campaigns: try row.decode(String?.self, at: 8).map { $0.split(separator: ",").map(String.init) } ?? []
        )
    }

    /// Newest first, keyset-paged by entry number; optional filters.
    /// How many logged segments `list` pages through (one per LOG-SEGMENT run: a small table).
    public static func count(
        _ connection: PGConnection,
        canceled: Bool?,
        segmentNo: String?,
        userID: String?
    ) throws -> Int {
        try connection.query(
            """
            SELECT count(*) FROM logged_segments s
            WHERE (\(canceled)::boolean IS NULL OR s.canceled = \(canceled))
              AND (\(segmentNo)::text IS NULL OR s.segment_no = \(segmentNo))
              AND (\(userID)::text IS NULL OR s.user_id = \(userID))
            """
        )[0].decode(Int.self, at: 0)
    }

    public static func list(
        _ connection: PGConnection,
        canceled: Bool?,
        segmentNo: String?,
        userID: String?,
        before: Int64?,
        limit: Int
    ) throws -> [LoggedSegmentRecord] {
        try connection.query(
            """
            SELECT \(unescaped: Self.columns) FROM logged_segments s
            WHERE (\(canceled)::boolean IS NULL OR s.canceled = \(canceled))
              AND (\(segmentNo)::text IS NULL OR s.segment_no = \(segmentNo))
              AND (\(userID)::text IS NULL OR s.user_id = \(userID))
              AND (\(before)::bigint IS NULL OR s.entry_no < \(before))
            ORDER BY s.entry_no DESC
            LIMIT \(limit)
            """
        ).map(Self.decode)
    }

    /// One logged segment with its campaign entries.
    public static func show(_ connection: PGConnection, entryNo: Int64) throws
        -> (LoggedSegmentRecord, [SegmentCampaignEntryRecord])
    {
        guard
            let record = try connection.query(
                "SELECT \(unescaped: Self.columns) FROM logged_segments s WHERE s.entry_no = \(entryNo)"
            ).first.map(Self.decode)
        else {
            throw StoreError.notFound("Logged Segment \(entryNo) does not exist.")
        }
        let campaigns = try connection.query(
            """
            SELECT ce.entry_no, ce.campaign_no, ce.description, ce.date, ce.canceled,
                   (SELECT coalesce(sum(CASE WHEN ce.canceled THEN t.canceled_entries ELSE t.entries END), 0)::bigint
                    FROM interaction_totals t WHERE t.kind = 'campaign-entry' AND t.key = ce.entry_no::text)
            FROM campaign_entries ce WHERE ce.register_no = \(entryNo) ORDER BY ce.entry_no
            """
        ).map {
            SegmentCampaignEntryRecord(
                entryNo: try $0.decode(Int64.self, at: 0),
                campaignNo: try $0.decode(String.self, at: 1),
                description: try $0.decode(String?.self, at: 2),
                date: CalendarDate(try $0.decode(PGDate.self, at: 3)),
                canceled: try $0.decode(Bool.self, at: 4),
                noOfInteractions: try $0.decode(Int.self, at: 5)
            )
        }
        return (record, campaigns)
    }

    /// What a cancel toggle changed.
    public struct CancelResult: Sendable, Equatable {
        public var loggedSegments: Int
        public var entries: Int
        public var campaignEntries: Int
    }

    /// Sets Canceled on the logged segments, all their campaign entries and all their log entries (3.10 R2,
    /// bulk). Un-canceling clears it on every entry, also on entries canceled one by one before (BC, 6.1).
    public static func setCanceled(_ connection: PGConnection, actor: ActingUser, entryNos: [Int64], canceled: Bool)
        throws -> CancelResult
    {
        let list = PGInt64Array(entryNos)
        let owners = try connection.query(
            "SELECT entry_no, user_id FROM logged_segments WHERE entry_no = ANY(\(list)) ORDER BY entry_no FOR UPDATE"
        )
        let found = try Set(owners.map { try $0.decode(Int64.self, at: 0) })
        if let missing = entryNos.first(where: { !found.contains($0) }) {
            throw StoreError.notFound("Logged Segment \(missing) does not exist.")
        }
        for row in owners {
            let user = try row.decode(String.self, at: 1)
            guard SegmentAccess.mayManageLogged(role: actor.role, userID: actor.userID, loggedBy: user) else {
                throw AccessDenied(
                    "logged segment \(try row.decode(Int64.self, at: 0)) was logged by another user"
                )
            }
        }
        let segments = try connection.execute(
            "UPDATE logged_segments SET canceled = \(canceled) WHERE entry_no = ANY(\(list)) AND canceled <> \(canceled)"
        )
        let campaigns = try connection.execute(
            "UPDATE campaign_entries SET canceled = \(canceled) WHERE register_no = ANY(\(list)) AND canceled <> \(canceled)"
        )
        let entries = try connection.execute(
            """
            UPDATE interaction_log_entries SET canceled = \(canceled)
            WHERE logged_segment_entry_no = ANY(\(list)) AND canceled <> \(canceled)
            """
        )
        return CancelResult(loggedSegments: segments, entries: entries, campaignEntries: campaigns)
    }

    /// Delete Logged Segments (3.10 R3): only canceled ones, matching the filters. Their entries and campaign
    /// entries stay and lose the link. A dry run only counts.
    public static func deleteCanceled(
        _ connection: PGConnection,
        entryNos: [Int64]?,
        segmentNo: String?,
        dryRun: Bool
    ) throws -> (loggedSegments: Int, entriesUnlinked: Int) {
        let list = entryNos.map(PGInt64Array.init)
        let matching = try connection.query(
            """
            SELECT entry_no FROM logged_segments
            WHERE canceled
              AND (\(list)::bigint[] IS NULL OR entry_no = ANY(\(list)))
              AND (\(segmentNo)::text IS NULL OR segment_no = \(segmentNo))
            ORDER BY entry_no
            FOR UPDATE
            """
        ).map { try $0.decode(Int64.self, at: 0) }
        let doomed = PGInt64Array(matching)
        let linked = try connection.query(
            "SELECT count(*) FROM interaction_log_entries WHERE logged_segment_entry_no = ANY(\(doomed))"
        )[0].decode(Int.self, at: 0)
        guard !dryRun, !matching.isEmpty else { return (matching.count, linked) }
        try connection.execute(
            "UPDATE interaction_log_entries SET logged_segment_entry_no = NULL WHERE logged_segment_entry_no = ANY(\(doomed))"
        )
        try connection.execute("UPDATE campaign_entries SET register_no = NULL WHERE register_no = ANY(\(doomed))")
        try connection.execute("DELETE FROM logged_segments WHERE entry_no = ANY(\(doomed))")
        return (matching.count, linked)
    }
}
