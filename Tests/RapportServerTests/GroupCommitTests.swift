import Dispatch
import LibPQ
import NIOConcurrencyHelpers
import RapportClient
import RapportModel
import RapportProtocol
import RapportServer
import RapportStore
import RapportTestSupport
import Testing

/// Group commit against a real PostgreSQL: a batch is formed deterministically by holding the only
/// lane with a first command that waits, queueing the next ones, then letting it go.
@Suite("Group commit", .serialized)
struct GroupCommitTests {
    /// A pool, a scratch table `t (v int PRIMARY KEY)` (plus `extraSQL`) and a one-lane group commit that
    /// records its batch sizes.
    struct Bench {
        let pool: PGPool
        let commit: GroupCommit
        let sizes: NIOLockedValueBox<[Int]>

        init(extraSQL: String = "") async throws {
            let database = try await TestPostgres.freshDatabase(migrated: false)
            self.pool = PGPool(configuration: .init(connection: database.configuration(), size: 2))
            try await self.pool.withConnection {
                try $0.executeScript("CREATE TABLE t (v int PRIMARY KEY);" + extraSQL)
            }
            let sizes = NIOLockedValueBox<[Int]>([])
            self.sizes = sizes
            self.commit = GroupCommit(pool: self.pool, configuration: .init(lanes: 1, maximumBatch: 32)) { size in
                sizes.withLockedValue { $0.append(size) }
            }
        }

        struct RefusedBeforeSending: Error {}

        /// Inserts `value`; a negative value is refused before any statement is sent (as a command that
        /// fails a check in Swift). `deferred`: as a command that reads once and defers its write.
        func insert(_ value: Int, deferred: Bool = false) async -> Result<Int, any Error> {
            do {
                return .success(
                    try await self.commit.run { connection in
                        if value < 0 { throw RefusedBeforeSending() }
                        if deferred {
                            _ = try connection.query("SELECT count(*) FROM t WHERE v = \(value)")
                            connection.enqueueDeferrable("INSERT INTO t VALUES (\(value))")
                        } else {
                            try connection.execute("INSERT INTO t VALUES (\(value))")
                        }
                        return value
                    }
                )
            } catch {
                return .failure(error)
            }
        }

        /// Runs `values` as one batch behind a first command (value 0) that holds the lane until all are queued.
        func batch(_ values: [Int], deferred: Bool = false) async throws -> [Result<Int, any Error>] {
            let gate = DispatchSemaphore(value: 0)
            async let first = self.commit.run { connection in
                gate.wait()
                try connection.execute("INSERT INTO t VALUES (0)")
                return 0
            }
            try await self.until { $0.busyLanes == 1 && $0.queued == 0 }
            let results = Task {
                await withTaskGroup(of: (Int, Result<Int, any Error>).self) { group in
                    for (index, value) in values.enumerated() {
                        group.addTask { (index, await self.insert(value, deferred: deferred)) }
                    }
                    var results = [Result<Int, any Error>?](repeating: nil, count: values.count)
                    for await (index, result) in group { results[index] = result }
                    return results.map { $0! }
                }
            }
            try await self.until { $0.queued == values.count }
            gate.signal()
            #expect(try await first == 0)
            return await results.value
        }

        func until(_ condition: @escaping ((queued: Int, busyLanes: Int)) -> Bool) async throws {
            let commit = self.commit
            try await GroupCommitTests.until { condition(commit.statistics) }
        }

        func values() async throws -> [Int] {
            try await self.pool.withConnection { connection in
                try connection.query("SELECT v FROM t ORDER BY v").map { try $0.decode(Int.self, at: 0) }
            }
        }
    }

    @Test func aFailingCommandInABatchFailsAloneAndTheOthersCommit() async throws {
        let bench = try await Bench()
        let results = try await bench.batch([1, 2, 3, 3, 5])
        #expect(try results[0].get() == 1)
        #expect(try results[1].get() == 2)
        #expect(try results[4].get() == 5)
        Self.expectOneCommittedOneDuplicate(results[2], results[3], value: 3)
        #expect(try await bench.values() == [0, 1, 2, 3, 5])
        #expect(bench.sizes.withLockedValue { $0 } == [1, 5], "one batch of five after the first command")
        #expect(bench.commit.totals == (batches: 2, commands: 6))
        await bench.pool.shutdown()
    }

