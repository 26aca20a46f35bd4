import Foundation
import PostgresLauncher
import RapportProtocol
import RapportTestSupport
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The production topology on loopback (QUALITY R6): PostgreSQL, two `rapportd` processes and
/// HAProxy configured like deploy/haproxy.cfg, on 127.0.0.1 only.
@Suite("Loopback deployment: PostgreSQL, two rapportd, HAProxy", .timeLimit(.minutes(2)))
struct LoopbackTopologyTests {
    static let loaderPassword = "load test secret"

    @Test func sessionsThroughHAProxyAndADrainedReplicaUnderLoad() async throws {
        let haproxy = try Toolbox.tool("haproxy", package: "haproxy")
        let rapportd = try Toolbox.rapportd()
        let shared = try ShippedHAProxyChecks.load()
        let database = try await TestPostgres.freshDatabase(migrated: true)
        let databaseURL = Toolbox.databaseURL(database.cluster.connectionParameters(database: database.name))
        let scratch = try Toolbox.scratchDirectory("topology")
        let processes = ProcessGroup()

        try await withCleanup {
            // The first user, made the way an operator does it.
            let added = try await TestPostgres.blocking {
                try ChildProcess.run(
                    rapportd,
                    ["user", "add", "loader", "--role", "salesperson", "--database-url", databaseURL],
                    environment: Toolbox.environment(["RAPPORT_NEW_PASSWORD": Self.loaderPassword]),
                    logDirectory: scratch,
                    name: "user-add"
                )
            }
            try #require(added.status == 0, "rapportd user add failed: \(added.errors)")

            // Two replicas that trust HAProxy (127.0.0.1) and drain for 2 s on SIGTERM.
            let replicaArguments = ["--trusted-proxy", "127.0.0.1", "--drain-delay", "2", "--pool-size", "4"]
            async let first = startReplica(
                name: "rapportd-a",
                binary: rapportd,
                databaseURL: databaseURL,
                arguments: replicaArguments,
                logDirectory: scratch,
                group: processes
            )
            async let second = startReplica(
                name: "rapportd-b",
                binary: rapportd,
                databaseURL: databaseURL,
                arguments: replicaArguments,
                logDirectory: scratch,
                group: processes
            )
            let (a, b) = try await (first, second)

            let balancerPort = try Toolbox.freePort()
            let statsSocket = (scratch as NSString).appendingPathComponent("haproxy.sock")
            let configuration = shared.loopbackConfiguration(
                balancerPort: balancerPort,
                statsSocket: statsSocket,
                servers: [("a", a.port), ("b", b.port)]
            )
            let configurationPath = (scratch as NSString).appendingPathComponent("haproxy.cfg")
            try configuration.write(toFile: configurationPath, atomically: true, encoding: .utf8)
            let balancer = try ChildProcess.spawn(
                name: "haproxy",
                haproxy,
                ["-f", configurationPath, "-db"],
                environment: Toolbox.environment(),
                logDirectory: scratch
            )
            processes.add(balancer)
            try await Toolbox.waitForHAProxyStatus(socket: statsSocket, balancer: balancer, timeout: .seconds(15)) {
                $0["a"]?.hasPrefix("UP") == true && $0["b"]?.hasPrefix("UP") == true
            }

            // 1. Sessions through HAProxy work, and the replica logs the real client address.
            let sourcePort = try await LineSession.with(port: balancerPort) { session -> Int in
                let greeting = try await session.reply()
                #expect(greeting == .reply(Response(final: .ok("rapportd ready proto=1"))))
                #expect(try await session.request("PING") == .reply(Response(final: .ok("PONG"))))
                let health = try await session.request("HEALTH")
                guard case .reply(let response) = health else {
                    Issue.record("HEALTH: no reply")
                    return session.localPort
                }
                #expect(response.final == .ok("ready"))
                #expect(
                    response.dataLines.first?.tokens == [.named("status", "ready"), .named("database", "up")]
                )
                let login = try await session.request("LOGIN loader \"\(Self.loaderPassword)\"")
                #expect(login == .reply(Response(final: .ok("welcome LOADER role=salesperson"))))
                #expect(try await session.request("QUIT") == .reply(Response(final: .bye(""))))
                return session.localPort
            }
            let marker = "client=127.0.0.1:\(sourcePort) "
            let logged = try await Self.waitForLog(containing: marker, in: [a.process, b.process])
            let line = logged.errors.split(separator: "\n").first { $0.contains(marker) } ?? ""
            #expect(line.contains("logged in"), "\(line)")
            // The socket peer is HAProxy's own connection, not the client.
            #expect(line.contains("peer=127.0.0.1:") && !line.contains("peer=127.0.0.1:\(sourcePort) "), "\(line)")

            // 2. Under load, SIGTERM to replica a: nothing in flight fails, a is marked down.
            let load = LoadRecorder()
            var markedDownAfter: Duration?
            var drainedExit: Int32?
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<8 {
                    group.addTask { await Self.loadWorker(port: balancerPort, load: load) }
                }
                // Under way: every worker logged in and replies flowing (a loaded machine takes longer).
                try await eventually("the load is under way", within: .seconds(20)) {
                    let now = load.snapshot()
                    return now.sessions >= 8 && now.replies > 50
                }
                let before = load.snapshot()
                #expect(before.sessions >= 8 && before.replies > 50, "load did not start: \(before)")
                let signalled = ContinuousClock.now
                a.process.signal(SIGTERM)
                do {
                    try await Toolbox.waitForHAProxyStatus(
                        socket: statsSocket,
                        balancer: balancer,
                        timeout: .seconds(10)
                    ) {
                        $0["a"]?.hasPrefix("DOWN") == true
                    }
                    markedDownAfter = ContinuousClock.now - signalled
                } catch {
                    Issue.record("HAProxy did not mark the drained replica down: \(error)")
                }
                drainedExit = await a.process.waitForExit(timeout: .seconds(30))
                // The survivor carries the whole load for a while.
                try await Task.sleep(for: .milliseconds(1500))
                load.stop()
                try await group.waitForAll()
            }
            let result = load.snapshot()
            print(
                "loopback load: \(result); marked down after \(markedDownAfter.map { "\($0)" } ?? "never"); drained replica exited with \(drainedExit.map(String.init) ?? "nothing")"
            )
            #expect(result.failures.isEmpty, "commands failed: \(result.failures.prefix(10))\n\(processes.logs())")
            #expect(result.byes >= 1, "no session of the drained replica ended with BYE: \(result)")
            #expect(result.replies > 200, "\(result)")
            #expect(drainedExit == 0, "the drained replica exited with \(String(describing: drainedExit))")
            if let markedDownAfter {
                // HEALTH fails at once: HAProxy needs about fall (2) x inter (500 ms), which is less than
                // the drain delay (2 s), so the replica is out before its listener closes.
                #expect(markedDownAfter < .seconds(2), "marked down only after \(markedDownAfter)")
            }
            #expect(a.process.errors.contains("draining"))
            #expect(b.process.exitStatus() == nil, "the other replica stopped: \(b.process.errors.suffix(2000))")

