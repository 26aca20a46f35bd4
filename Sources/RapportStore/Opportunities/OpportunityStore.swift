import Foundation
import LibPQ
import RapportModel
import RapportProtocol

/// A sales cycle with its stages.
public struct SalesCycle: Sendable, Equatable {
    public var code: String
    public var description: String?
    public var blocked: Bool

    public init(code: String, description: String? = nil, blocked: Bool = false) {
        self.code = code
        self.description = description
        self.blocked = blocked
    }
}

public struct SalesCycleStage: Sendable, Equatable {
    public var salesCycleCode: String
    public var stage: Int
    public var description: String?
    public var completedPct: Decimal
    public var chancesOfSuccess: Decimal

    public init(
        salesCycleCode: String,
        stage: Int,
        description: String?,
        completedPct: Decimal,
        chancesOfSuccess: Decimal
    ) {
        self.salesCycleCode = salesCycleCode
        self.stage = stage
        self.description = description
        self.completedPct = completedPct
        self.chancesOfSuccess = chancesOfSuccess
    }
}

/// Sales cycles and stages (managers' setup), inside the caller's transaction.
public enum SalesCycleStore {
    public static func add(_ connection: PGConnection, _ cycle: SalesCycle) throws -> SalesCycle {
        try MasterDataLookup.inserting("Sales cycle \(cycle.code) already exists") {
            try connection.execute(
                """
                INSERT INTO sales_cycles (code, description, blocked)
                VALUES (\(cycle.code), \(cycle.description), \(cycle.blocked))
                """
            )
        }
        return cycle
    }

    public static func update(_ connection: PGConnection, _ code: String, description: String??, blocked: Bool?)
        throws -> SalesCycle
    {
        guard var cycle = try Self.get(connection, code, lock: true) else {
            throw StoreError.notFound("Sales cycle \(code) does not exist: create it with SALES-CYCLE-ADD")
        }
        if let description { cycle.description = description }
        if let blocked { cycle.blocked = blocked }
        try connection.execute(
            "UPDATE sales_cycles SET description = \(cycle.description), blocked = \(cycle.blocked) WHERE code = \(code)"
        )
        return cycle
    }

    public static func get(_ connection: PGConnection, _ code: String, lock: Bool = false) throws -> SalesCycle? {
        try connection.query(
            "SELECT code, description, blocked FROM sales_cycles WHERE code = \(code) \(unescaped: lock ? "FOR UPDATE" : "")"
        ).first.map {
            SalesCycle(
                code: try $0.decode(String.self, at: 0),
                description: try $0.decode(String?.self, at: 1),
                blocked: try $0.decode(Bool.self, at: 2)
            )
        }
    }

    public static func count(_ connection: PGConnection) throws -> Int {
        try MasterDataLookup.count(connection, "SELECT count(*) FROM sales_cycles")
    }

    public static func list(_ connection: PGConnection, after: String?, limit: Int) throws -> [SalesCycle] {
        try connection.query(
            """
            SELECT code, description, blocked FROM sales_cycles
            WHERE \(after)::text IS NULL OR code > \(after) ORDER BY code LIMIT \(limit)
            """
        ).map {
            SalesCycle(
                code: try $0.decode(String.self, at: 0),
                description: try $0.decode(String?.self, at: 1),
                blocked: try $0.decode(Bool.self, at: 2)
            )
        }
    }

    public static func delete(_ connection: PGConnection, _ code: String) throws {
        let deleted = try MasterDataLookup.deleting(
            "Sales cycle \(code) cannot be deleted because opportunities or the marketing setup use it"
        ) {
            try connection.execute("DELETE FROM sales_cycles WHERE code = \(code)")
        }
        if deleted == 0 { throw StoreError.notFound("Sales cycle \(code) does not exist") }
    }

    /// Adds or replaces one stage of a cycle.
    public static func setStage(_ connection: PGConnection, _ stage: SalesCycleStage) throws -> SalesCycleStage {
        guard try Self.get(connection, stage.salesCycleCode) != nil else {
            throw StoreError.notFound(
                "Sales cycle \(stage.salesCycleCode) does not exist: create it with SALES-CYCLE-ADD"
            )
        }
        for (name, value) in [("completed", stage.completedPct), ("chances", stage.chancesOfSuccess)]
        where value < 0 || value > 100 {
            throw StoreError.invalid("\(name) must be from 0 to 100, not \(value)")
        }
        try connection.execute(
            """
            INSERT INTO sales_cycle_stages (sales_cycle_code, stage, description, completed_pct, chances_of_success)
            VALUES (\(stage.salesCycleCode), \(stage.stage), \(stage.description), \(stage.completedPct),
                    \(stage.chancesOfSuccess))
            ON CONFLICT (sales_cycle_code, stage) DO UPDATE
            SET description = EXCLUDED.description, completed_pct = EXCLUDED.completed_pct,
                chances_of_success = EXCLUDED.chances_of_success
            """
        )
        return stage
    }

