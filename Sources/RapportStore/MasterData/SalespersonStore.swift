import LibPQ

/// A salesperson/purchaser (reference §1.17).
public struct Salesperson: Sendable, Equatable {
    public var code: String
    public var name: String?
    public var email: String?
    public var phoneNo: String?
    public var blocked: Bool

    public init(code: String, name: String? = nil, email: String? = nil, phoneNo: String? = nil, blocked: Bool = false)
    {
        self.code = code
        self.name = name
        self.email = email
        self.phoneNo = phoneNo
        self.blocked = blocked
    }
}

/// Changes to a salesperson: nil leaves a field, `.some(nil)` blanks it.
public struct SalespersonChanges: Sendable, Equatable {
    public var name: String??
    public var email: String??
    public var phoneNo: String??
    public var blocked: Bool?

    public init(name: String?? = nil, email: String?? = nil, phoneNo: String?? = nil, blocked: Bool? = nil) {
        self.name = name
        self.email = email
        self.phoneNo = phoneNo
        self.blocked = blocked
    }
}

/// Salespeople, inside the caller's transaction.
public enum SalespersonStore {
    static let columns = "code, name, email, phone_no, blocked"

    static func decode(_ row: PGRow) throws -> Salesperson {
        Salesperson(
            code: try row.decode(String.self, at: 0),
            name: try row.decode(String?.self, at: 1),
            email: try row.decode(String?.self, at: 2),
            phoneNo: try row.decode(String?.self, at: 3),
            blocked: try row.decode(Bool.self, at: 4)
        )
    }

    public static func add(_ connection: PGConnection, _ salesperson: Salesperson) throws -> Salesperson {
        try MasterDataLookup.inserting("Salesperson \(salesperson.code) already exists") {
            let rows = try connection.query(
                """
                INSERT INTO salespeople (code, name, email, phone_no, blocked)
                VALUES (\(salesperson.code), \(salesperson.name), \(salesperson.email), \(salesperson.phoneNo),
                        \(salesperson.blocked))
                RETURNING \(unescaped: Self.columns)
                """
            )
            return try Self.decode(rows[0])
        }
    }

    public static func update(_ connection: PGConnection, _ code: String, _ changes: SalespersonChanges) throws
        -> Salesperson
    {
        var assignments = MasterDataAssignments()
        assignments.set("name", change: changes.name)
        assignments.set("email", change: changes.email)
        assignments.set("phone_no", change: changes.phoneNo)
        assignments.set("blocked", ifGiven: changes.blocked)
        if assignments.isEmpty { return try Self.require(connection, code) }
        let rows = try connection.query(
            assignments.update("salespeople", keyColumn: "code", key: code, returning: Self.columns)
        )
        guard let row = rows.first else { throw StoreError.notFound("Salesperson \(code) does not exist") }
        return try Self.decode(row)
    }

    public static func get(_ connection: PGConnection, _ code: String) throws -> Salesperson? {
        try connection.query("SELECT \(unescaped: Self.columns) FROM salespeople WHERE code = \(code)")
            .first.map(Self.decode)
    }

    public static func require(_ connection: PGConnection, _ code: String) throws -> Salesperson {
        guard let found = try Self.get(connection, code) else {
            throw StoreError.notFound("Salesperson \(code) does not exist")
        }
        return found
    }

    /// Salespeople in code order: a keyset page after `after` of at most `limit` (nil: all).
    /// How many salespeople there are (the total of a list).
    public static func count(_ connection: PGConnection) throws -> Int {
        try MasterDataLookup.count(connection, "SELECT count(*) FROM salespeople")
    }

    public static func list(_ connection: PGConnection, after: String? = nil, limit: Int? = nil) throws -> [Salesperson]
    {
        try connection.query(
            """
            SELECT \(unescaped: Self.columns) FROM salespeople
            WHERE \(after)::text IS NULL OR code > \(after) ORDER BY code LIMIT \(limit)
            """
        ).map(Self.decode)
    }

    /// Deletes a salesperson nothing refers to any more.
    public static func delete(_ connection: PGConnection, _ code: String) throws {
        let message =
            "Salesperson \(code) cannot be deleted because users, contacts, campaigns, segments or interaction "
            + "log entries refer to it; block it instead"
        let deleted = try MasterDataLookup.deleting(message) {
            try connection.execute("DELETE FROM salespeople WHERE code = \(code)")
        }
        if deleted == 0 { throw StoreError.notFound("Salesperson \(code) does not exist") }
    }
}
