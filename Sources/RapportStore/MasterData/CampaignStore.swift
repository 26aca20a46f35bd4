import LibPQ
import RapportProtocol

/// A campaign, with what interactions use of it.
public struct Campaign: Sendable, Equatable {
    public var no: String
    public var description: String?
    public var startingDate: CalendarDate?
    public var endingDate: CalendarDate?
    public var salespersonCode: String?
    public var statusCode: String?
    /// Activated (CAMPAIGN-ACTIVATE): its target group is filled; read-only here.
    public var activated: Bool = false

    public init(
        no: String,
        description: String? = nil,
        startingDate: CalendarDate? = nil,
        endingDate: CalendarDate? = nil,
        salespersonCode: String? = nil,
        statusCode: String? = nil
    ) {
        self.no = no
        self.description = description
        self.startingDate = startingDate
        self.endingDate = endingDate
        self.salespersonCode = salespersonCode
        self.statusCode = statusCode
    }
}

/// Changes to a campaign: nil leaves a field, `.some(nil)` blanks it.
public struct CampaignChanges: Sendable, Equatable {
    public var description: String??
    public var startingDate: CalendarDate??
    public var endingDate: CalendarDate??
    public var salespersonCode: String??
    public var statusCode: String??

    public init() {}
}

/// Campaigns, inside the caller's transaction.
public enum CampaignStore {
    static let columns = "no, description, starting_date, ending_date, salesperson_code, status_code, activated"

    static func decode(_ row: PGRow) throws -> Campaign {
        var campaign = Campaign(
            no: try row.decode(String.self, at: 0),
            description: try row.decode(String?.self, at: 1),
            startingDate: try row.decode(PGDate?.self, at: 2).map(CalendarDate.init),
            endingDate: try row.decode(PGDate?.self, at: 3).map(CalendarDate.init),
            salespersonCode: try row.decode(String?.self, at: 4),
            statusCode: try row.decode(String?.self, at: 5)
        )
        campaign.activated = try row.decode(Bool.self, at: 6)
        return campaign
    }

    /// Creates a campaign; without a number, the next one of the marketing setup's campaign series.
    public static func add(_ connection: PGConnection, _ campaign: Campaign, numbered: Bool) throws -> Campaign {
        var campaign = campaign
        let setup = try MarketingSetupStore.get(connection)
        if numbered {
            guard let series = setup.campaignNos else {
                throw StoreError.invalid(
                    "Campaign Nos. must have a value in Marketing Setup: set one with SETUP-MARKETING campaign-nos=<series>"
                )
            }
            campaign.no = try NumberSeriesStore.next(connection, series)
        } else {
            try NumberSeriesStore.checkManual(connection, series: setup.campaignNos)
        }
        try Self.check(connection, campaign)
        return try MasterDataLookup.inserting("Campaign \(campaign.no) already exists") {
            let rows = try connection.query(
                """
                INSERT INTO campaigns (no, description, starting_date, ending_date, salesperson_code, status_code)
                VALUES (\(campaign.no), \(campaign.description), \(campaign.startingDate?.pgValue), \(campaign.endingDate?.pgValue),
                        \(campaign.salespersonCode), \(campaign.statusCode))
                RETURNING \(unescaped: Self.columns)
                """
            )
            return try Self.decode(rows[0])
        }
    }

    public static func update(_ connection: PGConnection, _ no: String, _ changes: CampaignChanges) throws -> Campaign {
        let rows = try connection.query("SELECT \(unescaped: Self.columns) FROM campaigns WHERE no = \(no) FOR UPDATE")
        guard let row = rows.first else { throw StoreError.notFound("Campaign \(no) does not exist") }
        var campaign = try Self.decode(row)
        if let value = changes.description { campaign.description = value }
        if let value = changes.startingDate { campaign.startingDate = value }
        if let value = changes.endingDate { campaign.endingDate = value }
        if let value = changes.salespersonCode { campaign.salespersonCode = value }
        if let value = changes.statusCode { campaign.statusCode = value }
        try Self.check(connection, campaign)
        let updated = try connection.query(
            """
            UPDATE campaigns
            SET description = \(campaign.description), starting_date = \(campaign.startingDate?.pgValue),
                ending_date = \(campaign.endingDate?.pgValue), salesperson_code = \(campaign.salespersonCode),
                status_code = \(campaign.statusCode)
            WHERE no = \(no)
            RETURNING \(unescaped: Self.columns)
            """
        )
        return try Self.decode(updated[0])
    }

    public static func get(_ connection: PGConnection, _ no: String) throws -> Campaign? {
        try connection.query("SELECT \(unescaped: Self.columns) FROM campaigns WHERE no = \(no)").first.map(Self.decode)
    }

    /// Campaigns in number order, optionally only those of one salesperson.
    /// A keyset page after `after` of at most `limit` (nil: all).
    /// How many campaigns `list` pages through (optionally of one salesperson).
    public static func count(_ connection: PGConnection, salesperson: String? = nil) throws -> Int {
        try MasterDataLookup.count(
            connection,
            """
            SELECT count(*) FROM campaigns
            WHERE \(salesperson)::text IS NULL OR salesperson_code = \(salesperson)
            """
        )
    }

    public static func list(
        _ connection: PGConnection,
        salesperson: String? = nil,
        after: String? = nil,
        limit: Int? = nil
    ) throws -> [Campaign] {
        try connection.query(
            """
            SELECT \(unescaped: Self.columns) FROM campaigns
            WHERE (\(salesperson)::text IS NULL OR salesperson_code = \(salesperson))
              AND (\(after)::text IS NULL OR no > \(after))
            ORDER BY no LIMIT \(limit)
            """
        ).map(Self.decode)
    }

    public static func delete(_ connection: PGConnection, _ no: String) throws {
        let message =
            "Campaign \(no) cannot be deleted because campaign entries, interaction log entries, templates or "
            + "segments refer to it"
        let deleted = try MasterDataLookup.deleting(message) {
            try connection.execute("DELETE FROM campaigns WHERE no = \(no)")
        }
        if deleted == 0 { throw StoreError.notFound("Campaign \(no) does not exist") }
    }

    private static func check(_ connection: PGConnection, _ campaign: Campaign) throws {
        if let start = campaign.startingDate, let end = campaign.endingDate, start > end {
            throw StoreError.invalid(
                "Starting Date \(start) must not be after Ending Date \(end): change starting-date= or ending-date="
            )
        }
        try MasterDataLookup.require(
            connection,
            campaign.salespersonCode,
            in: "salespeople",
            "Salesperson \(campaign.salespersonCode ?? "") does not exist"
        )
        try CodeTableStore.require(connection, .campaignStatuses, campaign.statusCode)
    }
}
