import Foundation
import LibPQ
import Logging
import PostgresLauncher
import RapportStore

/// A private, durable PostgreSQL cluster in a temporary folder (as a real install would run it), with one
/// migrated database. Stopped and deleted by `stop()`.
final class BenchCluster: Sendable {
    let cluster: EmbeddedCluster
    let root: String
    let database = "bench"

    init() throws {
        self.root = NSTemporaryDirectory() + "rapport-bench-\(ProcessInfo.processInfo.processIdentifier)"
        try FileManager.default.createDirectory(atPath: self.root, withIntermediateDirectories: true)
        // The cluster runs as the postgres user when we are root; it must be able to enter the folder.
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: self.root)
        var quiet = Logger(label: "rapport-bench.postgres")
        quiet.logLevel = .warning
        self.cluster = try EmbeddedCluster(
            options: .init(directory: self.root + "/pg", port: 5499, durable: true),
            installation: try PostgresInstallation.locate(),
            logger: quiet
        )
    }

    func start() throws {
        try self.cluster.start()
        let admin = try PGConnection.connect(self.configuration(database: "postgres"))
        defer { admin.close() }
        try admin.execute(PGQuery(sql: "CREATE DATABASE \(self.database)"))
        let connection = try self.connect()
        defer { connection.close() }
        var quiet = Logger(label: "rapport-bench.migrate")
        quiet.logLevel = .warning
        _ = try Migrator(logger: quiet).migrate(connection)
        // RAPPORT_BENCH_PGLOG=FILE: every statement logged with its duration, the log copied to FILE at the end.
        if ProcessInfo.processInfo.environment["RAPPORT_BENCH_PGLOG"] != nil {
            try connection.execute(PGQuery(sql: "ALTER SYSTEM SET log_min_duration_statement = 0"))
            _ = try connection.query(PGQuery(sql: "SELECT pg_reload_conf()"))
        }
    }

    func configuration(database: String? = nil) -> ConnectionConfiguration {
        ConnectionConfiguration(
            parameters: self.cluster.connectionParameters(database: database ?? self.database),
            applicationName: "rapport-bench",
            statementTimeout: .seconds(600)
        )
    }

    func connect() throws -> PGConnection {
        try PGConnection.connect(self.configuration())
    }

    /// libpq environment for psql/pgbench.
    var environment: [String: String] {
        let parameters = self.cluster.connectionParameters(database: self.database)
        var environment = ProcessInfo.processInfo.environment
        environment["PGHOST"] = parameters["host"]
        environment["PGPORT"] = parameters["port"]
        environment["PGUSER"] = parameters["user"]
        environment["PGDATABASE"] = parameters["dbname"]
        return environment
    }

    func program(_ name: String) -> String {
        self.cluster.installation.program(name)
    }

    func stop() {
        try? self.cluster.stop()
        if let copy = ProcessInfo.processInfo.environment["RAPPORT_BENCH_PGLOG"] {
            try? FileManager.default.removeItem(atPath: copy)
            try? FileManager.default.copyItem(atPath: self.cluster.logFile, toPath: copy)
        }
        try? FileManager.default.removeItem(atPath: self.root)
    }
}