            // 3. New sessions all land on the replica that is left.
            let status = try await TestPostgres.blocking {
                try Toolbox.haproxyServerStatus(backend: "rapportd", socket: statsSocket)
            }
            #expect(status["a"]?.hasPrefix("DOWN") == true && status["b"]?.hasPrefix("UP") == true, "\(status)")
            var ports: [Int] = []
            for _ in 0..<4 {
                let port = try await LineSession.with(port: balancerPort) { session -> Int in
                    _ = try await session.reply()
                    let login = try await session.request("LOGIN loader \"\(Self.loaderPassword)\"")
                    #expect(login == .reply(Response(final: .ok("welcome LOADER role=salesperson"))))
                    _ = try await session.request("QUIT")
                    return session.localPort
                }
                ports.append(port)
            }
            for port in ports {
                let found = try await Self.waitForLog(
                    containing: "client=127.0.0.1:\(port) ",
                    in: [a.process, b.process]
                )
                #expect(found === b.process, "a new session (client port \(port)) reached \(found.name)")
            }
        } cleanup: {
            await processes.stopAll()
            try? FileManager.default.removeItem(atPath: scratch)
        }
    }

    // MARK: - Load

    /// Loops PING / HEALTH on sessions through the balancer until told to stop. Every request must
    /// get a reply (OK; for HEALTH also the draining answer) or a clean BYE at a reply boundary,
    /// after which the worker reconnects and carries on, as a client library would.
    static func loadWorker(port: Int, load: LoadRecorder) async {
        while !load.isStopped && !Task.isCancelled {
            do {
                try await LineSession.with(port: port) { session in
                    guard case .reply(let greeting) = try await session.reply(),
                        case .ok(let text) = greeting.final, text.hasPrefix("rapportd ready")
                    else {
                        load.fail("no greeting from a new session")
                        return
                    }
                    load.sessionOpened()
                    var count = 0
                    while !load.isStopped && !Task.isCancelled {
                        let verb = count % 2 == 0 ? "PING" : "HEALTH"
                        count += 1
                        switch try await session.request(verb) {
                        case .closed:
                            load.fail("\(verb): the connection closed without a reply or BYE")
                            return
                        case .reply(let response):
                            switch response.final {
                            case .ok: load.replied()
                            case .bye: load.saidBye(); return
                            case .error(.shuttingDown, _) where verb == "HEALTH": load.replied()
                            case .error(let code, let text): load.fail("\(verb): ERR \(code.rawValue) \(text)")
                            }
                        }
                    }
                    _ = try? await session.request("QUIT")
                }
            } catch {
                load.fail("session error: \(error)")
                try? await Task.sleep(for: .milliseconds(50))
            }
        }
    }

    // MARK: - Waiting

    /// The process whose standard error shows `text` (the log is written as it happens).
    static func waitForLog(containing text: String, in candidates: [ChildProcess]) async throws -> ChildProcess {
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline {
            if let found = candidates.first(where: { $0.errors.contains(text) }) { return found }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw ChildProcess.SpawnError(description: "no replica logged \(text)")
    }
}

