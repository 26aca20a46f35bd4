import NIOCore
import RapportClient
import RapportModel
import RapportProtocol
import RapportServer
import RapportTestSupport
import Synchronization
import Testing

/// `ReconnectingSession`: logs in again with its ticket after the server ends the connection, and
/// never sends a write twice.
@Suite("Reconnecting client session", .serialized)
struct ReconnectingSessionTests {
    @Test func afterTheServerEndsTheConnectionTheSessionLogsInAgainWithItsTicket() async throws {
        // The idle timeout's BYE ends the connection at a reply boundary like a draining replica's;
        // after it the session logs in again at its next request (a drain: at once, see
        // ReconnectStormTests).
        let server = try await TestServer.start(configure: { $0.idleTimeout = .seconds(1) })
        try await server.createUser("ALICE", role: .salesperson)
        let issued = Mutex<[SessionTicket?]>([])
        let session = ReconnectingSession(
            host: "127.0.0.1",
            port: server.port,
            user: "alice",
            password: TestServer.defaultPassword,
            onTicket: { ticket in issued.withLock { $0.append(ticket) } }
        )
        #expect(try await session.send("WHOAMI").final == .ok(""))
        // (Counts are checked as password logins, all − ticket: on a loaded machine a request may
        // meet the next idle BYE and log in once more, with the ticket.)
        var counts = await session.loginCounts
        #expect(counts.all - counts.ticket == 1)
        #expect(issued.withLock { $0.first } != nil)
        try await self.untilDisconnected(session)
        let whoami = try await session.send("WHOAMI")
        #expect(whoami.dataLines.first?.tokens.contains(.named("user", "ALICE")) == true)
        counts = await session.loginCounts
        #expect(counts.all - counts.ticket == 1 && counts.ticket >= 1)
        // Revoked meanwhile: the next login falls back to the password and keeps a new ticket.
        try await server.script("DELETE FROM session_tickets")
        try await self.untilDisconnected(session)
        #expect(try await session.send("PING").final == .ok("PONG"))
        counts = await session.loginCounts
        #expect(counts.all - counts.ticket == 2)
        let tickets = issued.withLock { $0 }
        // First ticket, nil (refused and forgotten), a new ticket.
        #expect(
            tickets.count == 3 && tickets[0] != nil && tickets[1] == nil && tickets[2] != nil
                && tickets[0] != tickets[2]
        )
        await session.quit()
        try await server.stop()
    }

    /// Waits until the server has ended the session's connection (its idle timeout).
    func untilDisconnected(_ session: ReconnectingSession) async throws {
        let deadline = ContinuousClock.now + .seconds(20)
        while await session.isConnected, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(await !session.isConnected)
    }

    @Test func onlyReadsAndRequestsWithAnIdempotencyKeyAreSentAgain() {
        let session: Set<String> = ["LOGIN", "LOGOUT", "PASSWORD", "QUIT"]
        var reads: [String] = []
        for spec in RapportServer.commandSpecs {
            let retried = ReconnectingSession.isRetryable(verb: spec.name, arguments: [])
            if retried {
                reads.append(spec.name)
                // What the client sends again unasked must not be a write: writes take idem=.
                #expect(spec.argument(named: "idem") == nil, "\(spec.name) writes but would be sent again")
                #expect(!session.contains(spec.name))
            }
            if spec.argument(named: "idem") != nil {
                #expect(ReconnectingSession.isRetryable(verb: spec.name, arguments: [.named("idem", "k1")]))
            } else if !session.contains(spec.name) {
                // Every command without idem= only reads: the client may send it again.
                #expect(retried, "\(spec.name) only reads but is not sent again after a reconnect")
            }
        }
        #expect(reads.contains("CONTACT-LIST") && reads.contains("PING") && reads.contains("WHOAMI"))
        #expect(!ReconnectingSession.isRetryable(verb: "INTERACTION-CREATE", arguments: []))
    }
}
