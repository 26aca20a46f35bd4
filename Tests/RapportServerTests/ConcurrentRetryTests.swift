import RapportClient
import RapportProtocol
import RapportTestSupport
import Testing

/// QUALITY R1 in seconds: a client that timed out retries while its first request may still be running, on
/// another connection. Every copy of the request gets the one reply, and one entry is written.
@Suite("Concurrent retries with one idempotency key")
struct ConcurrentRetryTests {
    @Test func tenCopiesOfOneRequestAtOnceWriteOneEntry() async throws {
        let kit = try await InteractionKit.start()
        var sessions: [RapportConnection] = []
        for _ in 0..<10 { sessions.append(try await InteractionKit.login(kit.server, "alice")) }
        let request: [Argument] = [
            .named("contact", "CO1"), .named("template", "LETTER"), .named("comment", "retried"),
            .named("idem", "same-key"),
        ]
        let replies = try await withThrowingTaskGroup(of: Response.self) { group in
            for session in sessions {
                group.addTask { try await session.send("INTERACTION-CREATE", request) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(replies.count == 10)
        #expect(Set(replies.map { "\($0)" }).count == 1, "every copy gets the first reply: \(replies)")
        if case .ok = replies.first?.final {} else { Issue.record("not OK: \(String(describing: replies.first))") }
        #expect(try await kit.count("SELECT count(*) FROM interaction_log_entries") == 1)
        #expect(try await kit.count("SELECT count(*) FROM interaction_log_entry_comments") == 1)
        #expect(try await kit.count("SELECT count(*) FROM idempotency_keys WHERE response IS NOT NULL") == 1)
        for session in sessions { await session.close() }
        try await kit.stop()
    }
}