    /// The stages of a cycle in order; a keyset page after stage `after` of at most `limit`.
    public static func stages(_ connection: PGConnection, _ code: String, after: Int? = nil, limit: Int? = nil)
        throws -> [SalesCycleStage]
    {
        try connection.query(
            """
            SELECT sales_cycle_code, stage, description, completed_pct, chances_of_success
            FROM sales_cycle_stages
            WHERE sales_cycle_code = \(code) AND (\(after)::int IS NULL OR stage > \(after))
            ORDER BY stage LIMIT \(limit)
            """
        ).map(Self.decodeStage)
    }

    public static func stageCount(_ connection: PGConnection, _ code: String) throws -> Int {
        try MasterDataLookup.count(
            connection,
            "SELECT count(*) FROM sales_cycle_stages WHERE sales_cycle_code = \(code)"
        )
    }

    static func decodeStage(_ row: PGRow) throws -> SalesCycleStage {
        SalesCycleStage(
            salesCycleCode: try row.decode(String.self, at: 0),
            stage: try row.decode(Int.self, at: 1),
            description: try row.decode(String?.self, at: 2),
            completedPct: try row.decode(Decimal.self, at: 3),
            chancesOfSuccess: try row.decode(Decimal.self, at: 4)
        )
    }
}

/// An opportunity (a possible sale to a contact's company).
public struct Opportunity: Sendable, Equatable {
    public var no: String
    public var description: String
    /// Blank only after the contact was deleted (closed opportunities).
    public var contactNo: String?
    public var contactCompanyNo: String?
    public var salespersonCode: String
    public var campaignNo: String?
    public var segmentNo: String?
    public var salesCycleCode: String?
    public var currentStage: Int?
    public var status: OpportunityStatus
    public var creationDate: CalendarDate
    public var estimatedValue: Decimal
    public var estimatedClosingDate: CalendarDate?
    public var chancesOfSuccess: Decimal
    public var dateClosed: CalendarDate?
    public var closeReason: String?
}

/// What a new opportunity is made of; nil fields take their defaults.
public struct OpportunityDraft: Sendable, Equatable {
    public var contactNo: String
    public var description: String
    public var salespersonCode: String?
    public var campaignNo: String?
    public var segmentNo: String?
    public var salesCycleCode: String?
    public var estimatedValue: Decimal?
    public var estimatedClosingDate: CalendarDate?

    public init(contactNo: String, description: String) {
        self.contactNo = contactNo
        self.description = description
    }
}

/// Changes to an open opportunity: nil leaves a field, `.some(nil)` blanks it.
public struct OpportunityChanges: Sendable, Equatable {
    public var description: String?
    public var salespersonCode: String?
    public var campaignNo: String??
    public var stage: Int?
    public var estimatedValue: Decimal?
    public var estimatedClosingDate: CalendarDate??
    public var chancesOfSuccess: Decimal?

    public init() {}
}

/// An opportunity's figures from the log: entries not canceled and not postponed.
public struct OpportunityStatistics: Sendable, Equatable {
    public var interactions: Int
    public var cost: Decimal
    public var duration: Decimal
    public var lastDate: CalendarDate?
}

public struct OpportunityFilter: Sendable, Equatable {
    public var salespersonCode: String?
    public var contactNo: String?
    public var companyNo: String?
    public var status: OpportunityStatus?
    public var open: Bool?

    public init() {}
}

/// Opportunities, inside the caller's transaction.
public enum OpportunityStore {
    /// An opportunity's or task's campaign, when one is given, must exist.
    static func requireCampaign(_ connection: PGConnection, _ campaignNo: String?) throws {
        try MasterDataLookup.require(
            connection,
            campaignNo,
            in: "campaigns",
            column: "no",
            Self.campaignMissing(campaignNo)
        )
    }

    static func campaignMissing(_ campaignNo: String?) -> String {
        "Campaign \(campaignNo ?? "") does not exist: send another campaign= (CAMPAIGN-LIST shows them)"
    }

    /// A line of an unlogged segment that names a contact, locked, resolved and looked up in the same
    /// statement: what one opportunity or task per line is made from, so that a segment of any size costs
    /// the same few round trips. The salesperson, campaign and opportunity are the given ones, else the
    /// line's, else the header's (the opportunity: the line's only).
    struct SegmentWorkLine {
        var lineNo: Int
        var contactNo: String
        /// nil when the contact does not exist.
        var contact: WorkContact?
        var privacyBlocked: Bool
        var salespersonCode: String?
        /// Whether the salesperson the line resolves to (the given or line's, else the acting user's, else the
        /// contact's) is blocked; nil when it does not exist.
        var salespersonBlocked: Bool?
        var campaignNo: String?
        var campaignExists: Bool
        /// The line's own opportunity (a second opportunity for the line is refused).
        var lineOpportunityNo: String?
        var opportunityNo: String?
        var opportunity: LinkedOpportunity?

