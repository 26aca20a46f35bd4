import ArgumentParser
import Foundation
import LibPQ
import Logging
import NIOCore
import RapportServer
import RapportStore

@main
struct Rapportd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rapportd",
        abstract: "Rapport: the interaction ledger server.",
        discussion: "With no database configured, rapportd runs its own private PostgreSQL in .rapport/postgres.",
        subcommands: [Serve.self, Migrate.self, UserCommand.self, ProtocolReference.self],
        defaultSubcommand: Serve.self
    )
}

/// Applies pending migrations and exits.
struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Apply pending schema migrations (sql/NNNN_*.sql) and exit."
    )

    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        let logger = makeLogger()
        try await self.database.withDatabase(logger: logger) { configuration in
            let report = try await migrate(configuration, logger: logger)
            print(
                "schema current: \(report.applied.count) migration(s) applied, \(report.alreadyApplied.count) already applied"
            )
        }
    }
}

/// Starts the database (embedded by default), migrates it and serves until SIGINT/SIGTERM.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the server (the default).")

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var server: ServerOptions

    func run() async throws {
        let logger = makeLogger()
        let configuration = try self.server.configuration()
        let poolSize = try self.server.poolSize()
        try await self.database.withDatabase(logger: logger) { connection in
            _ = try await migrate(connection, logger: logger)
            let pool = PGPool(configuration: .init(connection: connection, size: poolSize), logger: logger)
            let hasher = PasswordHasher()
            let server = RapportServer(
                configuration: configuration,
                store: Store(pool: pool, logger: logger),
                hasher: hasher,
                logger: logger
            )
            var endpoint: MetricsEndpoint?
            if let port = configuration.metricsPort {
                endpoint = try await MetricsEndpoint.start(host: configuration.metricsHost, port: port, server: server)
                FileHandle.standardOutput.write(Data("rapportd: metrics on http://\(configuration.metricsHost):\(endpoint?.port ?? port)/metrics\n".utf8))
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    // Idempotency keys are for retries, not history: forget them after a week.
                    while !Task.isCancelled {
                        _ = try? await pool.withConnection { try IdempotencyStore.expire($0, olderThanDays: 7) }
                        try? await Task.sleep(for: .seconds(3600))
                    }
                }
                group.addTask {
                    for await signal in terminationSignals() {
                        logger.info("shutting down", metadata: ["signal": "\(signal)"])
                        await server.shutdown()
                        return
                    }
                }
                // Returns once the listener is closed and every session has ended.
                defer { group.cancelAll() }
                try await server.run { address in
                    let line = "rapportd: listening on \(address.ipAddress ?? configuration.host):\(address.port ?? configuration.port)\n"
                    FileHandle.standardOutput.write(Data(line.utf8))
                }
            }
            await endpoint?.stop()
            await pool.shutdown()
            await hasher.shutdown()
        }
    }
}

func migrate(_ configuration: ConnectionConfiguration, logger: Logger) async throws -> Migrator.Report {
    try await offloaded {
        let connection = try PGConnection.connect(configuration)
        defer { connection.close() }
        return try Migrator(logger: logger).migrate(connection)
    }
}

func makeLogger() -> Logger {
    var logger = Logger(label: "rapportd")
    let level = ProcessInfo.processInfo.environment["RAPPORT_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:))
    logger.logLevel = level ?? .info
    return logger
}
