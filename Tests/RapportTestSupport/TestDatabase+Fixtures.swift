import LibPQ
import Logging
import RapportModel
import RapportServer
import RapportStore

extension TestDatabase {
    /// Runs trusted SQL statements (test fixtures) on this database.
    public func script(_ statements: String) async throws {
        try await TestPostgres.blocking {
            let connection = try self.connect()
            defer { connection.close() }
            try connection.executeScript(statements)
        }
    }

    /// The rows of a query, every column as text (cast it in SQL; NULL = nil).
    public func rows(_ query: String) async throws -> [[String?]] {
        try await TestPostgres.blocking {
            let connection = try self.connect()
            defer { connection.close() }
            let rows = try connection.query(PGQuery(sql: query))
            return try rows.map { row in try (0..<row.columnCount).map { try row.decode(String?.self, at: $0) } }
        }
    }

    /// The number a `SELECT count(*) …` (or any one-integer query) returns; -1 when there is none.
    public func count(_ query: String) async throws -> Int {
        Int((try await self.rows("SELECT (\(query))::text").first?.first ?? nil) ?? "") ?? -1
    }

    /// Creates users (role: salesperson, manager or administrator) directly in this database with cheap password hashes (for servers started as
    /// separate processes, which verify whatever cost the hash names).
    public func createUsers(
        _ users: [(userID: String, role: String, salesperson: String?)],
        password: String = TestServer.defaultPassword
    ) async throws {
        var logger = Logger(label: "rapport.tests")
        logger.logLevel = .warning
        let pool = PGPool(configuration: .init(connection: self.configuration(), size: 1), logger: logger)
        let hasher = PasswordHasher(parameters: .init(logRounds: 4))
        do {
            let store = Store(pool: pool, logger: logger)
            for user in users {
                guard let role = UserRole(rawValue: user.role) else {
                    throw PGError(.connectionFailed, "no role \(user.role)")
                }
                _ = try await store.createUser(
                    NewUser(userID: user.userID, role: role, salespersonCode: user.salesperson),
                    passwordHash: try await hasher.hash(password)
                )
            }
        } catch {
            await pool.shutdown()
            await hasher.shutdown()
            throw error
        }
        await pool.shutdown()
        await hasher.shutdown()
    }
}
