import Foundation
import LibPQ
import RapportClient
import RapportModel
import RapportProtocol
import RapportStore
import RapportTestSupport
import Synchronization
import Testing

@testable import RapportServer

/// Session tickets (issue 17) through the real client and the real server: issued on a password
/// LOGIN, accepted without the password, refused once revoked, expired or forged, never logged.
@Suite("Session tickets", .serialized)
struct SessionTicketTests {
    func connect(_ server: TestServer) async throws -> RapportConnection {
        try await RapportConnection.connect(host: "127.0.0.1", port: server.port)
    }

    func code(of response: Response) -> ErrorCode? {
        if case .error(let code, _) = response.final { return code }
        return nil
    }

    /// A new connection's answer to `LOGIN user ticket=…` (the connection is closed again).
    func ticketLogin(_ server: TestServer, _ user: String, _ ticket: SessionTicket) async throws -> Response {
        let connection = try await self.connect(server)
        let response = try await connection.send("LOGIN", [.positional(user), .named("ticket", ticket.token)])
        await connection.close()
        return response
    }

    /// Logs `user` in with the password on a new connection and returns the ticket and the connection.
    func issue(_ server: TestServer, _ user: String) async throws -> (SessionTicket, RapportConnection) {
        let connection = try await self.connect(server)
        let ticket = try #require(
            try await connection.loginIssuingTicket(user: user, secret: TestServer.defaultPassword)
        )
        return (ticket, connection)
    }

    @Test func aTicketLogsInWithoutThePasswordAndIsStoredOnlyHashed() async throws {
        let server = try await TestServer.start()
        try await server.createUser("ALICE", role: .manager)
        let (ticket, first) = try await self.issue(server, "alice")
        #expect(ticket.token.count == 64 && ticket.token.allSatisfy(\.isHexDigit))
        #expect(!ticket.expires.isEmpty)
        #expect(!"\(ticket)".contains(ticket.token))
        await first.close()

        let connection = try await self.connect(server)
        try await connection.login(user: "alice", ticket: ticket)
        let whoami = try await connection.send("WHOAMI")
        #expect(whoami.dataLines.first?.tokens.contains(.named("user", "ALICE")) == true)
        // A ticket cannot mint another: that needs the password.
        let renew = try await connection.send(
            "LOGIN",
            [.positional("alice"), .named("ticket", ticket.token), .named("issue-ticket", "true")]
        )
        #expect(self.code(of: renew) == .invalid)
        #expect(
            self.code(of: try await connection.send("LOGIN", [.positional("alice")])) == .badArguments
        )
        #expect(
            self.code(
                of: try await connection.send(
                    "LOGIN",
                    [.positional("alice"), .positional("correct horse"), .named("ticket", ticket.token)]
                )
            ) == .badArguments
        )
        await connection.close()

        // The database holds the SHA-256 only, with an expiry about 10 hours ahead (the default).
        let digest = SessionTickets.hash(ticket.token)
        let rows = try await server.rows(
            "SELECT token_hash, user_id, round(extract(epoch FROM expires_at - created_at))::text FROM session_tickets"
        )
        #expect(rows == [[digest, "ALICE", "36000"]])
        let leaked = try await server.rows(
            "SELECT count(*)::text FROM session_tickets WHERE token_hash = '\(ticket.token)'"
        )
        #expect(leaked == [["0"]])
        // Another user cannot use it.
        try await server.createUser("BOB", role: .salesperson)
        #expect(self.code(of: try await self.ticketLogin(server, "bob", ticket)) == .authenticationFailed)
        try await server.stop()
    }

    @Test func aPasswordChangeADisableAndLogoutAllRevokeTickets() async throws {
        let server = try await TestServer.start()
        try await server.createUser("ROOT", role: .administrator)
        try await server.createUser("ALICE", role: .salesperson)
        let admin = try await self.connect(server)
        try await admin.login(user: "root", secret: TestServer.defaultPassword)

        // The user's own PASSWORD.
        var (ticket, alice) = try await self.issue(server, "alice")
        #expect(try await self.ticketLogin(server, "alice", ticket).final == .ok("welcome ALICE role=salesperson"))
        _ = try await alice.send("PASSWORD", [.positional("correct horse"), .positional("new longer secret")])
            .checked()
        await alice.close()
        #expect(self.code(of: try await self.ticketLogin(server, "alice", ticket)) == .authenticationFailed)

        // An administrator's USER-PASSWD.
        _ = try await admin.send("USER-PASSWD", [.positional("alice"), .named("password", "correct horse")])
            .checked()
        (ticket, alice) = try await self.issue(server, "alice")
        await alice.close()
        _ = try await admin.send("USER-PASSWD", [.positional("alice"), .named("password", "correct horse")])
            .checked()
        #expect(self.code(of: try await self.ticketLogin(server, "alice", ticket)) == .authenticationFailed)

        // USER-DISABLE; enabling again does not bring the ticket back.
        (ticket, alice) = try await self.issue(server, "alice")
        await alice.close()
        _ = try await admin.send("USER-DISABLE", [.positional("alice")]).checked()
        #expect(self.code(of: try await self.ticketLogin(server, "alice", ticket)) == .authenticationFailed)
        _ = try await admin.send("USER-ENABLE", [.positional("alice")]).checked()
        #expect(self.code(of: try await self.ticketLogin(server, "alice", ticket)) == .authenticationFailed)

        // A plain LOGOUT revokes the session's own ticket only; LOGOUT all=true every one.
        let (mine, session) = try await self.issue(server, "alice")
        let (other, otherSession) = try await self.issue(server, "alice")
        await otherSession.close()
        #expect(try await session.send("LOGOUT").final == .ok("logged out"))
        #expect(self.code(of: try await self.ticketLogin(server, "alice", mine)) == .authenticationFailed)
        #expect(try await self.ticketLogin(server, "alice", other).final == .ok("welcome ALICE role=salesperson"))
        let (third, thirdSession) = try await self.issue(server, "alice")
        await thirdSession.close()
        try await session.login(user: "alice", ticket: other)
        let everywhere = try await session.send("LOGOUT", [.named("all", "true")])
        #expect(everywhere.final == .ok("logged out everywhere: 2 tickets revoked"))
        #expect(self.code(of: try await self.ticketLogin(server, "alice", other)) == .authenticationFailed)
        #expect(self.code(of: try await self.ticketLogin(server, "alice", third)) == .authenticationFailed)
        await session.close()
        #expect(try await server.rows("SELECT count(*)::text FROM session_tickets") == [["0"]])
        await admin.close()
        try await server.stop()
    }

    @Test func anAdministratorRevokesAUsersTickets() async throws {
        let server = try await TestServer.start()
        try await server.createUser("ROOT", role: .administrator)
        try await server.createUser("ALICE", role: .salesperson)
        let (ticket, alice) = try await self.issue(server, "alice")
        // Not for a salesperson, even about themselves.
        #expect(self.code(of: try await alice.send("USER-TICKETS-REVOKE", [.positional("alice")])) == .denied)
        let admin = try await self.connect(server)
        try await admin.login(user: "root", secret: TestServer.defaultPassword)
        let revoked = try await admin.send("USER-TICKETS-REVOKE", [.positional("alice"), .named("idem", "r1")])
        #expect(revoked.final == .ok("1 ticket of ALICE revoked"))
        // The same key again: the first reply, nothing written.
        let again = try await admin.send("USER-TICKETS-REVOKE", [.positional("alice"), .named("idem", "r1")])
        #expect(again.final == .ok("1 ticket of ALICE revoked"))
        #expect(self.code(of: try await self.ticketLogin(server, "alice", ticket)) == .authenticationFailed)
        #expect(self.code(of: try await admin.send("USER-TICKETS-REVOKE", [.positional("nobody")])) == .notFound)
        // The session already open goes on.
        #expect(try await alice.send("PING").final == .ok("PONG"))
        #expect(try await alice.send("WHOAMI").final == .ok(""))
        await alice.close()
        await admin.close()
        try await server.stop()
    }

    @Test func expiredAndForgedTicketsAreRefusedAndCountedByTheThrottle() async throws {
        let server = try await TestServer.start(configure: { $0.ticketLifetime = .seconds(2) })
        try await server.createUser("ALICE", role: .salesperson)
        let (ticket, alice) = try await self.issue(server, "alice")
        await alice.close()
        #expect(try await self.ticketLogin(server, "alice", ticket).final == .ok("welcome ALICE role=salesperson"))
        try await Task.sleep(for: .milliseconds(2500))
        let expired = try await self.ticketLogin(server, "alice", ticket)
        #expect(self.code(of: expired) == .authenticationFailed)
        let forged = SessionTicket(token: String(repeating: "ab", count: 32), expires: "")
        for _ in 0..<3 {
            #expect(self.code(of: try await self.ticketLogin(server, "alice", forged)) == .authenticationFailed)
        }
        let garbage = SessionTicket(token: "not-even-hex", expires: "")
        #expect(self.code(of: try await self.ticketLogin(server, "alice", garbage)) == .authenticationFailed)
        // Five failures from 127.0.0.1 for ALICE: past the free attempts, the next password check
        // of the pair and of the user waits, as after five wrong passwords.
        let now = ContinuousClock.now
        let throttle = server.server.loginThrottle
        #expect(throttle.earliestStart(address: "127.0.0.1", user: "ALICE", arrived: now, now: now) > now)
        #expect(throttle.earliestStart(address: "10.9.9.9", user: "ALICE", arrived: now, now: now) > now)
        #expect(try await server.store.user("ALICE")?.failedLogins == 5)
        // Forged tickets from an address with 10 or more failures: at most one check per 250 ms,
        // the others ERR BUSY at once (no look-up, nothing counted).
        var busy = 0
        var failed = 0
        let flood = try await self.connect(server)
        // Pipelined on one connection: the server answers them one after the other, at once.
        let responses = try await withThrowingTaskGroup(of: Response.self) { group in
            for _ in 0..<20 {
                group.addTask {
                    try await flood.send("LOGIN", [.positional("alice"), .named("ticket", forged.token)])
                }
            }
            return try await group.reduce(into: [Response]()) { $0.append($1) }
        }
        for response in responses {
            switch self.code(of: response) {
            case .busy?:
                busy += 1
                guard case .error(_, let text) = response.final else { break }
                #expect(text.contains("retry-after=1"))
            case .authenticationFailed?: failed += 1
            default: Issue.record("unexpected \(response.final)")
            }
        }
        await flood.close()
        #expect(busy > 0 && failed >= 5, "busy \(busy), failed \(failed)")
        #expect(try await server.store.user("ALICE")?.failedLogins == 5 + failed)
        // Cleanup: the expiry service's statement removes the expired ticket.
        let removed = try await server.store.pool.withConnection { try Store.expireTickets($0) }
        #expect(removed == 1)
        let metrics = server.server.metrics.exposition
        #expect(metrics.contains(#"rapport_logins_total{kind="ticket",outcome="failed"} \#(5 + failed)"#))
        #expect(metrics.contains(#"rapport_logins_total{kind="ticket",outcome="busy"} \#(busy)"#))
        #expect(metrics.contains(#"rapport_logins_total{kind="ticket",outcome="ok"} 1"#))
        #expect(metrics.contains(#"rapport_logins_total{kind="password",outcome="ok"} 1"#))
        #expect(metrics.contains("rapport_hash_queue_hashes 0"))
        #expect(!metrics.contains(ticket.token))
        try await server.stop()
    }

    @Test func aFullHashingQueueAnswersBusyWithARetryHintAndTicketLoginsDoNotWait() async throws {
        // A real scrypt cost (N = 2^14; the stored hashes name it), one hashing thread, two places in
        // the queue.
        let server = try await TestServer.start(
            configure: {
                $0.hashThreads = 1
                $0.hashQueueLimits.queued = 2
            },
            hashing: .init(logRounds: 14)
        )
        let users = (1...5).map { "B\($0)" }
        for user in ["ALICE"] + users { try await server.createUser(user, role: .salesperson) }
        let (ticket, first) = try await self.issue(server, "alice")
        await first.close()
        let connections = try await withThrowingTaskGroup(of: RapportConnection.self) { group in
            for _ in users { group.addTask { try await self.connect(server) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let finished = CapturedLog()
        let (answers, ticketLoginBeforePasswords) = try await withThrowingTaskGroup(of: Response?.self) {
            group -> ([Response], Int) in
            for (connection, user) in zip(connections, users) {
                group.addTask {
                    let response = try await connection.send(
                        "LOGIN",
                        [.positional(user), .positional(TestServer.defaultPassword)]
                    )
                    finished.append(response.final == .ok("welcome \(user) role=salesperson") ? "ok" : "busy")
                    return response
                }
            }
            // While the password checks queue: a ticket login and a command go through.
            try await Task.sleep(for: .milliseconds(50))
            let other = try await self.connect(server)
            try await other.login(user: "alice", ticket: ticket)
            let pong = try await other.send("PING")
            let passwordLoginsDone = finished.lines.filter { $0 == "ok" }.count
            #expect(pong.final == .ok("PONG"))
            await other.close()
            var answers: [Response] = []
            for try await case let answer? in group { answers.append(answer) }
            return (answers, passwordLoginsDone)
        }
        for connection in connections { await connection.close() }
        let busy = answers.filter { self.code(of: $0) == .busy }
        let welcomed = answers.filter { if case .ok = $0.final { true } else { false } }
        #expect(busy.count + welcomed.count == users.count, "\(answers.map(\.final))")
        #expect(!busy.isEmpty, "no ERR BUSY from a queue of 2: \(answers.map(\.final))")
        for answer in busy {
            guard case .error(_, let text) = answer.final else { continue }
            #expect(text.contains("retry-after="), "\(text)")
        }
        // The ticket login did not wait for the queued password checks.
        #expect(ticketLoginBeforePasswords < welcomed.count)
        let metrics = server.server.metrics.exposition
        #expect(metrics.contains(#"rapport_logins_total{kind="password",outcome="busy"} \#(busy.count)"#))
        try await server.stop()
    }

    @Test func aTicketNeverAppearsInALogLine() async throws {
        let captured = CapturedLog()
        let server = try await TestServer.start(logger: captured.logger(label: "rapportd.test"))
        try await server.createUser("ROOT", role: .administrator)
        try await server.createUser("ALICE", role: .salesperson)
        let (ticket, alice) = try await self.issue(server, "alice")
        _ = try await alice.send("LOGOUT", [.named("all", "true")])
        await alice.close()
        let (second, other) = try await self.issue(server, "alice")
        await other.close()
        #expect(try await self.ticketLogin(server, "alice", second).final == .ok("welcome ALICE role=salesperson"))
        #expect(self.code(of: try await self.ticketLogin(server, "alice", ticket)) == .authenticationFailed)
        let bad = try await self.connect(server)
        _ = try await bad.send("LOGIN", [.positional("alice"), .named("ticket", second.token + "x")])
        _ = try await bad.send("LOGIN", [.positional("alice"), .named("ticket", String(repeating: "z", count: 200))])
        await bad.close()
        let admin = try await self.connect(server)
        try await admin.login(user: "root", secret: TestServer.defaultPassword)
        _ = try await admin.send("USER-TICKETS-REVOKE", [.positional("alice")])
        await admin.close()
        try await server.stop()
        let lines = captured.lines
        #expect(lines.contains { $0.contains("logged in") && $0.contains("with=ticket") }, "\(lines)")
        #expect(lines.contains { $0.contains("login failed") }, "\(lines)")
        for token in [ticket.token, second.token] {
            // Neither the token, nor half of it, nor its stored hash.
            let digest = SessionTickets.hash(token)
            for needle in [token, String(token.prefix(32)), String(token.suffix(32)), digest] {
                #expect(!lines.contains { $0.contains(needle) }, "a log line shows a ticket")
            }
        }
    }
}
