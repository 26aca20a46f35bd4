import Foundation
import LibPQ
import PostgresLauncher
import RapportClient
import RapportProtocol
import RapportTestSupport
import Synchronization
import Testing

extension FaultSuite {
    /// QUALITY R2: PostgreSQL stopped and restarted under load. rapportd (a separate process) stays up and keeps
    /// every session, answers only retryable errors while the database is away, serves again within 5 s of its
    /// return, and every acknowledged write is in the database exactly once.
    @Suite("PostgreSQL restarted under load", .serialized, .timeLimit(.minutes(3)))
    struct DatabaseRestartTests {
        final class Load: Sendable {
            struct State {
                var issued: Set<String> = []
                var acknowledged: [String: String] = [:]
                var okReplies = 0
                var errors: [String: Int] = [:]
                var unexpected: [String] = []
                var disconnects = 0
                /// Replies (any) seen while the database was down, by kind.
                var duringOutage: [String: Int] = [:]
                var firstOKAfterRestart: ContinuousClock.Instant?
            }
            let state = Mutex(State())
            let stopping = Atomic<Bool>(false)
            /// 0 = up, 1 = down, 3 = starting, 2 = started again.
            let phase = Atomic<Int>(0)
        }

        @Test func serverStaysUpAndRecoversWithinFiveSeconds() async throws {
            let outage = Fault.setting("FAULT_OUTAGE_SECONDS", 3)
            // A cluster of its own: stopping the shared one would break the other suites.
            let directory = TestPostgres.rootDirectory + "/restart-\(UUID().uuidString.prefix(6))"
            try FileManager.default.createDirectory(
                atPath: TestPostgres.rootDirectory,
                withIntermediateDirectories: true
            )
            let cluster = try EmbeddedCluster(
                options: .init(directory: directory, durable: false),
                installation: try PostgresInstallation.locate()
            )
            try await TestPostgres.blocking {
                _ = try cluster.start()
                let admin = try PGConnection.connect(
                    ConnectionConfiguration(parameters: cluster.connectionParameters(database: "postgres"))
                )
                defer { admin.close() }
                try admin.execute("CREATE DATABASE fault_restart")
            }
            let database = TestDatabase(name: "fault_restart", cluster: cluster)
            let runner = try RapportdRunner(databaseURL: Fault.databaseURL(database), label: "pg-restart")
            try await withCleanup {
                try await runner.start()  // migrates the new database
                try await database.script(Fault.masterData())
                try await database.createUsers([("ALICE", "salesperson", "AH")])
                let load = Load()
                var restartedAt = ContinuousClock.now
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for client in 0..<4 {
                        group.addTask { await Self.client(client, port: runner.port, load: load) }
                    }
                    try await Task.sleep(for: .seconds(2))
                    let before = load.state.withLock { $0.okReplies }
                    try await TestPostgres.blocking { try cluster.stop() }
                    load.phase.store(1, ordering: .sequentiallyConsistent)
                    print("PostgreSQL restarted under load: stopped after \(before) OKs, away for \(outage) s")
                    try await Task.sleep(for: .seconds(outage))
                    // Starting: PostgreSQL accepts connections before pg_ctl returns, so replies from
                    // here on no longer count as "while down".
                    load.phase.store(3, ordering: .sequentiallyConsistent)
                    try await Self.start(cluster)
                    restartedAt = ContinuousClock.now
                    load.phase.store(2, ordering: .sequentiallyConsistent)
                    try await Task.sleep(for: .seconds(6))
                    load.stopping.store(true, ordering: .relaxed)
                    try await group.waitForAll()
                }
                let state = load.state.withLock { $0 }
                let recovery = state.firstOKAfterRestart.map { $0 - restartedAt }
                #expect(runner.process?.exitStatus() == nil, "rapportd is still running")
                #expect(state.disconnects == 0, "no session was dropped")
                #expect(state.unexpected.isEmpty, "\(state.unexpected.prefix(5))")
                #expect((state.duringOutage["OK"] ?? 0) == 0, "no OK while the database was down")
                #expect(state.duringOutage.keys.allSatisfy { $0 == "ERR UNAVAILABLE" || $0 == "ERR BUSY" })
                #expect(
                    recovery.map { $0 <= .seconds(5) } == true,
                    "served again within 5 s: \(String(describing: recovery))"
                )
                #expect(state.acknowledged.count == state.issued.count)