        /// The line's contact, checked as a single opportunity's or task's contact is.
        func checkedContact() throws -> WorkContact {
            try OpportunityStore.checkContact(self.contactNo, self.contact, privacyBlocked: self.privacyBlocked)
        }

        /// The line's salesperson, checked as a single opportunity's or task's is.
        func checkedSalesperson(actor: ActingUser, what: String) throws -> String {
            let code = try OpportunityStore.salespersonCode(
                given: self.salespersonCode,
                contact: self.contact,
                actor: actor,
                what: what
            )
            try OpportunityStore.checkSalesperson(code, blocked: self.salespersonBlocked)
            return code
        }

        func checkCampaign() throws {
            if let campaignNo, !self.campaignExists {
                throw StoreError.notFound(OpportunityStore.campaignMissing(campaignNo))
            }
        }
    }

    /// What a task checks of the opportunity it names.
    struct LinkedOpportunity {
        var status: String
        var contactNo: String?
        var contactCompanyNo: String?
    }

    static func segmentWorkLines(
        _ connection: PGConnection,
        _ segmentNo: String,
        salesperson: String? = nil,
        campaign: String? = nil,
        opportunity: String? = nil,
        actor: ActingUser
    ) throws -> (headerDescription: String?, lines: [SegmentWorkLine]) {
        guard
            let header = try connection.query(
                "SELECT description, campaign_no, salesperson_code FROM segment_headers WHERE no = \(segmentNo) FOR UPDATE"
            ).first
        else {
            throw StoreError.notFound("Segment \(segmentNo) does not exist")
        }
        let lines = try connection.query(
            """
            SELECT l.line_no, l.contact_no, c.no IS NOT NULL, coalesce(c.privacy_blocked, false),
                   CASE WHEN c.type = 'company' THEN c.no ELSE c.company_no END, c.salesperson_code, c.phone_no, c.name,
                   l.salesperson, sp.blocked, l.campaign, cp.no IS NOT NULL, l.opportunity_no, l.opportunity,
                   o.status::text, o.contact_no, o.contact_company_no
            FROM (SELECT line_no, contact_no, opportunity_no,
                         coalesce(\(salesperson), salesperson_code, \(try header.decode(String?.self, at: 2))) AS salesperson,
                         coalesce(\(campaign), campaign_no, \(try header.decode(String?.self, at: 1))) AS campaign,
                         coalesce(\(opportunity), opportunity_no) AS opportunity
                  FROM segment_lines WHERE segment_no = \(segmentNo) AND contact_no IS NOT NULL
                  FOR UPDATE) l
            LEFT JOIN contacts c ON c.no = l.contact_no
            LEFT JOIN salespeople sp ON sp.code = coalesce(l.salesperson, \(actor.salespersonCode), c.salesperson_code)
            LEFT JOIN campaigns cp ON cp.no = l.campaign
            LEFT JOIN opportunities o ON o.no = l.opportunity
            ORDER BY l.line_no
            """
        ).map { row in
            let contactNo = try row.decode(String.self, at: 1)
            let opportunityStatus = try row.decode(String?.self, at: 14)
            return SegmentWorkLine(
                lineNo: try row.decode(Int.self, at: 0),
                contactNo: contactNo,
                contact: try row.decode(Bool.self, at: 2)
                    ? WorkContact(
                        no: contactNo,
                        companyNo: try row.decode(String?.self, at: 4),
                        salespersonCode: try row.decode(String?.self, at: 5),
                        phoneNo: try row.decode(String?.self, at: 6),
                        name: try row.decode(String?.self, at: 7)
                    ) : nil,
                privacyBlocked: try row.decode(Bool.self, at: 3),
                salespersonCode: try row.decode(String?.self, at: 8),
                salespersonBlocked: try row.decode(Bool?.self, at: 9),
                campaignNo: try row.decode(String?.self, at: 10),
                campaignExists: try row.decode(Bool.self, at: 11),
                lineOpportunityNo: try row.decode(String?.self, at: 12),
                opportunityNo: try row.decode(String?.self, at: 13),
                opportunity: try opportunityStatus.map {
                    LinkedOpportunity(
                        status: $0,
                        contactNo: try row.decode(String?.self, at: 15),
                        contactCompanyNo: try row.decode(String?.self, at: 16)
                    )
                }
            )
        }
        if lines.isEmpty { throw StoreError.invalid("Segment \(segmentNo) has no lines with a contact") }
        return (try header.decode(String?.self, at: 0), lines)
    }

