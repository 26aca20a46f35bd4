import Foundation
import LibPQ
import PostgresLauncher
import RapportClient
import RapportModel
import RapportProtocol
import RapportStore
import RapportTestSupport
import Testing

/// PostgreSQL stopped and restarted under the server (QUALITY R2): the server stays up, answers a
/// retryable error while the database is away, and serves again soon after it is back.
@Suite("Database outage", .serialized)
struct DatabaseOutageTests {
    @Test func serverSurvivesADatabaseRestart() async throws {
        // A cluster of its own: stopping the shared one would break the other suites.
        let directory = TestPostgres.rootDirectory + "/outage-\(UUID().uuidString.prefix(6))"
        try FileManager.default.createDirectory(atPath: TestPostgres.rootDirectory, withIntermediateDirectories: true)
        let cluster = try EmbeddedCluster(
            options: .init(directory: directory, durable: false),
            installation: try PostgresInstallation.locate()
        )
        try await TestPostgres.blocking {
            try cluster.start()
            let admin = try PGConnection.connect(
                ConnectionConfiguration(parameters: cluster.connectionParameters(database: "postgres"))
            )
            defer { admin.close() }
            try admin.execute("CREATE DATABASE outage")
        }
        do {
            try await self.exercise(cluster)
        } catch {
            try? await TestPostgres.blocking { try cluster.stop() }
            throw error
        }
        try await TestPostgres.blocking { try cluster.stop() }
    }

    private func exercise(_ cluster: EmbeddedCluster) async throws {
        let database = TestDatabase(name: "outage", cluster: cluster)
        try await TestPostgres.blocking {
            let connection = try database.connect()
            defer { connection.close() }
            _ = try Migrator().migrate(connection)
        }
        let server = try await TestServer.start(database: database)
        try await server.createUser("ROOT", role: .administrator)
        let client = try await RapportConnection.connect(host: "127.0.0.1", port: server.port)
        try await client.login(user: "root", secret: TestServer.defaultPassword)
        #expect(try await client.send("USER-LIST").final == .ok("1 user total=1"))

        try await TestPostgres.blocking { try cluster.stop() }
        let during = try await client.send("USER-LIST")
        guard case .error(let code, _) = during.final else {
            Issue.record("expected an error while the database is down, got \(during.final)")
            return
        }
        #expect(code == .unavailable)
        #expect(code.isRetryable)
        #expect(try await client.send("PING").final == .ok("PONG"), "the session itself stays up")
        let health = try await client.send("HEALTH")
        #expect(health.dataLines.first?.tokens.contains(.named("database", "down")) == true)

        _ = try await TestPostgres.blocking { try cluster.start() }
        var recovered = false
        for _ in 0..<50 where !recovered {
            recovered = try await client.send("USER-LIST").final == .ok("1 user total=1")
            if !recovered { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(recovered, "serves again within 5 s of the database coming back")
        await client.close()
        try await server.stop()
    }
}