    /// Two commands inserting the same `value` queue in whichever order their tasks ran: the first in the
    /// queue commits, the other is refused by the key.
    static func expectOneCommittedOneDuplicate(
        _ one: Result<Int, any Error>,
        _ other: Result<Int, any Error>,
        value: Int
    ) {
        let pair = [one, other]
        #expect(pair.filter { (try? $0.get()) == value }.count == 1, "one \(value) committed: \(pair)")
        let refused = pair.compactMap { result -> String? in
            guard case .failure(let error as PGError) = result else { return nil }
            return error.sqlState
        }
        #expect(refused == ["23505"], "the other refused as a duplicate: \(pair)")
    }

    /// A batch of commands that each read once and defer their writes costs one round trip per command
    /// (its savepoint, its read, the previous command's release) and one for the merged writes and the
    /// COMMIT; a command alone costs two.
    @Test func aBatchCostsOneRoundTripPerCommandAndOneMore() async throws {
        let bench = try await Bench()
        let before = bench.pool.counters.values.roundTrips
        let results = try await bench.batch([1, 2, 3, 4], deferred: true)
        #expect(try results.map { try $0.get() } == [1, 2, 3, 4])
        #expect(bench.sizes.withLockedValue { $0 } == [1, 4])
        // The first command (a write and its COMMIT): 2; the batch of four: 4 + 1.
        #expect(bench.pool.counters.values.roundTrips - before == 2 + 5)
        let alone = bench.pool.counters.values.roundTrips
        #expect(try await bench.insert(5, deferred: true).get() == 5)
        #expect(bench.pool.counters.values.roundTrips - alone == 2)
        #expect(try await bench.values() == [0, 1, 2, 3, 4, 5])
        await bench.pool.shutdown()
    }

    /// Commands refused before they sent anything, first, in the middle and last of a batch: the others
    /// are committed (the batch's BEGIN and a neighbour's rollback are not dropped with them).
    @Test func commandsRefusedBeforeSendingAnythingLeaveTheBatchIntact() async throws {
        let bench = try await Bench()
        let results = try await bench.batch([-1, 1, -2, 2, 2, 3, -3])
        #expect(try results[1].get() == 1)
        #expect(try results[5].get() == 3)
        for index in [0, 2, 6] {
            guard case .failure(let error) = results[index], error is Bench.RefusedBeforeSending else {
                Issue.record("command \(index): \(results[index])")
                continue
            }
        }
        Self.expectOneCommittedOneDuplicate(results[3], results[4], value: 2)
        #expect(try await bench.values() == [0, 1, 2, 3])
        await bench.pool.shutdown()
    }

    @Test func aFailedCommitFailsEveryCommandOfTheBatchAndWritesNothing() async throws {
        // A check PostgreSQL runs at COMMIT: the batch's COMMIT fails because of one of its commands.
        let bench = try await Bench(
            extraSQL: """
                CREATE FUNCTION refuse_13() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN IF NEW.v = 13 THEN RAISE EXCEPTION 'thirteen'; END IF; RETURN NULL; END $$;
                CREATE CONSTRAINT TRIGGER t_no_13 AFTER INSERT ON t DEFERRABLE INITIALLY DEFERRED
                    FOR EACH ROW EXECUTE FUNCTION refuse_13();
                """
        )
        let results = try await bench.batch([1, 13, 2])
        for result in results {
            guard case .failure(let error) = result, error is GroupCommit.CommitFailed else {
                Issue.record("expected CommitFailed, got \(result)")
                continue
            }
        }
        #expect(try await bench.values() == [0])
        // Sent again (alone now), the good ones commit; 13 fails with its own error.
        #expect(try await bench.insert(1).get() == 1)
        #expect(try await bench.insert(2).get() == 2)
        if case .success = await bench.insert(13) { Issue.record("13 was committed") }
        #expect(try await bench.values() == [0, 1, 2])
        await bench.pool.shutdown()
    }

    /// A command whose client hung up (its task cancelled) while it waited for a lane is not run.
    @Test func aCancelledCommandLeavesTheQueueUnwritten() async throws {
        let bench = try await Bench()
        let gate = DispatchSemaphore(value: 0)
        async let first = bench.commit.run { connection in
            gate.wait()
            try connection.execute("INSERT INTO t VALUES (0)")
            return 0
        }
        try await bench.until { $0.busyLanes == 1 && $0.queued == 0 }
        let waiting = Task { await bench.insert(7) }
        try await bench.until { $0.queued == 1 }
        waiting.cancel()
        guard case .failure(let error) = await waiting.value, error is CancellationError else {
            Issue.record("the cancelled command was not withdrawn")
            return
        }
        #expect(bench.commit.statistics.queued == 0)
        gate.signal()
        #expect(try await first == 0)
        #expect(try await bench.values() == [0])
        await bench.pool.shutdown()
    }

