import LibPQ

/// A small master table of codes with a description: business relations, mailing groups, campaign
/// statuses.
public struct CodeTable: Sendable, Equatable {
    /// The SQL table (a fixed identifier, never user input).
    let table: String
    /// "Business relation", "Mailing group", … as messages name it.
    public let noun: String
    /// Why a code in use cannot be deleted.
    let inUse: String

    public static let businessRelations = CodeTable(
        table: "business_relations",
        noun: "Business relation",
        inUse: "contacts are linked with it"
    )
    public static let mailingGroups = CodeTable(table: "mailing_groups", noun: "Mailing group", inUse: "")
    public static let campaignStatuses = CodeTable(
        table: "campaign_statuses",
        noun: "Campaign status",
        inUse: "campaigns have it"
    )
}

/// A code and its description.
public struct CodeRecord: Sendable, Equatable {
    public var code: String
    public var description: String?
}

/// Inside the caller's transaction.
public enum CodeTableStore {
    static func decode(_ row: PGRow) throws -> CodeRecord {
        CodeRecord(code: try row.decode(String.self, at: 0), description: try row.decode(String?.self, at: 1))
    }

    public static func add(_ connection: PGConnection, _ table: CodeTable, code: String, description: String?)
        throws -> CodeRecord
    {
        try MasterDataLookup.inserting("\(table.noun) \(code) already exists") {
            try self.decode(
                connection.query(
                    """
                    INSERT INTO \(unescaped: table.table) (code, description) VALUES (\(code), \(description))
                    RETURNING code, description
                    """
                )[0]
            )
        }
    }

    public static func set(_ connection: PGConnection, _ table: CodeTable, code: String, description: String?)
        throws -> CodeRecord
    {
        guard
            let row = try connection.query(
                """
                UPDATE \(unescaped: table.table) SET description = \(description) WHERE code = \(code)
                RETURNING code, description
                """
            ).first
        else { throw Self.missing(table, code) }
        return try self.decode(row)
    }

    public static func count(_ connection: PGConnection, _ table: CodeTable) throws -> Int {
        try connection.query("SELECT count(*) FROM \(unescaped: table.table)")[0].decode(Int.self, at: 0)
    }

    public static func list(_ connection: PGConnection, _ table: CodeTable, after: String?, limit: Int) throws
        -> [CodeRecord]
    {
        try connection.query(
            """
            SELECT code, description FROM \(unescaped: table.table)
            WHERE \(after)::text IS NULL OR code > \(after) ORDER BY code LIMIT \(limit)
            """
        ).map(Self.decode)
    }

    public static func delete(_ connection: PGConnection, _ table: CodeTable, code: String) throws {
        let deleted = try MasterDataLookup.deleting("\(table.noun) \(code) cannot be deleted because \(table.inUse)") {
            try connection.execute("DELETE FROM \(unescaped: table.table) WHERE code = \(code)")
        }
        if deleted == 0 { throw Self.missing(table, code) }
    }

    public static func require(_ connection: PGConnection, _ table: CodeTable, _ code: String?) throws {
        guard let code else { return }
        if try connection.query("SELECT 1 FROM \(unescaped: table.table) WHERE code = \(code)").isEmpty {
            throw Self.missing(table, code)
        }
    }

    static func missing(_ table: CodeTable, _ code: String) -> StoreError {
        .notFound("\(table.noun) \(code) does not exist.")
    }
}
