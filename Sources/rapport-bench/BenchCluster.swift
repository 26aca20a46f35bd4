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
        // RAPPORT_BENCH_AUTOEXPLAIN=MS: auto_explain (ANALYZE, nested statements, triggers) of every statement
        // slower than MS milliseconds in sessions opened from now on (the server's), into the log above.
        if let threshold = ProcessInfo.processInfo.environment["RAPPORT_BENCH_AUTOEXPLAIN"], Int(threshold) != nil {
            try connection.execute(PGQuery(sql: "LOAD 'auto_explain'"))
            for setting in [
                "session_preload_libraries = 'auto_explain'", "auto_explain.log_min_duration = \(threshold)",
                "auto_explain.log_analyze = on", "auto_explain.log_buffers = on", "auto_explain.log_triggers = on",
                "auto_explain.log_nested_statements = on", "auto_explain.log_timing = on",
            ] {
                try connection.execute(PGQuery(sql: "ALTER SYSTEM SET " + setting))
            }
            _ = try connection.query(PGQuery(sql: "SELECT pg_reload_conf()"))
        }
    }

    /// Loads `pg_stat_statements` (a restart: `shared_preload_libraries`) when the installation has it
    /// (postgresql-contrib), with tracking off until `trackStatements(true)`. Returns whether it is loaded.
    func loadStatementStatistics() throws -> Bool {
        let libraries = try self.administer("SELECT setting FROM pg_config WHERE name = 'PKGLIBDIR'")[0].decode(
            String.self,
            at: 0
        )
        guard FileManager.default.fileExists(atPath: libraries + "/pg_stat_statements.so") else { return false }
        try self.administer("ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'")
        try self.cluster.stop()
        try self.cluster.start()
        try self.administer("CREATE EXTENSION pg_stat_statements")
        try self.trackStatements(false)
        return true
    }

    /// Switches `pg_stat_statements` on (top-level statements, counters reset) or off, for every session.
    func trackStatements(_ on: Bool) throws {
        try self.administer("ALTER SYSTEM SET pg_stat_statements.track = '\(on ? "top" : "none")'")
        try self.administer("SELECT pg_reload_conf()")
        Thread.sleep(forTimeInterval: 0.2)  // the backends take the reload before their next command
        if on { try self.administer("SELECT pg_stat_statements_reset()") }
    }

    /// Runs one statement in the `postgres` database (outside the benchmark's database, so that
    /// `pg_stat_statements` counts there only what the server and pgbench sent).
    @discardableResult
    func administer(_ sql: String) throws -> PGRows {
        let admin = try PGConnection.connect(self.configuration(database: "postgres"))
        defer { admin.close() }
        return try admin.query(PGQuery(sql: sql))
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
        // RAPPORT_BENCH_HOLD=SECONDS: the cluster stays up that long after the run (to look at it with psql).
        if let hold = ProcessInfo.processInfo.environment["RAPPORT_BENCH_HOLD"].flatMap(Double.init) {
            print("holding the cluster (\(self.root)/pg) for \(hold) s")
            Thread.sleep(forTimeInterval: hold)
        }
        try? self.cluster.stop()
        if let copy = ProcessInfo.processInfo.environment["RAPPORT_BENCH_PGLOG"] {
            try? FileManager.default.removeItem(atPath: copy)
            try? FileManager.default.copyItem(atPath: self.cluster.logFile, toPath: copy)
        }
        try? FileManager.default.removeItem(atPath: self.root)
    }
}