    /// Through the server: commands of a failed batch get a retryable error; sent again with the same
    /// idem= keys they write exactly one entry each.
    @Test func aRetriedKeyAfterAFailedBatchCommitWritesExactlyOneEntry() async throws {
        let server = try await TestServer.start(configure: { $0.groupCommit = .init(lanes: 1) })
        try await server.script(InteractionKit.masterData)
        try await server.script(
            """
            CREATE FUNCTION refuse_boom() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN IF NEW.description = 'boom' THEN RAISE EXCEPTION 'boom'; END IF; RETURN NULL; END $$;
            CREATE CONSTRAINT TRIGGER entries_no_boom AFTER INSERT ON interaction_log_entries
                DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION refuse_boom();
            """
        )
        try await server.createUser("MANAGER", role: .manager)
        var logins: [RapportConnection] = []
        for _ in 0..<4 { logins.append(try await InteractionKit.login(server, "manager")) }
        let sessions = logins
        // The first command holds the only lane: its final insert waits for a lock the test holds.
        let database = server.database
        let holder = try await TestPostgres.blocking { try database.connect() }
        try await TestPostgres.blocking {
            try holder.execute("BEGIN")
            try holder.execute("LOCK TABLE idempotency_keys IN SHARE MODE")
        }
        async let blocker = Self.create(sessions[0], "first", "k-0")
        try await Self.until { server.server.groupCommitStatistics.busyLanes == 1 }
        async let good1 = Self.create(sessions[1], "one", "k-1")
        async let bad = Self.create(sessions[2], "boom", "k-2")
        async let good2 = Self.create(sessions[3], "two", "k-3")
        try await Self.until { server.server.groupCommitStatistics.queued == 3 }
        try await TestPostgres.blocking { try holder.execute("COMMIT") }
        #expect(try await blocker.final.isOK)
        for reply in [try await good1, try await bad, try await good2] {
            guard case .error(.unavailable, let text) = reply.final else {
                Issue.record("expected UNAVAILABLE, got \(reply.final)")
                continue
            }
            #expect(text.contains("idem="))
        }
        // The clients retry with the same keys.
        #expect(try await Self.create(sessions[1], "one", "k-1").final.isOK)
        #expect(try await Self.create(sessions[3], "two", "k-3").final.isOK)
        #expect(try await Self.create(sessions[1], "one", "k-1").final.isOK, "a replay")
        let descriptions = try await server.rows("SELECT description FROM interaction_log_entries ORDER BY entry_no")
        #expect(descriptions == [["first"], ["one"], ["two"]])
        holder.close()
        for session in sessions { await session.close() }
        try await server.stop()
    }

