import LibPQ
import RapportClient
import RapportModel
import RapportProtocol
import RapportStore
import RapportTestSupport
import Testing

@Suite("Idempotency keys", .serialized)
struct IdempotencyTests {
    @Test func retriedWriteReturnsTheFirstReplyAndWritesOnce() async throws {
        let server = try await TestServer.start()
        try await server.createUser("ROOT", role: .administrator)
        let first = try await RapportConnection.connect(host: "127.0.0.1", port: server.port)
        try await first.login(user: "root", secret: TestServer.defaultPassword)
        let request: [Argument] = [.positional("bob"), .named("role", "salesperson"), .named("idem", "k-1")]
        let reply = try await first.send("USER-ADD", request)
        await first.close()

        // A client that lost its connection retries on a new one with the same key.
        let second = try await RapportConnection.connect(host: "127.0.0.1", port: server.port)
        try await second.login(user: "root", secret: TestServer.defaultPassword)
        let retried = try await second.send("USER-ADD", request)
        #expect(retried == reply, "the same generated password and text come back")
        #expect(try await server.store.listUsers().map(\.userID) == ["BOB", "ROOT"])

        // The same key with another request is refused; without a key the duplicate is a conflict.
        let other = try await second.send(
            "USER-ADD",
            [.positional("carl"), .named("role", "manager"), .named("idem", "k-1")]
        )
        #expect(other.final.isError(.conflict))
        let duplicate = try await second.send("USER-ADD", [.positional("bob"), .named("role", "salesperson")])
        #expect(duplicate.final.isError(.conflict))
        let database = server.database
        let keys = try await TestPostgres.blocking {
            let connection = try database.connect()
            defer { connection.close() }
            return try connection.query("SELECT count(*) FROM idempotency_keys WHERE response IS NOT NULL")[0].decode(
                Int.self,
                at: 0
            )
        }
        #expect(keys == 1)
        await second.close()
        try await server.stop()
    }

    /// What rapportd's IdempotencyExpiryService runs every hour: keys older than a week go.
    @Test func expiryForgetsKeysOlderThanAWeek() async throws {
        let server = try await TestServer.start()
        try await server.createUser("ROOT", role: .administrator)
        try await server.script(
            """
            INSERT INTO idempotency_keys (user_id, idempotency_key, command, request_hash, response, created_at)
            VALUES ('ROOT', 'old', 'USER-ADD', 'h', 'OK', now() - interval '8 days'),
                   ('ROOT', 'new', 'USER-ADD', 'h', 'OK', now() - interval '6 days');
            """
        )
        let expired = try await server.store.pool.withConnection { try IdempotencyStore.expire($0, olderThanDays: 7) }
        #expect(expired == 1)
        #expect(try await server.rows("SELECT idempotency_key FROM idempotency_keys") == [["new"]])
        try await server.stop()
    }
}

extension FinalLine {
    func isError(_ code: ErrorCode) -> Bool {
        if case .error(code, _) = self { return true }
        return false
    }
}
