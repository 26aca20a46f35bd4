import LibPQ
import RapportModel

/// The marketing setup (reference §1.1): number series and defaults for new contacts.
public struct MarketingSetup: Sendable, Equatable {
    public var contactNos: String?
    public var campaignNos: String?
    public var segmentNos: String?
    public var taskNos: String?
    public var opportunityNos: String?
    public var defaultCorrespondenceType: CorrespondenceType?
    public var defaultSalespersonCode: String?
    public var defaultLanguageCode: String?
    public var maxAttachmentBytes: Int64
    public var defaultSalesCycleCode: String?
    /// Default To-do Date Calculation (`1W`): see `TaskDateFormula`.
    public var defaultTaskDateFormula: String?
}

/// Changes to the marketing setup: nil leaves a field, `.some(nil)` blanks it.
public struct MarketingSetupChanges: Sendable, Equatable {
    public var contactNos: String??
    public var campaignNos: String??
    public var segmentNos: String??
    public var taskNos: String??
    public var opportunityNos: String??
    public var defaultCorrespondenceType: CorrespondenceType??
    public var defaultSalespersonCode: String??
    public var defaultLanguageCode: String??
    public var maxAttachmentBytes: Int64?
    public var defaultSalesCycleCode: String??
    public var defaultTaskDateFormula: String??

    public init() {}

    public var isEmpty: Bool { self == MarketingSetupChanges() }
}

/// The singleton marketing setup row, inside the caller's transaction.
public enum MarketingSetupStore {
    static let columns = """
        contact_nos, campaign_nos, segment_nos, task_nos, opportunity_nos, default_correspondence_type,
        default_salesperson_code, default_language_code, max_attachment_bytes, default_sales_cycle_code,
        default_task_date_formula
        """

    static func decode(_ row: PGRow) throws -> MarketingSetup {
        MarketingSetup(
            contactNos: try row.decode(String?.self, at: 0),
            campaignNos: try row.decode(String?.self, at: 1),
            segmentNos: try row.decode(String?.self, at: 2),
            taskNos: try row.decode(String?.self, at: 3),
            opportunityNos: try row.decode(String?.self, at: 4),
            defaultCorrespondenceType: try row.decode(String?.self, at: 5).flatMap(CorrespondenceType.init),
            defaultSalespersonCode: try row.decode(String?.self, at: 6),
            defaultLanguageCode: try row.decode(String?.self, at: 7),
            maxAttachmentBytes: try row.decode(Int64.self, at: 8),
            defaultSalesCycleCode: try row.decode(String?.self, at: 9),
            defaultTaskDateFormula: try row.decode(String?.self, at: 10)
        )
    }

    public static func get(_ connection: PGConnection) throws -> MarketingSetup {
        try Self.decode(connection.query("SELECT \(unescaped: Self.columns) FROM marketing_setup")[0])
    }

    public static func update(_ connection: PGConnection, _ changes: MarketingSetupChanges) throws -> MarketingSetup {
        let series: [(String, String??)] = [
            ("contact_nos", changes.contactNos), ("campaign_nos", changes.campaignNos),
            ("segment_nos", changes.segmentNos), ("task_nos", changes.taskNos),
            ("opportunity_nos", changes.opportunityNos),
        ]
        var assignments = MasterDataAssignments()
        for (column, change) in series {
            if case .some(.some(let code)) = change {
                try MasterDataLookup.require(
                    connection,
                    code,
                    in: "number_series",
                    "No. Series \(code) does not exist: create it with SERIES-ADD"
                )
            }
            assignments.set(column, change: change)
        }
        if case .some(.some(let code)) = changes.defaultSalespersonCode {
            try MasterDataLookup.require(
                connection,
                code,
                in: "salespeople",
                "Salesperson \(code) does not exist: create it with SALESPERSON-ADD"
            )
        }
        if case .some(.some(let code)) = changes.defaultLanguageCode {
            try MasterDataLookup.require(
                connection,
                code,
                in: "languages",
                "Language \(code) does not exist: create it with LANGUAGE-ADD"
            )
        }
        if case .some(.some(let code)) = changes.defaultSalesCycleCode {
            try MasterDataLookup.require(
                connection,
                code,
                in: "sales_cycles",
                "Sales cycle \(code) does not exist: create it with SALES-CYCLE-ADD"
            )
        }
        var formula = changes.defaultTaskDateFormula
        if case .some(.some(let text)) = formula {
            guard let parsed = TaskDateFormula(text) else {
                throw StoreError.invalid(
                    "task-date-formula must be a number and D, W, M or Y (e.g. 1W), not \(text)"
                )
            }
            formula = .some(parsed.description)
        }
        assignments.set("default_sales_cycle_code", change: changes.defaultSalesCycleCode)
        assignments.set("default_task_date_formula", change: formula)
        if let bytes = changes.maxAttachmentBytes, bytes <= 0 {
            throw StoreError.invalid("the maximum attachment size must be at least 1 byte")
        }
        assignments.set("default_correspondence_type", change: changes.defaultCorrespondenceType.map { $0?.rawValue })
        assignments.set("default_salesperson_code", change: changes.defaultSalespersonCode)
        assignments.set("default_language_code", change: changes.defaultLanguageCode)
        assignments.set("max_attachment_bytes", ifGiven: changes.maxAttachmentBytes)
        if assignments.isEmpty { return try Self.get(connection) }
        var query = assignments.query
        query.sql = "UPDATE marketing_setup SET \(assignments.setClause) RETURNING \(Self.columns)"
        return try Self.decode(connection.query(query)[0])
    }
}
