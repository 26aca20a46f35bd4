import ArgumentParser
import Foundation
import LibPQ
import Logging
import RapportStore

@main
struct Rapportd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rapportd",
        abstract: "Rapport: the interaction ledger server.",
        subcommands: [Serve.self, Migrate.self],
        defaultSubcommand: Serve.self
    )
}

/// Applies pending migrations and exits.
struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending schema migrations (sql/NNNN_*.sql) and exit.")

    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        let logger = makeLogger()
        try await self.database.withDatabase(logger: logger) { configuration in
            let report = try await migrate(configuration, logger: logger)
            print("schema current: \(report.applied.count) migration(s) applied, \(report.alreadyApplied.count) already applied")
        }
    }
}

/// Starts the database (embedded by default), migrates it and serves until SIGINT/SIGTERM.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the server (the default).")

    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        let logger = makeLogger()
        try await self.database.withDatabase(logger: logger) { configuration in
            _ = try await migrate(configuration, logger: logger)
            print("rapportd: database ready and migrated; press Ctrl-C to stop")
            let signal = await waitForTerminationSignal()
            logger.info("stopping", metadata: ["signal": "\(signal)"])
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
    logger.logLevel = .info
    return logger
}
