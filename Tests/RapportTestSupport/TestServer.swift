import LibPQ
import Logging
import NIOCore
import RapportModel
import RapportServer
import RapportStore

/// The real `rapportd` server, started in-process on port 0 over a fresh migrated database.
public final class TestServer: Sendable {
    public let database: TestDatabase
    public let server: RapportServer
    public let store: Store
    public let port: Int
    private let running: Task<Void, any Error>
    private let hasher: PasswordHasher

    /// Password of the users `createUser` makes unless told otherwise.
    public static let defaultPassword = "correct horse"

    public static func start(
        database given: TestDatabase? = nil,
        configure: @Sendable (inout ServerConfiguration) -> Void = { _ in },
        poolSize: Int = 4,
        hashing: PasswordHasher.Parameters = .init(logRounds: 4),
        logger givenLogger: Logger? = nil
    ) async throws -> TestServer {
        let database: TestDatabase
        if let given {
            database = given
        } else {
            database = try await TestPostgres.freshDatabase(migrated: true)
        }
        var configuration = ServerConfiguration()
        configuration.port = 0
        configuration.drainDelay = .zero
        configuration.shutdownGrace = .seconds(5)
        configure(&configuration)
        var logger = Logger(label: "rapportd.test")
        logger.logLevel = .warning
        if let givenLogger { logger = givenLogger }
        let pool = PGPool(configuration: .init(connection: database.configuration(), size: poolSize), logger: logger)
        let store = Store(pool: pool, logger: logger)
        // Cheap hashes by default: tests check behaviour, not cost (the login storm tests ask for
        // realistic ones, so that hashing is the bottleneck).
        let hasher = PasswordHasher(parameters: hashing)
        let server = RapportServer(configuration: configuration, store: store, hasher: hasher, logger: logger)
        let (bound, continuation) = AsyncStream<Int>.makeStream()
        let running = Task {
            defer { continuation.finish() }
            try await server.run { address in continuation.yield(address.port ?? 0) }
        }
        var iterator = bound.makeAsyncIterator()
        guard let port = await iterator.next() else {
            try await running.value
            throw PGError(.connectionFailed, "the test server did not start")
        }
        return TestServer(
            database: database,
            server: server,
            store: store,
            port: port,
            running: running,
            hasher: hasher
        )
    }

    private init(
        database: TestDatabase,
        server: RapportServer,
        store: Store,
        port: Int,
        running: Task<Void, any Error>,
        hasher: PasswordHasher
    ) {
        self.database = database
        self.server = server
        self.store = store
        self.port = port
        self.running = running
        self.hasher = hasher
    }

    /// Creates a user directly in the database.
    public func createUser(
        _ userID: String,
        role: UserRole,
        password: String = TestServer.defaultPassword,
        salesperson: String? = nil
    ) async throws {
        _ = try await self.store.createUser(
            NewUser(userID: userID, role: role, salespersonCode: salesperson),
            passwordHash: try await self.hasher.hash(password)
        )
    }

    /// Runs trusted SQL statements (test fixtures) on the test database.
    public func script(_ statements: String) async throws {
        let database = self.database
        try await TestPostgres.blocking {
            let connection = try database.connect()
            defer { connection.close() }
            try connection.executeScript(statements)
        }
    }

    /// The rows of a query, every column as text (cast it in SQL; NULL = nil).
    public func rows(_ query: String) async throws -> [[String?]] {
        let database = self.database
        return try await TestPostgres.blocking {
            let connection = try database.connect()
            defer { connection.close() }
            let rows = try connection.query(PGQuery(sql: query))
            return try rows.map { row in try (0..<row.columnCount).map { try row.decode(String?.self, at: $0) } }
        }
    }

    /// SIGTERM's path: drain, close the listener, end the sessions; returns when the server has stopped.
    public func stop() async throws {
        await self.server.shutdown()
        try await self.running.value
        await self.store.pool.shutdown()
        await self.hasher.shutdown()
    }
}