    /// An opportunity's or task's description: required, trimmed.
    static func requiredDescription(_ text: String?) throws -> String {
        let trimmed = (text ?? "").trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty { throw StoreError.invalid("You must fill in the Description field: send description=") }
        return trimmed
    }

    static let columns = """
        o.no, o.description, o.contact_no, o.contact_company_no, o.salesperson_code, o.campaign_no, o.segment_no,
        o.sales_cycle_code, o.current_stage, o.status::text, o.creation_date, o.estimated_value,
        o.estimated_closing_date, o.chances_of_success, o.date_closed, o.close_reason
        """

    static func decode(_ row: PGRow) throws -> Opportunity {
        Opportunity(
            no: try row.decode(String.self, at: 0),
            description: try row.decode(String.self, at: 1),
            contactNo: try row.decode(String?.self, at: 2),
            contactCompanyNo: try row.decode(String?.self, at: 3),
            salespersonCode: try row.decode(String.self, at: 4),
            campaignNo: try row.decode(String?.self, at: 5),
            segmentNo: try row.decode(String?.self, at: 6),
            salesCycleCode: try row.decode(String?.self, at: 7),
            currentStage: try row.decode(Int?.self, at: 8),
            status: OpportunityStatus(rawValue: try row.decode(String.self, at: 9)) ?? .notStarted,
            creationDate: CalendarDate(try row.decode(PGDate.self, at: 10)),
            estimatedValue: try row.decode(Decimal.self, at: 11),
            estimatedClosingDate: try row.decode(PGDate?.self, at: 12).map(CalendarDate.init),
            chancesOfSuccess: try row.decode(Decimal.self, at: 13),
            dateClosed: try row.decode(PGDate?.self, at: 14).map(CalendarDate.init),
            closeReason: try row.decode(String?.self, at: 15)
        )
    }

    /// A contact an opportunity or a task is made for: it must exist and not be blocked due to privacy.
    struct WorkContact {
        var no: String
        var companyNo: String?
        var salespersonCode: String?
        var phoneNo: String?
        var name: String?
    }

    static func contact(_ connection: PGConnection, _ no: String) throws -> WorkContact {
        let row = try connection.query(
            """
            SELECT CASE WHEN type = 'company' THEN no ELSE company_no END, salesperson_code, privacy_blocked,
                   phone_no, name
            FROM contacts WHERE no = \(no)
            """
        ).first
        return try Self.checkContact(
            no,
            try row.map {
                WorkContact(
                    no: no,
                    companyNo: try $0.decode(String?.self, at: 0),
                    salespersonCode: try $0.decode(String?.self, at: 1),
                    phoneNo: try $0.decode(String?.self, at: 3),
                    name: try $0.decode(String?.self, at: 4)
                )
            },
            privacyBlocked: try row?.decode(Bool.self, at: 2) ?? false
        )
    }

    /// New work's contact must exist and not be blocked due to privacy.
    static func checkContact(_ no: String, _ contact: WorkContact?, privacyBlocked: Bool) throws -> WorkContact {
        guard let contact else {
            throw StoreError.notFound("Contact \(no) does not exist: send another contact= (CONTACT-LIST shows them)")
        }
        if privacyBlocked { throw StoreError.invalid(InteractionValidation.privacyBlocked(no)) }
        return contact
    }

    /// The salesperson of new work: the one given, else the acting user's, else the contact's; it must
    /// exist, not be blocked, and be the user's own unless the user is a manager.
    static func salesperson(
        _ connection: PGConnection,
        given: String?,
        contact: WorkContact?,
        actor: ActingUser,
        what: String
    ) throws -> String {
        let code = try Self.salespersonCode(given: given, contact: contact, actor: actor, what: what)
        let blocked = try connection.query("SELECT blocked FROM salespeople WHERE code = \(code)").first
        try Self.checkSalesperson(code, blocked: try blocked?.decode(Bool.self, at: 0))
        return code
    }

    /// Which salesperson new work gets, and whether the acting user may give it to them.
    static func salespersonCode(given: String?, contact: WorkContact?, actor: ActingUser, what: String) throws
        -> String
    {
        guard let code = given ?? actor.salespersonCode ?? contact?.salespersonCode else {
            throw StoreError.invalid("You must fill in the Salesperson Code field: send salesperson=")
        }
        guard actor.mayActFor(code) else {
            throw AccessDenied(
                "A salesperson may only create \(what) for their own salesperson code "
                    + "(\(actor.salespersonCode ?? "none")), not for \(code)."
            )
        }
        return code
    }

    /// `blocked` is the salesperson's Blocked, nil when there is no such salesperson.
    static func checkSalesperson(_ code: String, blocked: Bool?) throws {
        guard let blocked else {
            throw StoreError.notFound(
                "Salesperson \(code) does not exist: send another salesperson= (SALESPERSON-LIST shows them)"
            )
        }
        if blocked {
            throw StoreError.invalid(
                "You cannot use salesperson \(code) because they are blocked: send another salesperson=, "
                    + "or unblock them with SALESPERSON-SET"
            )
        }
    }

