import LibPQ

/// An interaction group (reference §1.2). Its statistics are computed elsewhere.
public struct InteractionGroup: Sendable, Equatable {
    public var code: String
    public var description: String?

    public init(code: String, description: String? = nil) {
        self.code = code
        self.description = description
    }
}

/// Interaction groups, inside the caller's transaction.
public enum InteractionGroupStore {
    public static func add(_ connection: PGConnection, _ group: InteractionGroup) throws -> InteractionGroup {
        try MasterDataLookup.inserting("Interaction Group \(group.code) already exists") {
            try connection.execute(
                "INSERT INTO interaction_groups (code, description) VALUES (\(group.code), \(group.description))"
            )
        }
        return group
    }

    /// Sets the description (`nil` blanks it).
    public static func update(_ connection: PGConnection, _ code: String, description: String?) throws
        -> InteractionGroup
    {
        let changed = try connection.execute(
            "UPDATE interaction_groups SET description = \(description) WHERE code = \(code)"
        )
        if changed == 0 { throw StoreError.notFound("Interaction Group \(code) does not exist") }
        return InteractionGroup(code: code, description: description)
    }

    /// Groups in code order: a keyset page after `after` of at most `limit` (nil: all).
    /// How many groups there are (the total of a list).
    public static func count(_ connection: PGConnection) throws -> Int {
        try MasterDataLookup.count(connection, "SELECT count(*) FROM interaction_groups")
    }

    public static func list(_ connection: PGConnection, after: String? = nil, limit: Int? = nil) throws
        -> [InteractionGroup]
    {
        try connection.query(
            """
            SELECT code, description FROM interaction_groups
            WHERE \(after)::text IS NULL OR code > \(after) ORDER BY code LIMIT \(limit)
            """
        ).map {
            InteractionGroup(code: try $0.decode(String.self, at: 0), description: try $0.decode(String?.self, at: 1))
        }
    }

    /// Deletes a group no template, segment or log entry uses (FK RESTRICT; see docs/DECISIONS.md).
    public static func delete(_ connection: PGConnection, _ code: String) throws {
        let message =
            "Interaction Group \(code) cannot be deleted because interaction templates, segments or interaction "
            + "log entries use it"
        let deleted = try MasterDataLookup.deleting(message) {
            try connection.execute("DELETE FROM interaction_groups WHERE code = \(code)")
        }
        if deleted == 0 { throw StoreError.notFound("Interaction Group \(code) does not exist") }
    }
}
