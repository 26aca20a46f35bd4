import NIOCore
import RapportClient
import RapportModel
import RapportProtocol
import RapportServer
import RapportStore
import RapportTestSupport
import Testing

/// Sessions, logins and roles through the real client and the real server.
@Suite("Sessions, logins and roles", .serialized)
struct SessionTests {
    func connect(_ server: TestServer) async throws -> RapportConnection {
        try await RapportConnection.connect(host: "127.0.0.1", port: server.port)
    }

    func code(of response: Response) -> ErrorCode? {
        if case .error(let code, _) = response.final { return code }
        return nil
    }

    @Test func goodAndBadLogins() async throws {
        let server = try await TestServer.start()
        try await server.createUser("ALICE", role: .manager)
        try await server.createUser("BLOCKED", role: .salesperson)
        try await server.store.setBlocked("BLOCKED", true)
        let connection = try await self.connect(server)
        #expect(
            self.code(of: try await connection.send("LOGIN", [.positional("alice"), .positional("wrong password")]))
                == .authenticationFailed
        )
        #expect(
            self.code(of: try await connection.send("LOGIN", [.positional("nobody"), .positional("correct horse")]))
                == .authenticationFailed
        )
        #expect(
            self.code(of: try await connection.send("LOGIN", [.positional("blocked"), .positional("correct horse")]))
                == .authenticationFailed
        )
        let welcome = try await connection.send(
            "LOGIN",
            [.positional("alice"), .positional(TestServer.defaultPassword)]
        )
        #expect(welcome.final == .ok("welcome ALICE role=manager"))
        let whoami = try await connection.send("WHOAMI")
        #expect(whoami.dataLines.first?.tokens.contains(.named("user", "ALICE")) == true)
        #expect(whoami.dataLines.first?.tokens.contains(.named("role", "manager")) == true)
        #expect(try await connection.send("LOGOUT").final == .ok("logged out"))
        #expect(self.code(of: try await connection.send("WHOAMI")) == .authenticationRequired)
        let stored = try await server.store.user("ALICE")
        #expect(stored?.failedLogins == 0)
        #expect(stored?.lastLoginAt != nil)
        await connection.close()
        try await server.stop()
    }

    @Test func everyCommandButTheOpenOnesIsRefusedBeforeLogin() async throws {
        let server = try await TestServer.start()
        let connection = try await self.connect(server)
        let open: Set<String> = ["LOGIN", "PING", "HEALTH", "HELP", "QUIT"]
        for spec in RapportServer.commandSpecs where !open.contains(spec.name) {
            let response = try await connection.send(spec.name)
            #expect(self.code(of: response) == .authenticationRequired, "\(spec.name) answered \(response.final)")
        }
        #expect(try await connection.send("PING").final == .ok("PONG"))
        #expect(try await connection.send("HEALTH").final == .ok("ready"))
        #expect(try await connection.send("HELP").dataLines.count == RapportServer.commandSpecs.count)
        await connection.close()
        try await server.stop()
    }

    @Test func salespersonIsRefusedAdministratorCommands() async throws {
        let server = try await TestServer.start()
        try await server.createUser("SAM", role: .salesperson)
        try await server.createUser("MIA", role: .manager)
        for user in ["sam", "mia"] {
            let connection = try await self.connect(server)
            try await connection.login(user: user, secret: TestServer.defaultPassword)
            for verb in ["USER-LIST", "USER-ADD", "USER-DISABLE"] {
                #expect(
                    self.code(of: try await connection.send(verb, [.positional("X"), .named("role", "manager")]))
                        == .denied
                )
            }
            await connection.close()
        }
        #expect(try await server.store.listUsers().count == 2)
        try await server.stop()
    }

    @Test func administratorManagesUsers() async throws {
        let server = try await TestServer.start()
        try await server.createUser("ROOT", role: .administrator)
        let admin = try await self.connect(server)
        try await admin.login(user: "root", secret: TestServer.defaultPassword)

        let added = try await admin.send(
            "USER-ADD",
            [.positional("bob"), .named("role", "salesperson"), .named("full-name", "Bob \"B\" Baker")]
        )
        #expect(added.final == .ok("user BOB created"))
        let generated = try #require(
            added.dataLines.first?.tokens.compactMap { token -> String? in
                if case .named("password", let value) = token { return value }
                return nil
            }.first
        )
        #expect(generated.count >= 16)
        #expect(
            self.code(of: try await admin.send("USER-ADD", [.positional("BOB"), .named("role", "manager")]))
                == .conflict
        )
        #expect(
            self.code(of: try await admin.send("USER-ADD", [.positional("eve"), .named("role", "king")]))
                == .badArguments
        )
        #expect(
            self.code(
                of: try await admin.send(
                    "USER-ADD",
                    [.positional("eve"), .named("role", "manager"), .named("password", "short")]
                )
            ) == .invalid
        )

        let bob = try await self.connect(server)
        try await bob.login(user: "bob", secret: generated)
        #expect(
            try await bob.send("PASSWORD", [.positional(generated), .positional("a new secret")]).final
                == .ok("password changed")
        )
        await bob.close()

        #expect(try await admin.send("USER-DISABLE", [.positional("bob")]).final == .ok("user BOB disabled"))
        let blocked = try await self.connect(server)
        await #expect(throws: RapportClientError.self) { try await blocked.login(user: "bob", secret: "a new secret") }
        #expect(try await admin.send("USER-ENABLE", [.positional("bob")]).final == .ok("user BOB enabled"))
        try await blocked.login(user: "bob", secret: "a new secret")
        await blocked.close()

        let list = try await admin.send("USER-LIST")
        #expect(list.dataLines.count == 2)
        #expect(list.dataLines.contains { $0.tokens.contains(.named("full-name", "Bob \"B\" Baker")) })
        #expect(self.code(of: try await admin.send("USER-DISABLE", [.positional("root")])) == .invalid)
        #expect(self.code(of: try await admin.send("USER-PASSWD", [.positional("ghost")])) == .notFound)
        await admin.close()
        try await server.stop()
    }

    @Test func repeatedFailuresAreSlowedDown() async throws {
        let server = try await TestServer.start()
        try await server.createUser("ALICE", role: .salesperson)
        let connection = try await self.connect(server)
        let clock = ContinuousClock()
        var durations: [Duration] = []
        for _ in 0..<5 {
            let start = clock.now
            _ = try await connection.send("LOGIN", [.positional("alice"), .positional("guess")])
            durations.append(clock.now - start)
        }
        // The fourth and fifth failures wait for the throttle (250 ms, then 500 ms) before answering.
        #expect(durations[4] >= .milliseconds(500))
        #expect(try await server.store.user("ALICE")?.failedLogins == 5)
        await connection.close()
        try await server.stop()
    }

    @Test func hundredSessionsPipeliningHundredPingsEachGetEveryAnswerInOrder() async throws {
        let server = try await TestServer.start()
        let answered = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<100 {
                group.addTask {
                    try await RawConnection.with(port: server.port) { connection in
                        _ = try await connection.reply()
                        // All 100 requests go out before any answer is read: a real pipeline.
                        try await connection.send((0..<100).map { "#p\($0) PING\n" }.joined())
                        for index in 0..<100 {
                            let reply = try #require(try await connection.reply())
                            #expect(reply.tag == "#p\(index)")
                            #expect(reply.response.final == .ok("PONG"))
                        }
                        return 100
                    }
                }
            }
            return try await group.reduce(0, +)
        }
        #expect(answered == 10_000)
        try await server.stop()
    }

    @Test func clientPipelinesConcurrentRequestsOnOneConnection() async throws {
        let server = try await TestServer.start()
        let connection = try await self.connect(server)
        let finals = try await withThrowingTaskGroup(of: FinalLine.self) { group in
            for _ in 0..<200 { group.addTask { try await connection.send("PING").final } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(finals.count == 200)
        #expect(finals.allSatisfy { $0 == .ok("PONG") })
        await connection.close()
        try await server.stop()
    }

    @Test func sigtermLetsTheCommandInFlightFinishAndFailsHealthAtOnce() async throws {
        let server = try await TestServer.start { $0.drainDelay = .milliseconds(800) }
        try await server.createUser("ALICE", role: .salesperson)
        let slow = try await self.connect(server)
        // Three failures arm the throttle: the fourth LOGIN waits 250 ms before it is answered.
        for _ in 0..<3 { _ = try await slow.send("LOGIN", [.positional("alice"), .positional("guess")]) }
        let checker = try await self.connect(server)
        let inFlight = Task {
            try await slow.send("LOGIN", [.positional("alice"), .positional(TestServer.defaultPassword)])
        }
        try await Task.sleep(for: .milliseconds(50))
        let stopping = Task { try await server.stop() }
        try await Task.sleep(for: .milliseconds(100))
        let health = try await checker.send("HEALTH")
        #expect(self.code(of: health) == .shuttingDown)
        #expect(try await inFlight.value.final == .ok("welcome ALICE role=salesperson"))
        try await stopping.value
        // The server has closed; the client knows once its event loop has read the BYE (a moment later
        // under load or a sanitizer).
        try await eventually("the client read the BYE", within: .seconds(5)) { !slow.isOpen }
        #expect(slow.endReason == .connectionClosed(bye: "server shutting down"))
    }
}