    /// The marketing setup's Opportunity Nos. and the sales cycle new opportunities get (the one given,
    /// else the setup's default), checked.
    static func setup(_ connection: PGConnection, salesCycleCode: String?) throws -> (series: String, cycle: String?) {
        let setup = try connection.query(
            "SELECT opportunity_nos, default_sales_cycle_code FROM marketing_setup"
        )[0]
        guard let series = try setup.decode(String?.self, at: 0) else {
            throw StoreError.invalid(
                "Opportunity Nos. must have a value in Marketing Setup: set one with SETUP-MARKETING opportunity-nos=<series>"
            )
        }
        let cycleCode = try salesCycleCode ?? setup.decode(String?.self, at: 1)
        if let cycleCode {
            guard let cycle = try SalesCycleStore.get(connection, cycleCode) else {
                throw StoreError.notFound(
                    "Sales cycle \(cycleCode) does not exist: send another sales-cycle= (SALES-CYCLE-LIST shows them)"
                )
            }
            if cycle.blocked {
                throw StoreError.invalid("Sales cycle \(cycleCode) is blocked: send another sales-cycle=")
            }
        }
        return (series, cycleCode)
    }

    /// Creates an opportunity numbered from the marketing setup's Opportunity Nos.
    public static func create(_ connection: PGConnection, _ draft: OpportunityDraft, actor: ActingUser) throws
        -> Opportunity
    {
        let contact = try Self.contact(connection, draft.contactNo)
        let salesperson = try Self.salesperson(
            connection,
            given: draft.salespersonCode,
            contact: contact,
            actor: actor,
            what: "opportunities"
        )
        let description = try Self.requiredDescription(draft.description)
        try Self.requireCampaign(connection, draft.campaignNo)
        let (series, cycleCode) = try Self.setup(connection, salesCycleCode: draft.salesCycleCode)
        if let value = draft.estimatedValue, value < 0 {
            throw StoreError.invalid("estimated-value must not be negative")
        }
        let no = try NumberSeriesStore.next(connection, series)
        let rows = try MasterDataLookup.inserting("Opportunity \(no) already exists") {
            try connection.query(
                """
                INSERT INTO opportunities AS o (no, description, contact_no, contact_company_no, salesperson_code,
                    campaign_no, segment_no, sales_cycle_code, estimated_value, estimated_closing_date, created_by)
                VALUES (\(no), \(description), \(contact.no), \(contact.companyNo), \(salesperson), \(draft.campaignNo),
                        \(draft.segmentNo), \(cycleCode), \(draft.estimatedValue ?? 0),
                        \(draft.estimatedClosingDate?.pgValue), \(actor.userID))
                RETURNING \(unescaped: Self.columns)
                """
            )
        }
        return try Self.decode(rows[0])
    }

    /// Creates an opportunity from a log entry (its contact, salesperson, campaign and segment) and stores
    /// its number on the entry. Refused for a canceled or postponed entry and for one that has one already.
    public static func createFromEntry(
        _ connection: PGConnection,
        entryNo: Int64,
        description: String?,
        segmentNo: String? = nil,
        salesCycleCode: String? = nil,
        estimatedValue: Decimal? = nil,
        estimatedClosingDate: CalendarDate? = nil,
        actor: ActingUser
    ) throws -> Opportunity {
        guard let entry = try InteractionLogReader.entry(connection, entryNo, lock: true) else {
            throw StoreError.notFound("Interaction log entry \(entryNo) does not exist")
        }
        if entry.canceled {
            throw StoreError.conflict("Canceled must be equal to 'No' in Interaction Log Entry: Entry No.=\(entryNo)")
        }
        if entry.postponed {
            throw StoreError.conflict(
                "Interaction log entry \(entryNo) is postponed: resume it with POSTPONED-RESUME first"
            )
        }
        if let existing = entry.draft.opportunityNo {
            throw StoreError.conflict(
                "Opportunity No. must be blank in Interaction Log Entry: Entry No.=\(entryNo) (it is \(existing))"
            )
        }
        guard let contactNo = entry.draft.contactNo else {
            throw StoreError.invalid("Interaction log entry \(entryNo) has no contact (it was deleted)")
        }
        guard actor.mayActFor(entry.draft.salespersonCode) else {
            throw AccessDenied(
                "Interaction log entry \(entryNo) belongs to salesperson \(entry.draft.salespersonCode ?? "(blank)")."
            )
        }
        var draft = OpportunityDraft(
            contactNo: contactNo,
            description: description ?? entry.draft.description ?? ""
        )
        draft.salespersonCode = entry.draft.salespersonCode
        draft.campaignNo = entry.draft.campaignNo
        draft.segmentNo = segmentNo ?? entry.segmentNo
        draft.salesCycleCode = salesCycleCode
        draft.estimatedValue = estimatedValue
        draft.estimatedClosingDate = estimatedClosingDate
        let opportunity = try Self.create(connection, draft, actor: actor)
        try connection.execute(
            "UPDATE interaction_log_entries SET opportunity_no = \(opportunity.no) WHERE entry_no = \(entryNo)"
        )
        return opportunity
    }