                let entries = try await database.rows(
                    "SELECT description, count(*)::text, min(entry_no)::text FROM interaction_log_entries GROUP BY description"
                )
                var byKey: [String: (count: Int, entry: String)] = [:]
                for row in entries { byKey[row[0] ?? ""] = (Int(row[1] ?? "") ?? 0, row[2] ?? "") }
                let missing = state.acknowledged.filter { byKey[$0.key]?.entry != $0.value }
                let duplicates = byKey.filter { $0.value.count > 1 }
                #expect(missing.isEmpty, "\(missing.prefix(5))")
                #expect(duplicates.isEmpty, "\(duplicates.prefix(5))")
                #expect(byKey.count == state.issued.count)
                print(
                    """
                      replies while down: \(state.duringOutage.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
                    .joined(separator: ", "))
                      first OK \(recovery.map { Fault.format(Fault.milliseconds($0)) } ?? "never") ms after PostgreSQL \
                    was back; errors overall \(state.errors); disconnects \(state.disconnects)
                      keys \(state.issued.count), acknowledged \(state.acknowledged.count), entries \(byKey.count), \
                    missing \(missing.count), duplicates \(duplicates.count)
                    """
                )
            } cleanup: {
                await runner.stopAll()
                try? await TestPostgres.blocking { try cluster.stop() }
            }
        }

        /// Starts the cluster again; a failed start is retried twice (with PostgreSQL's log in the issue).
        private static func start(_ cluster: EmbeddedCluster) async throws {
            for attempt in 1...3 {
                do {
                    _ = try await TestPostgres.blocking { try cluster.start() }
                    return
                } catch {
                    let log = (try? String(contentsOfFile: cluster.logFile, encoding: .utf8)) ?? ""
                    let tail = log.split(separator: "\n").suffix(8).joined(separator: "\n")
                    print("PostgreSQL did not start again (attempt \(attempt)): \(error)\n\(tail)")
                    if attempt == 3 { throw error }
                    try await Task.sleep(for: .seconds(1))
                }
            }
        }

        /// One client in a closed loop (INTERACTION-CREATE, PING): retries a key after a retryable error.
        private static func client(_ number: Int, port: Int, load: Load) async {
            var connection: RapportConnection?
            do {
                connection = try await Fault.login(port: port)
            } catch {
                load.state.withLock { $0.unexpected.append("client \(number): cannot log in: \(error)") }
                return
            }
            var sequence = 0
            var pending: String?
            let giveUp = ContinuousClock.now + .seconds(60)
            while ContinuousClock.now < giveUp, let session = connection {
                if pending == nil {
                    if load.stopping.load(ordering: .relaxed) { break }
                    sequence += 1
                    pending = "r\(number)-\(sequence)"
                    load.state.withLock { _ = $0.issued.insert(pending!) }
                }
                let key = pending!
                let phase = load.phase.load(ordering: .sequentiallyConsistent)
                do {
                    let reply = try await session.send(
                        "INTERACTION-CREATE",
                        [
                            .named("contact", "CO1"), .named("template", "CALL"), .named("description", key),
                            .named("idem", key),
                        ]
                    )
                    // Only what was sent and answered entirely within the outage counts as "while down".
                    let down = phase == 1 && load.phase.load(ordering: .sequentiallyConsistent) == 1
                    let kind: String
                    switch reply.final {
                    case .ok:
                        kind = "OK"
                        load.state.withLock {
                            $0.acknowledged[key] = Fault.value(reply, "entry") ?? "?"
                            $0.okReplies += 1
                            if phase == 2, $0.firstOKAfterRestart == nil { $0.firstOKAfterRestart = .now }
                        }
                        pending = nil
                    case .error(let code, let text):
                        kind = "ERR \(code.rawValue)"
                        load.state.withLock { $0.errors[kind, default: 0] += 1 }
                        if !code.isRetryable {
                            load.state.withLock { $0.unexpected.append("\(key): ERR \(code.rawValue) \(text)") }
                            pending = nil
                        } else {
                            try await Task.sleep(for: .milliseconds(50))
                        }
                    case .bye(let text):
                        kind = "BYE"
                        load.state.withLock {
                            $0.unexpected.append("\(key): BYE \(text)")
                            $0.disconnects += 1
                        }
                        connection = nil
                    }
                    if down { load.state.withLock { $0.duringOutage[kind, default: 0] += 1 } }
                    if phase == 1 {
                        // PING answers from the session itself, database or not.
                        let ping = try await session.send("PING")
                        if ping.final != .ok("PONG") {
                            load.state.withLock { $0.unexpected.append("PING while down: \(ping.final)") }
                        }
                    }
                } catch {
                    load.state.withLock {
                        $0.unexpected.append("client \(number): \(error)")
                        $0.disconnects += 1
                    }
                    connection = nil
                }
            }
            if let pending { load.state.withLock { $0.unexpected.append("\(pending): never acknowledged") } }
            await connection?.close()
        }
    }
}