    /// A batch of INTERACTION-CREATEs writes its entries, comments, delivery rows and keys as one
    /// multi-row statement each; every reply is the stored entry and every key replays. With `twin`, a
    /// second request with a key of the same batch fails the merged insert of keys: every command then
    /// runs alone, and the twin gets the first reply.
    @Test(arguments: [false, true]) func aBatchWritesItsEntriesAndKeysTogether(twin: Bool) async throws {
        let (server, sessions) = try await Self.oneLaneServer(sessions: 6)
        let requests: [[Argument]] = [
            [.named("contact", "CO1"), .named("template", "CALL"), .named("idem", "b-1")],
            [.named("contact", "PE1"), .named("template", "MAIL"), .named("deliver", "true"), .named("idem", "b-2")],
            [
                .named("contact", "PE1"), .named("template", "LETTER"), .named("comment", "one\ntwo"),
                .named("idem", "b-3"),
            ],
            [.named("contact", "CO1"), .named("template", "CALL"), .named("idem", twin ? "b-1" : "b-4")],
            [
                .named("contact", "CO2"), .named("template", "NODESC"), .named("description", "Note"),
                .named("idem", "b-5"),
            ],
        ]
        let (first, answered) = try await Self.batch(server, sessions, requests.map { ("INTERACTION-CREATE", $0) })
        #expect(first.final.isOK)
        for (index, reply) in answered.enumerated() {
            #expect(reply.final.isOK, "\(index): \(reply.final)")
        }
        let stored = twin ? "5" : "6"
        if twin {
            // The twin key got the first reply; one entry for it; the batch ran again command by command.
            #expect(answered[0] == answered[3])
            #expect(server.server.groupCommitRetries == requests.count)
        } else {
            #expect(server.server.groupCommitRetries == 0, "the merged writes were refused")
        }
        #expect(try await server.rows("SELECT count(*)::text FROM interaction_log_entries") == [[stored]])
        #expect(try await server.rows("SELECT count(*)::text FROM idempotency_keys") == [[stored]])
        #expect(try await server.rows("SELECT count(*)::text FROM interaction_log_entry_comments") == [["2"]])
        #expect(try await server.rows("SELECT count(*)::text FROM delivery_outbox") == [["1"]])
        for (index, reply) in answered.enumerated() where !(twin && index == 3) {
            let entry = try #require(reply.field("entry"))
            let shown = try await sessions[1].send("LOG-SHOW", [.positional(entry)])
            #expect(reply.dataLines.first == shown.dataLines.first, "\(index)")
            #expect(
                try await sessions[index + 1].send("INTERACTION-CREATE", requests[index]) == reply,
                "replay \(index)"
            )
        }
        for session in sessions { await session.close() }
        try await server.stop()
    }

    /// A batch whose commands all read ahead costs two round trips however many commands it holds
    /// (every command's reads with the BEGIN; the merged writes with the COMMIT); a replayed key and a
    /// command refused by its checks in the middle of it fail alone.
    @Test func aBatchReadsAheadInOneRoundTripAndItsFailuresStayAlone() async throws {
        let (server, sessions) = try await Self.oneLaneServer(sessions: 6)
        let replayed: [Argument] = [.named("contact", "PE1"), .named("template", "CALL"), .named("idem", "r-0")]
        let earlier = try await sessions[1].send("INTERACTION-CREATE", replayed)
        #expect(earlier.final.isOK)
        let requests: [[Argument]] = [
            [.named("contact", "CO1"), .named("template", "CALL"), .named("idem", "r-1")],
            replayed,
            [.named("contact", "NOBODY"), .named("template", "CALL"), .named("idem", "r-2")],
            [.named("contact", "CO2"), .named("template", "CALL"), .named("idem", "r-3")],
            [.named("contact", "PE1"), .named("template", "CALL"), .named("idem", "r-4")],
        ]
        let counters = server.store.pool.counters
        let trips = NIOLockedValueBox(0)
        let (first, answered) = try await Self.batch(server, sessions, requests.map { ("INTERACTION-CREATE", $0) }) {
            trips.withLockedValue { $0 = counters.values.roundTrips }
        }
        // The batch's two, and the stored reply of the replayed key, read after it.
        #expect(counters.values.roundTrips - trips.withLockedValue { $0 } == 3)
        #expect(first.final.isOK)
        #expect(server.server.groupCommitRetries == 0)
        for index in [0, 3, 4] { #expect(answered[index].final.isOK, "\(index): \(answered[index].final)") }
        #expect(answered[1] == earlier, "the replayed key's first reply")
        guard case .error(.notFound, _) = answered[2].final else {
            Issue.record("the unknown contact: \(answered[2].final)")
            return
        }
        let entries = try await server.rows("SELECT contact_no FROM interaction_log_entries ORDER BY contact_no")
        #expect(entries == [["CO1"], ["CO1"], ["CO2"], ["PE1"], ["PE1"]])
        #expect(try await server.rows("SELECT count(*)::text FROM idempotency_keys") == [["5"]])
        for session in sessions { await session.close() }
        try await server.stop()
    }

    /// LOG-CANCEL, LOG-UNCANCEL and LOG-EVALUATE read ahead too: in a batch with an INTERACTION-CREATE,
    /// the reads of all go out in one round trip; each update that cannot wait goes out under a savepoint
    /// of its own; an unknown entry fails alone.
    @Test func logChangesReadAheadWithCreatesInOneBatch() async throws {
        let (server, sessions) = try await Self.oneLaneServer(sessions: 6)
        var entries: [String] = []
        for index in 0..<3 {
            let reply = try await Self.create(sessions[1], "before \(index)", "pre-\(index)")
            entries.append(try #require(reply.field("entry")))
        }
        let counters = server.store.pool.counters
        let trips = NIOLockedValueBox(0)
        let requests: [(verb: String, arguments: [Argument])] = [
            ("LOG-CANCEL", [.named("entries", entries[0]), .named("idem", "m-1")]),
            ("INTERACTION-CREATE", [.named("contact", "CO2"), .named("template", "CALL"), .named("idem", "m-2")]),
            ("LOG-EVALUATE", [.named("entries", entries[1]), .named("evaluation", "positive"), .named("idem", "m-3")]),
            ("LOG-CANCEL", [.named("entries", "999999"), .named("idem", "m-4")]),
            ("LOG-UNCANCEL", [.named("entries", entries[2]), .named("idem", "m-5")]),
        ]
        let (first, answered) = try await Self.batch(server, sessions, requests) {
            trips.withLockedValue { $0 = counters.values.roundTrips }
        }
        // Every read ahead (1), the cancel's, the evaluation's and the un-cancel's updates (3), the merged
        // writes with the COMMIT (1).
        #expect(counters.values.roundTrips - trips.withLockedValue { $0 } == 5)
        #expect(first.final.isOK)
        #expect(server.server.groupCommitRetries == 0)
        for index in [0, 1, 2, 4] { #expect(answered[index].final.isOK, "\(index): \(answered[index].final)") }
        guard case .error(.notFound, _) = answered[3].final else {
            Issue.record("the unknown entry: \(answered[3].final)")
            return
        }
        let state = try await server.rows(
            "SELECT entry_no::text, canceled::text, coalesce(evaluation::text, '') FROM interaction_log_entries "
                + "WHERE entry_no = ANY('{\(entries.joined(separator: ","))}'::bigint[]) ORDER BY entry_no"
        )
        #expect(state == [[entries[0], "true", ""], [entries[1], "false", "positive"], [entries[2], "false", ""]])
        #expect(try await server.rows("SELECT count(*)::text FROM interaction_log_entries") == [["5"]])
        #expect(try await server.rows("SELECT count(*)::text FROM idempotency_keys") == [["8"]])
        for session in sessions { await session.close() }
        try await server.stop()
    }

    /// A server with one group commit lane, the interaction master data and `sessions` manager sessions.
    static func oneLaneServer(sessions count: Int) async throws -> (TestServer, [RapportConnection]) {
        let server = try await TestServer.start(configure: { $0.groupCommit = .init(lanes: 1) })
        try await server.script(InteractionKit.masterData)
        try await server.createUser("MANAGER", role: .manager)
        var sessions: [RapportConnection] = []
        for _ in 0..<count { sessions.append(try await InteractionKit.login(server, "manager")) }
        return (server, sessions)
    }

    /// Runs `requests` (a verb and its arguments, one per session after the first) as one batch of a
    /// one-lane server: a first command from `sessions[0]` holds the lane, its writes waiting for a lock
    /// the test holds, until all are queued. `beforeRelease` runs once they are, just before the lock
    /// goes. Returns the first command's reply and the batch's replies, in the order of `requests`.
    static func batch(
        _ server: TestServer,
        _ sessions: [RapportConnection],
        _ requests: [(verb: String, arguments: [Argument])],
        beforeRelease: @Sendable () -> Void = {}
    ) async throws -> (first: Response, replies: [Response]) {
        let database = server.database
        let holder = try await TestPostgres.blocking { try database.connect() }
        defer { holder.close() }
        try await TestPostgres.blocking {
            try holder.execute("BEGIN")
            try holder.execute("LOCK TABLE idempotency_keys IN SHARE MODE")
        }
        async let blocker = Self.create(sessions[0], "first", "held-lane")
        try await Self.until { server.server.groupCommitStatistics.busyLanes == 1 }
        let replies = Task {
            try await withThrowingTaskGroup(of: (Int, Response).self) { group in
                for (index, request) in requests.enumerated() {
                    group.addTask { (index, try await sessions[index + 1].send(request.verb, request.arguments)) }
                }
                var replies = [Response?](repeating: nil, count: requests.count)
                for try await (index, reply) in group { replies[index] = reply }
                return replies.map { $0! }
            }
        }
        try await Self.until { server.server.groupCommitStatistics.queued == requests.count }
        // The first command's writes are on their way (waiting for the lock), so nothing else of it counts.
        try await Self.until("the first command never waited for the lock") {
            try await server.rows("SELECT count(*)::text FROM pg_stat_activity WHERE wait_event_type = 'Lock'")
                == [["1"]]
        }
        beforeRelease()
        try await TestPostgres.blocking { try holder.execute("COMMIT") }
        return (try await blocker, try await replies.value)
    }

    static func create(_ session: RapportConnection, _ description: String, _ key: String) async throws -> Response {
        try await session.send(
            "INTERACTION-CREATE",
            [
                .named("contact", "CO1"), .named("template", "CALL"), .named("description", description),
                .named("idem", key),
            ]
        )
    }

    /// Polls `condition` every 10 ms for up to 5 s.
    /// Polls `condition` for up to 30 s: generous, because a loaded 2-core machine can take seconds to start
    /// the tasks a batch is made of (a shorter wait made the batch tests flaky there).
    /// Waits until `condition` holds, at most 30 s; records `what` if it never does.
    static func until(
        _ what: Comment = "the group commit never reached the expected state",
        _ condition: () async throws -> Bool
    ) async throws {
        for _ in 0..<3000 {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(10))
        }
        Issue.record(what)
    }
}

extension FinalLine {
    var isOK: Bool {
        if case .ok = self { return true }
        return false
    }
}