    /// One opportunity per line of an unlogged segment (contact, salesperson of the line or the
    /// header, the header's campaign, the segment remembered); the line keeps the number, so logging
    /// the segment links its entries.
    public static func createForSegment(
        _ connection: PGConnection,
        segmentNo: String,
        description: String?,
        salesCycleCode: String?,
        actor: ActingUser
    ) throws -> [Opportunity] {
        let (headerDescription, lines) = try Self.segmentWorkLines(connection, segmentNo, actor: actor)
        let description = try Self.requiredDescription(description ?? headerDescription)
        var salespeople: [String] = []
        for line in lines {
            if let existing = line.lineOpportunityNo {
                throw StoreError.conflict(
                    "Opportunity No. must be blank in Segment Line: Segment No.=\(segmentNo), Line No.=\(line.lineNo) "
                        + "(it is \(existing))"
                )
            }
            _ = try line.checkedContact()
            salespeople.append(try line.checkedSalesperson(actor: actor, what: "opportunities"))
            try line.checkCampaign()
        }
        let (series, cycleCode) = try Self.setup(connection, salesCycleCode: salesCycleCode)
        let numbers = try NumberSeriesStore.take(connection, series, count: lines.count)
        // The opportunities and the lines' numbers in one statement, from one array per column.
        let rows = try MasterDataLookup.inserting(
            "Opportunity numbers \(numbers[0])…\(numbers[numbers.count - 1]) of series \(series) are taken already"
        ) {
            try connection.query(
                """
                WITH line AS (
                    SELECT * FROM unnest(\(numbers)::text[], \(lines.map(\.contactNo))::text[],
                                         \(lines.map { $0.contact?.companyNo ?? "" })::text[], \(salespeople)::text[],
                                         \(lines.map { $0.campaignNo ?? "" })::text[], \(PGInt64Array(lines.map { Int64($0.lineNo) })))
                        AS l(no, contact_no, company_no, salesperson_code, campaign_no, line_no)),
                linked AS (
                    UPDATE segment_lines s SET opportunity_no = line.no FROM line
                    WHERE s.segment_no = \(segmentNo) AND s.line_no = line.line_no)
                INSERT INTO opportunities AS o (no, description, contact_no, contact_company_no, salesperson_code,
                    campaign_no, segment_no, sales_cycle_code, estimated_value, created_by)
                SELECT line.no, \(description), line.contact_no, nullif(line.company_no, ''), line.salesperson_code,
                       nullif(line.campaign_no, ''), \(segmentNo), \(cycleCode), 0, \(actor.userID)
                FROM line
                RETURNING \(unescaped: Self.columns)
                """
            )
        }
        return try Self.inNumberOrder(rows.map(Self.decode), numbers, \.no)
    }

    /// Rows a set-based insert returned, in the order their numbers were drawn (the segment's line order).
    static func inNumberOrder<Row>(_ rows: [Row], _ numbers: [String], _ number: KeyPath<Row, String>) -> [Row] {
        let position = Dictionary(uniqueKeysWithValues: numbers.enumerated().map { ($1, $0) })
        return rows.sorted { position[$0[keyPath: number]] ?? 0 < position[$1[keyPath: number]] ?? 0 }
    }

    static func lockOpen(_ connection: PGConnection, _ no: String, actor: ActingUser) throws -> Opportunity {
        guard let opportunity = try Self.get(connection, no, lock: true) else {
            throw StoreError.notFound("Opportunity \(no) does not exist (OPPORTUNITY-LIST shows them)")
        }
        guard actor.mayActFor(opportunity.salespersonCode) else {
            throw AccessDenied("Opportunity \(no) belongs to salesperson \(opportunity.salespersonCode).")
        }
        guard opportunity.status.isOpen else {
            throw StoreError.conflict("Opportunity \(no) is closed (\(opportunity.status.rawValue))")
        }
        return opportunity
    }