/// What the load workers saw.
final class LoadRecorder: Sendable {
    struct Snapshot: CustomStringConvertible {
        var sessions = 0
        var replies = 0
        var byes = 0
        var failures: [String] = []
        var description: String {
            "sessions=\(sessions) replies=\(replies) byes=\(byes) failures=\(failures.count)"
        }
    }

    private let state = Mutex(Snapshot())
    private let stopped = Atomic<Bool>(false)

    var isStopped: Bool { self.stopped.load(ordering: .relaxed) }
    func stop() { self.stopped.store(true, ordering: .relaxed) }
    func snapshot() -> Snapshot { self.state.withLock { $0 } }
    func sessionOpened() { self.state.withLock { $0.sessions += 1 } }
    func replied() { self.state.withLock { $0.replies += 1 } }
    func saidBye() { self.state.withLock { $0.byes += 1 } }
    func fail(_ text: String) { self.state.withLock { $0.failures.append(text) } }
}

/// The properties of deploy/haproxy.cfg the deployment relies on.
enum ShippedHAProxyChecks {
    static func load() throws -> ShippedHAProxy {
        let file = try ShippedHAProxy.load()
        let text = file.text
        try #require(file.backend.contains("balance leastconn"), "deploy/haproxy.cfg: balance leastconn")
        try #require(file.backend.contains("option tcp-check"), "deploy/haproxy.cfg: option tcp-check")
        // A bare `tcp-check connect` would send no PROXY header, and rapportd would close the check.
        try #require(
            file.backend.contains("tcp-check connect default"),
            "deploy/haproxy.cfg: the check must connect with the server's options (send-proxy-v2)"
        )
        try #require(
            file.backend.contains(#"tcp-check send HEALTH\r\n"#)
                && file.backend.contains(#"tcp-check expect min-recv 10 string OK\ ready"#),
            "deploy/haproxy.cfg: the health check must send HEALTH and expect OK ready (min-recv: a draining reply fails at once)"
        )
        try #require(file.defaultServer.contains("send-proxy-v2"), "deploy/haproxy.cfg: send-proxy-v2")
        let settings = text.split(separator: "\n").filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("#") }
        try #require(
            !settings.contains { $0.contains("shutdown-sessions") },
            "deploy/haproxy.cfg must not kill sessions on mark-down"
        )
        for side in ["client", "server"] {
            let line = file.defaults.first { $0.hasPrefix("timeout \(side) ") } ?? ""
            let seconds = Self.seconds(line.split(separator: " ").last.map(String.init) ?? "")
            // Longer than rapportd's default idle timeout (5 minutes).
            try #require(seconds > 300, "deploy/haproxy.cfg: timeout \(side) must exceed the idle timeout: \(line)")
        }
        return file
    }

    static func seconds(_ value: String) -> Double {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86400)]
        for (suffix, factor) in units where value.hasSuffix(suffix) {
            return (Double(value.dropLast(suffix.count)) ?? 0) * factor
        }
        return (Double(value) ?? 0) * 0.001
    }
}
