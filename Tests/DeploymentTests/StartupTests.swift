import Foundation
import LibPQ
import PostgresLauncher
import RapportProtocol
import RapportTestSupport
import Testing

@Suite("Startup", .timeLimit(.minutes(2)))
struct StartupTests {
    /// A replica started while its URL leads to a server that refuses writes (a standby during a
    /// failover, a balancer whose checks have not settled) waits for a writable primary instead of
    /// exiting, and serves once there is one.
    @Test func rapportdWaitsForAWritablePrimaryAtStartup() async throws {
        let database = try await TestPostgres.freshDatabase(migrated: false)
        let admin = try await TestPostgres.blocking { try database.connect() }
        // New sessions of this database are read-only, as on a standby (25006 on the first migration).
        _ = try await TestPostgres.blocking {
            try admin.execute(
                PGQuery(sql: "ALTER DATABASE \"\(database.name)\" SET default_transaction_read_only = on")
            )
        }
        let scratch = try Toolbox.scratchDirectory("startup-wait")
        let processes = ProcessGroup()
        try await withCleanup {
            let url = Toolbox.databaseURL(database.cluster.connectionParameters(database: database.name))
            let process = try ChildProcess.spawn(
                name: "rapportd-waiting",
                try Toolbox.rapportd(),
                ["serve", "--host", "127.0.0.1", "--port", "0", "--database-url", url],
                environment: Toolbox.environment(["RAPPORT_LOG_LEVEL": "info"]),
                logDirectory: scratch
            )
            processes.add(process)
            _ = try await process.waitFor("the wait for a writable primary", in: \.errors) {
                $0.contains("no writable primary yet") ? true : nil
            }
            #expect(process.exitStatus() == nil, "rapportd exited instead of waiting: \(process.errors)")
            // The primary becomes writable: rapportd migrates and listens.
            _ = try await TestPostgres.blocking {
                try admin.execute(
                    PGQuery(sql: "ALTER DATABASE \"\(database.name)\" RESET default_transaction_read_only")
                )
            }
            let port = try await process.waitFor("the line `rapportd: listening on …`") { output -> Int? in
                guard
                    let line = output.split(separator: "\n").first(where: { $0.hasPrefix("rapportd: listening on ") }),
                    let colon = line.lastIndex(of: ":")
                else { return nil }
                return Int(line[line.index(after: colon)...])
            }
            let health = try await LineSession.with(port: port) { session in
                _ = try await session.reply()
                return try await session.request("HEALTH")
            }
            guard case .reply(let response) = health else {
                Issue.record("no reply to HEALTH: \(health)")
                return
            }
            #expect(response.final == .ok("ready"))
        } cleanup: {
            await processes.stopAll()
            admin.close()
            try? FileManager.default.removeItem(atPath: scratch)
        }
    }
}
