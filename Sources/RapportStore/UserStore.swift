import Foundation
import LibPQ
import RapportModel

/// A user as the server and the administrator see it (never the password hash).
public struct UserRecord: Sendable, Equatable {
    public var userID: String
    public var fullName: String?
    public var email: String?
    public var role: UserRole
    public var salespersonCode: String?
    public var blocked: Bool
    public var failedLogins: Int
    public var lastLoginAt: Date?
}

/// What an administrator gives to create a user.
public struct NewUser: Sendable, Equatable {
    public var userID: String
    public var role: UserRole
    public var fullName: String?
    public var email: String?
    public var salespersonCode: String?

    public init(
        userID: String,
        role: UserRole,
        fullName: String? = nil,
        email: String? = nil,
        salespersonCode: String? = nil
    ) {
        self.userID = userID
        self.role = role
        self.fullName = fullName
        self.email = email
        self.salespersonCode = salespersonCode
    }
}

extension Store {
    static let userColumns =
        "user_id, full_name, email, role::text, salesperson_code, blocked, failed_logins, last_login_at"

    static func decodeUser(_ row: PGRow) throws -> UserRecord {
        let roleText = try row.decode(String.self, at: 3)
        guard let role = UserRole(rawValue: roleText) else { throw PGError(.decoding, "unknown role \(roleText)") }
        return UserRecord(
            userID: try row.decode(String.self, at: 0),
            fullName: try row.decode(String?.self, at: 1),
            email: try row.decode(String?.self, at: 2),
            role: role,
            salespersonCode: try row.decode(String?.self, at: 4),
            blocked: try row.decode(Bool.self, at: 5),
            failedLogins: try row.decode(Int.self, at: 6),
            lastLoginAt: try row.decode(Date?.self, at: 7)
        )
    }

    /// Creates a user with an already hashed password.
    public func createUser(_ user: NewUser, passwordHash: String) async throws -> UserRecord {
        try await self.pool.withTransaction { try Self.createUser($0, user, passwordHash: passwordHash) }
    }

    /// Creates a user and, when the user's salesperson code names none yet, that salesperson (named
    /// after the user): the first-run path, so that a new user can log interactions at once.
    /// Returns the user and whether the salesperson was created.
    public func createUserWithSalesperson(_ user: NewUser, passwordHash: String) async throws
        -> (user: UserRecord, salespersonCreated: Bool)
    {
        try await self.pool.withTransaction { connection in
            var created = false
            if let code = user.salespersonCode {
                let name = (user.fullName ?? user.userID).prefix(codePoints: 50)
                created =
                    try connection.execute(
                        "INSERT INTO salespeople (code, name) VALUES (\(code), \(name)) ON CONFLICT (code) DO NOTHING"
                    ) == 1
            }
            return (try Self.createUser(connection, user, passwordHash: passwordHash), created)
        }
    }

    /// Creates a user inside the caller's transaction.
    public static func createUser(_ connection: PGConnection, _ user: NewUser, passwordHash: String) throws
        -> UserRecord
    {
        do {
            let rows = try connection.query(
                """
                INSERT INTO users (user_id, role, full_name, email, salesperson_code, password_hash)
                VALUES (\(user.userID), \(user.role.rawValue)::enum_user_role, \(user.fullName), \(user.email),
                        \(user.salespersonCode), \(passwordHash))
                RETURNING \(unescaped: Self.userColumns)
                """
            )
            return try Self.decodeUser(rows[0])
        } catch let error as PGError where error.isUniqueViolation {
            throw StoreError.conflict("user \(user.userID) already exists")
        } catch let error as PGError where error.isForeignKeyViolation {
            throw StoreError.notFound("salesperson \(user.salespersonCode ?? "") does not exist")
        }
    }

    public func user(_ userID: String) async throws -> UserRecord? {
        try await self.pool.withConnection { connection in
            let rows = try connection.query(
                "SELECT \(unescaped: Self.userColumns) FROM users WHERE user_id = \(userID)"
            )
            return try rows.first.map(Self.decodeUser)
        }
    }

    /// The user and their password hash, for checking a login.
    public func credentials(_ userID: String) async throws -> (user: UserRecord, passwordHash: String)? {
        try await self.pool.withConnection { connection in
            let rows = try connection.query(
                "SELECT \(unescaped: Self.userColumns), password_hash FROM users WHERE user_id = \(userID)"
            )
            guard let row = rows.first else { return nil }
            return (try Self.decodeUser(row), try row.decode(String.self, at: 8))
        }
    }

    public func listUsers() async throws -> [UserRecord] {
        try await self.pool.withConnection { connection in try Self.listUsers(connection) }
    }

    /// Users in ID order: a keyset page after `after` of at most `limit` (nil: all).
    /// How many users there are (the total of a list).
    public static func countUsers(_ connection: PGConnection) throws -> Int {
        try connection.query("SELECT count(*) FROM users")[0].decode(Int.self, at: 0)
    }

    public static func listUsers(_ connection: PGConnection, after: String? = nil, limit: Int? = nil) throws
        -> [UserRecord]
    {
        try connection.query(
            """
            SELECT \(unescaped: Self.userColumns) FROM users
            WHERE \(after)::text IS NULL OR user_id > \(after) ORDER BY user_id LIMIT \(limit)
            """
        ).map(Self.decodeUser)
    }

    public func setPasswordHash(_ userID: String, _ passwordHash: String) async throws {
        try await self.updateUser(userID, "password_hash = \(passwordHash), failed_logins = 0")
    }

    public func setBlocked(_ userID: String, _ blocked: Bool) async throws {
        try await self.updateUser(userID, "blocked = \(blocked)")
    }

    /// Counts a failed login, or resets the count and stamps the time of a successful one.
    public func recordLogin(_ userID: String, succeeded: Bool) async throws {
        if succeeded {
            try await self.updateUser(userID, "failed_logins = 0, last_login_at = now()")
        } else {
            try await self.updateUser(userID, "failed_logins = failed_logins + 1")
        }
    }

    /// Sets a user's password inside the caller's transaction (an idempotent write).
    public static func setPasswordHash(_ connection: PGConnection, _ userID: String, _ passwordHash: String) throws {
        try Self.updateUser(connection, userID, "password_hash = \(passwordHash), failed_logins = 0")
    }

    /// Blocks or unblocks a user inside the caller's transaction (an idempotent write).
    public static func setBlocked(_ connection: PGConnection, _ userID: String, _ blocked: Bool) throws {
        try Self.updateUser(connection, userID, "blocked = \(blocked)")
    }

    private func updateUser(_ userID: String, _ assignments: PGQuery) async throws {
        try await self.pool.withConnection { try Self.updateUser($0, userID, assignments) }
    }

    private static func updateUser(_ connection: PGConnection, _ userID: String, _ assignments: PGQuery) throws {
        var query = assignments
        let placeholder = query.bind(userID)
        query.sql = "UPDATE users SET \(query.sql), updated_at = now() WHERE user_id = \(placeholder)"
        let changed = try connection.execute(query)
        if changed == 0 { throw StoreError.notFound("user \(userID) does not exist: create it with USER-ADD") }
    }
}
