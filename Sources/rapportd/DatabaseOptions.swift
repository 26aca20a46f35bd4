import ArgumentParser
import Foundation
import LibPQ
import Logging
import PostgresLauncher

/// Where the database is: an external server (URL or libpq's `PG*` variables) or, when nothing is
/// configured, a private cluster that rapportd starts itself (the embedded default).
struct DatabaseOptions: ParsableArguments {
    @Option(
        name: .customLong("database-url"),
        help:
            "PostgreSQL URL (postgresql://…); also RAPPORT_DATABASE_URL. Without one (and without PGHOST/PGDATABASE/PGSERVICE), rapportd runs its own private PostgreSQL."
    )
    var databaseURL: String?

    @Option(
        name: .customLong("data-dir"),
        help: "Folder of the embedded PostgreSQL cluster; also RAPPORT_DATA_DIR (default .rapport/postgres)."
    )
    var dataDirectory: String?

    @Option(
        name: .customLong("statement-timeout"),
        help: "Seconds after which PostgreSQL cancels a statement (RAPPORT_STATEMENT_TIMEOUT); default 30."
    )
    var statementTimeoutSeconds: Int?

    /// Runs `body` with a connection configuration; an embedded cluster lives exactly as long as the call.
    func withDatabase<T>(logger: Logger, _ body: (ConnectionConfiguration) async throws -> T) async throws -> T {
        let environment = ProcessInfo.processInfo.environment
        let url = self.databaseURL ?? environment["RAPPORT_DATABASE_URL"]
        let seconds = self.statementTimeoutSeconds ?? environment["RAPPORT_STATEMENT_TIMEOUT"].flatMap(Int.init) ?? 30
        let timeout = Duration.seconds(seconds)
        let libpqConfigured = ["PGHOST", "PGDATABASE", "PGSERVICE", "PGHOSTADDR"].contains {
            environment[$0]?.isEmpty == false
        }
        if url != nil || libpqConfigured {
            let configuration = ConnectionConfiguration(
                url: url,
                applicationName: "rapportd",
                statementTimeout: timeout
            )
            return try await body(configuration)
        }

        let directory = self.dataDirectory ?? environment["RAPPORT_DATA_DIR"] ?? ".rapport/postgres"
        let absolute = URL(
            fileURLWithPath: directory,
            relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        ).standardizedFileURL.path
        let cluster = try EmbeddedCluster(
            options: .init(directory: absolute),
            installation: try PostgresInstallation.locate(),
            logger: logger
        )
        let started = try await offloaded { try cluster.start() }
        // Stop the cluster on the way out only if this process started it.
        let stop: @Sendable () async throws -> Void = { if started { try await offloaded { try cluster.stop() } } }
        do {
            try await Self.ensureDatabase("rapport", on: cluster)
            let configuration = ConnectionConfiguration(
                parameters: cluster.connectionParameters(database: "rapport"),
                applicationName: "rapportd",
                statementTimeout: timeout
            )
            let result = try await body(configuration)
            try await stop()
            return result
        } catch {
            try? await stop()
            throw error
        }
    }

    private static func ensureDatabase(_ name: String, on cluster: EmbeddedCluster) async throws {
        try await offloaded {
            let admin = try PGConnection.connect(
                ConnectionConfiguration(parameters: cluster.connectionParameters(database: "postgres"))
            )
            defer { admin.close() }
            let exists = try admin.query("SELECT 1 FROM pg_database WHERE datname = \(name)")
            if exists.isEmpty {
                try admin.execute(PGQuery(sql: "CREATE DATABASE \"\(name)\""))
            }
        }
    }
}

/// Runs blocking work (process launches, one-off libpq calls) on its own thread, off Swift's
/// cooperative pool.
func offloaded<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread { continuation.resume(with: Result { try work() }) }
        thread.start()
    }
}
