import Foundation
import LibPQ
import RapportModel
import RapportProtocol

/// A campaign entry with its statistics (reference 1.15): the interactions, cost and duration of its log
/// entries whose Canceled equals the campaign entry's, read from the running totals.
public struct CampaignEntryRecord: Sendable, Equatable {
    public var entryNo: Int64
    public var campaignNo: String
    public var description: String?
    public var date: CalendarDate
    public var userID: String
    public var segmentNo: String?
    public var canceled: Bool
    public var salespersonCode: String?
    public var registerNo: Int64?
    public var documentType: String?
    public var noOfInteractions: Int
    public var cost: Decimal
    public var duration: Decimal
}

/// Filters of the batch "delete canceled campaign entries".
public struct CampaignEntryDeleteFilter: Sendable, Equatable {
    public var entryNos: [Int64]?
    public var campaignNo: String?
    public var segmentNo: String?
    public var from: CalendarDate?
    public var to: CalendarDate?

    public init(
        entryNos: [Int64]? = nil,
        campaignNo: String? = nil,
        segmentNo: String? = nil,
        from: CalendarDate? = nil,
        to: CalendarDate? = nil
    ) {
        self.entryNos = entryNos
        self.campaignNo = campaignNo
        self.segmentNo = segmentNo
        self.from = from
        self.to = to
    }
}

/// Campaign entries (reference 1.15, 3.12 R5): list and show with statistics, cancel / un-cancel with all
/// their log entries (bulk), delete with their log entries, and the batch deletion of canceled ones.
public enum CampaignEntryStore {
    static let columns = """
        ce.entry_no, ce.campaign_no, ce.description, ce.date, ce.user_id, ce.segment_no, ce.canceled,
        ce.salesperson_code, ce.register_no, ce.document_type::text,
        coalesce(t.n, 0)::bigint, coalesce(t.cost, 0)::numeric, coalesce(t.duration, 0)::numeric
        """

    /// The totals of each campaign entry, with the same Canceled value as the campaign entry.
    static let totals = """
        LEFT JOIN LATERAL (
            SELECT sum(CASE WHEN ce.canceled THEN x.canceled_entries ELSE x.entries END) AS n,
                   sum(CASE WHEN ce.canceled THEN x.canceled_cost ELSE x.cost END) AS cost,
                   sum(CASE WHEN ce.canceled THEN x.canceled_duration ELSE x.duration END) AS duration
            FROM interaction_totals x WHERE x.kind = 'campaign-entry' AND x.key = ce.entry_no::text
        ) t ON true
        """

    static func decode(_ row: PGRow) throws -> CampaignEntryRecord {
        CampaignEntryRecord(
            entryNo: try row.decode(Int64.self, at: 0),
            campaignNo: try row.decode(String.self, at: 1),
            description: try row.decode(String?.self, at: 2),
            date: CalendarDate(try row.decode(PGDate.self, at: 3)),
            userID: try row.decode(String.self, at: 4),
            segmentNo: try row.decode(String?.self, at: 5),
            canceled: try row.decode(Bool.self, at: 6),
            salespersonCode: try row.decode(String?.self, at: 7),
            registerNo: try row.decode(Int64?.self, at: 8),
            documentType: try row.decode(String?.self, at: 9),
            noOfInteractions: try row.decode(Int.self, at: 10),
            cost: try row.decode(Decimal.self, at: 11),
            duration: try row.decode(Decimal.self, at: 12)
        )
    }

    /// How many campaign entries `list` pages through.
    public static func count(_ connection: PGConnection, campaignNo: String?, canceled: Bool?) throws -> Int {
        try connection.query(
            """
            SELECT count(*) FROM campaign_entries ce
            WHERE (\(campaignNo)::text IS NULL OR ce.campaign_no = \(campaignNo))
              AND (\(canceled)::boolean IS NULL OR ce.canceled = \(canceled))
            """
        )[0].decode(Int.self, at: 0)
    }

    /// Campaign entries in entry order, keyset-paged by entry number.
    public static func list(
        _ connection: PGConnection,
        campaignNo: String?,
        canceled: Bool?,
        after: Int64?,
        limit: Int
    ) throws -> [CampaignEntryRecord] {
        if let campaignNo { try self.requireCampaign(connection, campaignNo) }
        return try connection.query(
            """
            SELECT \(unescaped: Self.columns) FROM campaign_entries ce \(unescaped: Self.totals)
            WHERE (\(campaignNo)::text IS NULL OR ce.campaign_no = \(campaignNo))
              AND (\(canceled)::boolean IS NULL OR ce.canceled = \(canceled))
              AND (\(after)::bigint IS NULL OR ce.entry_no > \(after))
            ORDER BY ce.entry_no
            LIMIT \(limit)
            """
        ).map(Self.decode)
    }

    public static func show(_ connection: PGConnection, entryNo: Int64) throws -> CampaignEntryRecord {
        guard
            let record = try connection.query(
                """
                SELECT \(unescaped: Self.columns) FROM campaign_entries ce \(unescaped: Self.totals)
                WHERE ce.entry_no = \(entryNo)
                """
            ).first.map(Self.decode)
        else { throw Self.missing(entryNo) }
        return record
    }

    static func requireCampaign(_ connection: PGConnection, _ campaignNo: String) throws {
        guard try !connection.query("SELECT 1 FROM campaigns WHERE no = \(campaignNo)").isEmpty else {
            throw StoreError.notFound("Campaign \(campaignNo) does not exist.")
        }
    }