    public static func update(
        _ connection: PGConnection,
        _ no: String,
        _ changes: OpportunityChanges,
        actor: ActingUser
    ) throws -> Opportunity {
        var opportunity = try Self.lockOpen(connection, no, actor: actor)
        if let description = changes.description {
            opportunity.description = try Self.requiredDescription(description)
        }
        if let code = changes.salespersonCode {
            opportunity.salespersonCode = try Self.salesperson(
                connection,
                given: code,
                contact: nil,
                actor: actor,
                what: "opportunities"
            )
        }
        if let campaign = changes.campaignNo {
            try Self.requireCampaign(connection, campaign)
            opportunity.campaignNo = campaign
        }
        if let value = changes.estimatedValue {
            if value < 0 { throw StoreError.invalid("estimated-value must not be negative") }
            opportunity.estimatedValue = value
        }
        if let date = changes.estimatedClosingDate { opportunity.estimatedClosingDate = date }
        if let chances = changes.chancesOfSuccess {
            if chances < 0 || chances > 100 { throw StoreError.invalid("chances must be from 0 to 100") }
            opportunity.chancesOfSuccess = chances
        }
        if let stage = changes.stage {
            guard let cycle = opportunity.salesCycleCode else {
                throw StoreError.invalid("Opportunity \(no) has no sales cycle: it has no stages")
            }
            guard
                let row = try connection.query(
                    """
                    SELECT chances_of_success FROM sales_cycle_stages
                    WHERE sales_cycle_code = \(cycle) AND stage = \(stage)
                    """
                ).first
            else {
                throw StoreError.notFound(
                    "Stage \(stage) does not exist in sales cycle \(cycle) (SALES-CYCLE-SHOW \(cycle) lists them)"
                )
            }
            opportunity.currentStage = stage
            opportunity.status = .inProgress
            if changes.chancesOfSuccess == nil { opportunity.chancesOfSuccess = try row.decode(Decimal.self, at: 0) }
        }
        let rows = try connection.query(
            """
            UPDATE opportunities o
            SET description = \(opportunity.description), salesperson_code = \(opportunity.salespersonCode),
                campaign_no = \(opportunity.campaignNo), current_stage = \(opportunity.currentStage),
                status = \(opportunity.status.rawValue), estimated_value = \(opportunity.estimatedValue),
                estimated_closing_date = \(opportunity.estimatedClosingDate?.pgValue),
                chances_of_success = \(opportunity.chancesOfSuccess)
            WHERE no = \(no)
            RETURNING \(unescaped: Self.columns)
            """
        )
        return try Self.decode(rows[0])
    }

    /// Closes an open opportunity as won or lost, with a reason; the date closed is today.
    public static func close(
        _ connection: PGConnection,
        _ no: String,
        outcome: OpportunityOutcome,
        reason: String?,
        actor: ActingUser
    ) throws -> Opportunity {
        _ = try Self.lockOpen(connection, no, actor: actor)
        if outcome == .lost, (reason ?? "").trimmingCharacters(in: .whitespaces).isEmpty {
            throw StoreError.invalid("A lost opportunity needs a reason: send reason=")
        }
        let rows = try connection.query(
            """
            UPDATE opportunities o
            SET status = \(outcome.rawValue), date_closed = CURRENT_DATE, close_reason = \(reason),
                chances_of_success = \(outcome == .won ? 100 : 0)
            WHERE no = \(no)
            RETURNING \(unescaped: Self.columns)
            """
        )
        return try Self.decode(rows[0])
    }

    public static func get(_ connection: PGConnection, _ no: String, lock: Bool = false) throws -> Opportunity? {
        try connection.query(
            "SELECT \(unescaped: Self.columns) FROM opportunities o WHERE o.no = \(no) \(unescaped: lock ? "FOR UPDATE" : "")"
        ).first.map(Self.decode)
    }

    public static func statistics(_ connection: PGConnection, _ no: String) throws -> OpportunityStatistics {
        let row = try connection.query(
            """
            SELECT count(*)::bigint, coalesce(sum(cost), 0)::numeric(18,2), coalesce(sum(duration), 0)::numeric(18,2),
                   max(date)
            FROM interaction_log_entries
            WHERE opportunity_no = \(no) AND NOT canceled AND NOT postponed
            """
        )[0]
        return OpportunityStatistics(
            interactions: try row.decode(Int.self, at: 0),
            cost: try row.decode(Decimal.self, at: 1),
            duration: try row.decode(Decimal.self, at: 2),
            lastDate: try row.decode(PGDate?.self, at: 3).map(CalendarDate.init)
        )
    }

    private static func whereClause(_ filter: OpportunityFilter) -> PGQuery {
        """
        (\(filter.salespersonCode)::text IS NULL OR o.salesperson_code = \(filter.salespersonCode))
        AND (\(filter.contactNo)::text IS NULL OR o.contact_no = \(filter.contactNo))
        AND (\(filter.companyNo)::text IS NULL OR o.contact_company_no = \(filter.companyNo))
        AND (\(filter.status?.rawValue)::text IS NULL OR o.status = \(filter.status?.rawValue))
        AND (\(filter.open)::boolean IS NULL OR (o.status IN ('not_started', 'in_progress')) = \(filter.open))
        """
    }

