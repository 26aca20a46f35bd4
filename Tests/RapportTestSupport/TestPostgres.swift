import Foundation
import LibPQ
import Logging
import PostgresLauncher
import RapportStore

/// A database of its own for one test (or suite), in the one private cluster of this test run.
public struct TestDatabase: Sendable {
    public let name: String
    public let cluster: EmbeddedCluster

    public init(name: String, cluster: EmbeddedCluster) {
        self.name = name
        self.cluster = cluster
    }

    /// Configuration for `PGConnection.connect` and `PGPool`.
    public func configuration(statementTimeout: Duration? = .seconds(30)) -> ConnectionConfiguration {
        ConnectionConfiguration(
            parameters: self.cluster.connectionParameters(database: self.name),
            applicationName: "rapport-tests",
            statementTimeout: statementTimeout
        )
    }

    /// Opens a connection (blocking; tests call it from `TestPostgres.blocking`).
    public func connect() throws -> PGConnection {
        try PGConnection.connect(self.configuration())
    }
}

/// Starts one private PostgreSQL cluster per test process with the same launcher as the embedded
/// default, and hands out fresh databases: empty ones cloned from `template0`, migrated ones cloned
/// from a template database migrated once per run.
///
/// The cluster lives in `$RAPPORT_TEST_ROOT` (the Makefile sets it, and removes it after the run even
/// when the test process crashed) or a new temporary folder; it is stopped and deleted at exit.
public enum TestPostgres {
    public static func freshDatabase(migrated: Bool = true) async throws -> TestDatabase {
        try await SharedCluster.shared.freshDatabase(migrated: migrated)
    }

    /// The folder this run keeps its clusters in (removed after the run, even after a crash).
    public static var rootDirectory: String {
        if let given = ProcessInfo.processInfo.environment["RAPPORT_TEST_ROOT"], !given.isEmpty { return given }
        return defaultRoot
    }

    static let defaultRoot = NSTemporaryDirectory() + "rapport-test-\(UUID().uuidString.prefix(8))"

    /// Runs blocking work (libpq calls, processes) on a thread of its own, off the cooperative pool.
    public static func blocking<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try work() }) }.start()
        }
    }
}

private actor SharedCluster {
    static let shared = SharedCluster()

    private var starting: Task<EmbeddedCluster, any Error>?
    private var databaseCount = 0

    func freshDatabase(migrated: Bool) async throws -> TestDatabase {
        let cluster = try await self.cluster()
        self.databaseCount += 1
        let name = "test_\(ProcessInfo.processInfo.processIdentifier)_\(self.databaseCount)"
        let template = migrated ? "rapport_template" : "template0"
        try await TestPostgres.blocking {
            let admin = try PGConnection.connect(Self.adminConfiguration(cluster))
            defer { admin.close() }
            try admin.execute(PGQuery(sql: "CREATE DATABASE \"\(name)\" TEMPLATE \"\(template)\""))
        }
        return TestDatabase(name: name, cluster: cluster)
    }

    private func cluster() async throws -> EmbeddedCluster {
        if let starting = self.starting { return try await starting.value }
        let task = Task<EmbeddedCluster, any Error> {
            try await TestPostgres.blocking { try Self.startCluster() }
        }
        self.starting = task
        return try await task.value
    }

    private static func adminConfiguration(_ cluster: EmbeddedCluster) -> ConnectionConfiguration {
        ConnectionConfiguration(
            parameters: cluster.connectionParameters(database: "postgres"),
            applicationName: "rapport-tests"
        )
    }

    private static func startCluster() throws -> EmbeddedCluster {
        let root = TestPostgres.rootDirectory
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        // The cluster may run as the postgres user, who must be able to enter the folder.
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: root)
        let cluster = try EmbeddedCluster(
            options: .init(directory: root + "/pg", durable: false, maxConnections: 300),
            installation: try PostgresInstallation.locate()
        )
        ClusterCleanup.register(cluster: cluster, root: root)
        try cluster.start()

        let admin = try PGConnection.connect(adminConfiguration(cluster))
        defer { admin.close() }
        try admin.execute("CREATE DATABASE rapport_template")
        let template = try PGConnection.connect(
            ConnectionConfiguration(parameters: cluster.connectionParameters(database: "rapport_template"))
        )
        var quiet = Logger(label: "rapport.tests")
        quiet.logLevel = .warning
        _ = try Migrator(logger: quiet).migrate(template)
        template.close()
        return cluster
    }
}

/// Stops the test cluster and deletes its folder when the test process exits.
private enum ClusterCleanup {
    nonisolated(unsafe) static var cluster: EmbeddedCluster?
    nonisolated(unsafe) static var root: String?

    static func register(cluster: EmbeddedCluster, root: String) {
        self.cluster = cluster
        self.root = root
        atexit {
            try? ClusterCleanup.cluster?.stop()
            if let root = ClusterCleanup.root { try? FileManager.default.removeItem(atPath: root) }
        }
    }
}