    static func missing(_ entryNo: Int64) -> StoreError {
        .notFound("Campaign Entry \(entryNo) does not exist.")
    }

    /// What a cancel toggle changed.
    public struct CancelResult: Sendable, Equatable {
        public var campaignEntries: Int
        public var entries: Int
    }

    /// Sets Canceled on the campaign entries and on all their log entries (reference 1.15, bulk).
    /// Refused, changing nothing, while a campaign entry's logged segment is canceled: the logged segment
    /// decides for its entries (LOGGED-SEGMENT-UNCANCEL). Salespeople toggle only the campaign entries
    /// they created.
    public static func setCanceled(_ connection: PGConnection, actor: ActingUser, entryNos: [Int64], canceled: Bool)
        throws -> CancelResult
    {
        let list = PGInt64Array(entryNos)
        let rows = try connection.query(
            """
            SELECT ce.entry_no, ce.user_id, ce.register_no, coalesce(s.canceled, false)
            FROM campaign_entries ce LEFT JOIN logged_segments s ON s.entry_no = ce.register_no
            WHERE ce.entry_no = ANY(\(list)) ORDER BY ce.entry_no FOR UPDATE OF ce
            """
        )
        let found = try Set(rows.map { try $0.decode(Int64.self, at: 0) })
        if let missing = entryNos.first(where: { !found.contains($0) }) { throw Self.missing(missing) }
        for row in rows {
            let entryNo = try row.decode(Int64.self, at: 0)
            let user = try row.decode(String.self, at: 1)
            guard SegmentAccess.mayManageLogged(role: actor.role, userID: actor.userID, loggedBy: user) else {
                throw AccessDenied("campaign entry \(entryNo) was created by another user")
            }
            if let register = try row.decode(Int64?.self, at: 2), try row.decode(Bool.self, at: 3) {
                throw StoreError.invalid(
                    "Canceled must be equal to 'No' in Logged Segment: Entry No.=\(register). Current value is 'Yes'. "
                        + "Campaign entry \(entryNo) belongs to that canceled logged segment; "
                        + "un-cancel it with LOGGED-SEGMENT-UNCANCEL."
                )
            }
        }
        let changed = try connection.execute(
            "UPDATE campaign_entries SET canceled = \(canceled) WHERE entry_no = ANY(\(list)) AND canceled <> \(canceled)"
        )
        let entries = try connection.execute(
            """
            UPDATE interaction_log_entries SET canceled = \(canceled)
            WHERE (campaign_no, campaign_entry_no) IN
                  (SELECT campaign_no, entry_no FROM campaign_entries WHERE entry_no = ANY(\(list)))
              AND canceled <> \(canceled)
            """
        )
        return CancelResult(campaignEntries: changed, entries: entries)
    }

    /// Deletes a campaign entry with all its log entries (reference 3.12 R5: no cancel check). Returns how
    /// many log entries went with it.
    public static func delete(_ connection: PGConnection, entryNo: Int64) throws -> Int {
        guard
            let row = try connection.query(
                "SELECT campaign_no FROM campaign_entries WHERE entry_no = \(entryNo) FOR UPDATE"
            ).first
        else { throw Self.missing(entryNo) }
        let campaign = try row.decode(String.self, at: 0)
        let entries = try connection.query(
            """
            SELECT count(*) FROM interaction_log_entries
            WHERE campaign_no = \(campaign) AND campaign_entry_no = \(entryNo)
            """
        )[0].decode(Int.self, at: 0)
        // The statement trigger on campaign_entries deletes the log entries (0012).
        try connection.execute("DELETE FROM campaign_entries WHERE entry_no = \(entryNo)")
        return entries
    }

    /// The batch "delete canceled campaign entries": only canceled ones matching the filter, each with its
    /// log entries. A dry run only counts.
    public static func deleteCanceled(_ connection: PGConnection, _ filter: CampaignEntryDeleteFilter, dryRun: Bool)
        throws -> (campaignEntries: Int, entries: Int)
    {
        let list = filter.entryNos.map(PGInt64Array.init)
        let from = filter.from?.pgValue
        let to = filter.to?.pgValue
        let matching = try connection.query(
            """
            SELECT entry_no FROM campaign_entries
            WHERE canceled
              AND (\(list)::bigint[] IS NULL OR entry_no = ANY(\(list)))
              AND (\(filter.campaignNo)::text IS NULL OR campaign_no = \(filter.campaignNo))
              AND (\(filter.segmentNo)::text IS NULL OR segment_no = \(filter.segmentNo))
              AND (\(from)::date IS NULL OR date >= \(from))
              AND (\(to)::date IS NULL OR date <= \(to))
            ORDER BY entry_no
            FOR UPDATE
            """
        ).map { try $0.decode(Int64.self, at: 0) }
        let doomed = PGInt64Array(matching)
        let entries = try connection.query(
            """
            SELECT count(*) FROM interaction_log_entries e JOIN campaign_entries ce
              ON ce.entry_no = e.campaign_entry_no AND ce.campaign_no = e.campaign_no
            WHERE ce.entry_no = ANY(\(doomed))
            """
        )[0].decode(Int.self, at: 0)
        guard !dryRun, !matching.isEmpty else { return (matching.count, entries) }
        try connection.execute("DELETE FROM campaign_entries WHERE entry_no = ANY(\(doomed))")
        return (matching.count, entries)
    }
}