    public static func count(_ connection: PGConnection, _ filter: OpportunityFilter) throws -> Int {
        var query = Self.whereClause(filter)
        query.sql = "SELECT count(*) FROM opportunities o WHERE " + query.sql
        return try MasterDataLookup.count(connection, query)
    }

    public static func list(_ connection: PGConnection, _ filter: OpportunityFilter, after: String?, limit: Int)
        throws -> [Opportunity]
    {
        var query = Self.whereClause(filter)
        let afterPlaceholder = query.bind(after)
        let limitPlaceholder = query.bind(limit)
        query.sql =
            "SELECT \(Self.columns) FROM opportunities o WHERE " + query.sql
            + " AND (\(afterPlaceholder)::text IS NULL OR o.no > \(afterPlaceholder)) ORDER BY o.no LIMIT \(limitPlaceholder)"
        return try connection.query(query).map(Self.decode)
    }

    /// A contact with open tasks or open opportunities cannot be deleted.
    static func checkContactDelete(_ connection: PGConnection, _ no: String) throws {
        let row = try connection.query(
            """
            SELECT (SELECT min(t.no) FROM tasks t WHERE t.contact_no = \(no) AND NOT t.canceled AND t.status <> 'completed'),
                   (SELECT min(o.no) FROM opportunities o
                    WHERE o.contact_no = \(no) AND o.status IN ('not_started', 'in_progress'))
            """
        )[0]
        if let task = try row.decode(String?.self, at: 0) {
            throw StoreError.conflict(
                "You cannot delete contact \(no) because there are one or more tasks open (\(task)): complete or "
                    + "cancel them first"
            )
        }
        if let opportunity = try row.decode(String?.self, at: 1) {
            throw StoreError.conflict(
                "You cannot delete contact \(no) because there are one or more opportunities in progress "
                    + "(\(opportunity)): close them first"
            )
        }
    }

    /// The check of a segment line that names an opportunity: as an interaction's, with the line's contact
    /// and salesperson (else the segment's).
    static func checkSegmentLine(_ connection: PGConnection, segmentNo: String, lineNo: Int, _ opportunityNo: String)
        throws
    {
        let line = try connection.query(
            """
            SELECT l.contact_no, l.contact_company_no, coalesce(l.salesperson_code, h.salesperson_code)
            FROM segment_lines l JOIN segment_headers h ON h.no = l.segment_no
            WHERE l.segment_no = \(segmentNo) AND l.line_no = \(lineNo)
            """
        )[0]
        guard let contactNo = try line.decode(String?.self, at: 0) else {
            throw StoreError.invalid("Segment line \(lineNo) has no contact: it cannot name an opportunity")
        }
        try Self.checkLink(
            connection,
            opportunityNo: opportunityNo,
            contactNo: contactNo,
            contactCompanyNo: try line.decode(String?.self, at: 1),
            salespersonCode: try line.decode(String?.self, at: 2)
        )
    }

    /// The check of an interaction that names an opportunity: it exists, is open, belongs to the contact's
    /// company and, when the interaction has a salesperson, to that salesperson.
    static func checkLink(
        _ connection: PGConnection,
        opportunityNo: String,
        contactNo: String,
        contactCompanyNo: String?,
        salespersonCode: String?
    ) throws {
        guard
            let row = try connection.query(
                """
                SELECT status::text, contact_company_no, salesperson_code, contact_no
                FROM opportunities WHERE no = \(opportunityNo)
                """
            ).first
        else {
            throw InteractionValidation.doesNotExist("Opportunity", "No.", opportunityNo)
                .withFix(
                    "send another opportunity= (OPPORTUNITY-LIST shows them), or create it with OPPORTUNITY-CREATE"
                )
                .storeError
        }
        let status = try row.decode(String.self, at: 0)
        if !(OpportunityStatus(rawValue: status)?.isOpen ?? false) {
            throw StoreError.invalid(
                "Opportunity \(opportunityNo) is closed (\(status)): an interaction can be linked to an open opportunity only"
            )
        }
        let company = try row.decode(String?.self, at: 1)
        // A person without a company has only their own opportunities.
        let sameCompany =
            contactCompanyNo == nil
            ? try row.decode(String?.self, at: 3) == contactNo : company == contactCompanyNo
        if !sameCompany {
            throw StoreError.invalid(
                "Opportunity \(opportunityNo) belongs to company \(company ?? "(none)"), not to the company of contact "
                    + "\(contactNo) (\(contactCompanyNo ?? "none"))"
            )
        }
        let salesperson = try row.decode(String.self, at: 2)
        if let salespersonCode, salesperson != salespersonCode {
            throw StoreError.invalid(
                "Opportunity \(opportunityNo) belongs to salesperson \(salesperson), not to \(salespersonCode)"
            )
        }
    }
}
