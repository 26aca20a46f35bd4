import Foundation
import LibPQ
import Logging
import NIOCore
import RapportServer
import RapportStore

/// The real server, in-process on a free port, over the benchmark cluster, with a manager `BENCH`
/// whose salesperson is `AH` (the fixtures must have created that salesperson).
final class BenchServer: Sendable {
    static let user = "BENCH"
    static let password = "bench password"

    let port: Int
    private let server: RapportServer
    private let pool: PGPool
    private let hasher: PasswordHasher
    private let serving: Task<Void, any Error>

    static func start(_ cluster: BenchCluster, poolSize: Int = 8) async throws -> BenchServer {
        var logger = Logger(label: "rapport-bench.server")
        logger.logLevel = .warning
        let pool = PGPool(configuration: .init(connection: cluster.configuration(), size: poolSize), logger: logger)
        let hasher = PasswordHasher(parameters: .init(logRounds: 4))
        let hash = try await hasher.hash(Self.password)
        try await pool.withConnection { connection in
            try connection.execute(
                "INSERT INTO users (user_id, role, password_hash, salesperson_code) VALUES ('BENCH', 'manager', \(hash), 'AH')"
            )
        }
        var configuration = ServerConfiguration()
        configuration.port = 0
        configuration.drainDelay = .zero
        // The server's own settings, as rapportd reads them (for trying other group commit settings).
        let environment = ProcessInfo.processInfo.environment
        if let lanes = environment["RAPPORT_GROUP_COMMIT_LANES"].flatMap(Int.init) {
            configuration.groupCommit.lanes = lanes
        }
        if let batch = environment["RAPPORT_GROUP_COMMIT_BATCH"].flatMap(Int.init) {
            configuration.groupCommit.maximumBatch = batch
        }
        let server = RapportServer(
            configuration: configuration,
            store: Store(pool: pool, logger: logger),
            hasher: hasher,
            logger: logger
        )
        let (bound, continuation) = AsyncStream<Int>.makeStream()
        let serving = Task {
            defer { continuation.finish() }
            try await server.run { address in continuation.yield(address.port ?? 0) }
        }
        var ports = bound.makeAsyncIterator()
        guard let port = await ports.next() else { throw BenchError("the server did not start") }
        return BenchServer(port: port, server: server, pool: pool, hasher: hasher, serving: serving)
    }

    private init(port: Int, server: RapportServer, pool: PGPool, hasher: PasswordHasher, serving: Task<Void, any Error>)
    {
        self.port = port
        self.server = server
        self.pool = pool
        self.hasher = hasher
        self.serving = serving
    }

    /// Group commit batches and the commands in them so far.
    var groupCommitTotals: (batches: Int, commands: Int) { self.server.groupCommitTotals }

    func stop() async throws {
        await self.server.shutdown()
        try await self.serving.value
        await self.pool.shutdown()
        await self.hasher.shutdown()
    }
}
