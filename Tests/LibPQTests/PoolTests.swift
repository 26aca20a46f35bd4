import LibPQ
import RapportTestSupport
import Testing

@Suite("LibPQ pool")
struct PoolTests {
    let database: TestDatabase

    init() async throws {
        self.database = try await TestPostgres.freshDatabase(migrated: false)
    }

    func makePool(size: Int, waiters: Int = 256, timeout: Duration = .seconds(10)) -> PGPool {
        PGPool(
            configuration: .init(
                connection: self.database.configuration(),
                size: size,
                maximumWaiters: waiters,
                acquireTimeout: timeout
            )
        )
    }

    @Test func fiftyConcurrentTasksOnFourConnections() async throws {
        let pool = self.makePool(size: 4)
        let results = try await withThrowingTaskGroup(of: Int.self) { group in
            for task in 0..<50 {
                group.addTask {
                    try await pool.withConnection { connection in
                        try connection.query("SELECT \(task)::int8 + 0 * pg_backend_pid() FROM pg_sleep(0.01)")[0]
                            .decode(Int.self, at: 0)
                    }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.sorted() == Array(0..<50))
        let statistics = pool.statistics
        #expect(statistics.open <= 4)
        #expect(statistics.leased == 0)
        await pool.shutdown()
    }

    @Test func terminatedBackendIsReplaced() async throws {
        let pool = self.makePool(size: 1)
        let firstPID = try await pool.withConnection { $0.backendPID }
        // Kill the pooled connection's backend from another connection, as a DBA or a restart would.
        let database = self.database
        try await TestPostgres.blocking {
            let admin = try database.connect()
            defer { admin.close() }
            try admin.execute("SELECT pg_terminate_backend(\(firstPID))")
        }
        try await Task.sleep(for: .milliseconds(100))
        let answer = try await pool.withConnection { try $0.query("SELECT 41 + 1")[0].decode(Int.self, at: 0) }
        #expect(answer == 42)
        let secondPID = try await pool.withConnection { $0.backendPID }
        #expect(secondPID != firstPID)
        await pool.shutdown()
    }

    @Test func fullPoolAnswersBusyAtOnce() async throws {
        let pool = self.makePool(size: 1, waiters: 0)
        let holding = Task { try await pool.withConnection { try $0.execute("SELECT pg_sleep(0.5)") } }
        try await Task.sleep(for: .milliseconds(100))
        let error = await #expect(throws: PGError.self) {
            try await pool.withConnection { try $0.execute("SELECT 1") }
        }
        #expect(error?.kind == .poolBusy)
        _ = try await holding.value
        await pool.shutdown()
    }

    @Test func waiterTimesOut() async throws {
        let pool = self.makePool(size: 1, timeout: .milliseconds(100))
        let holding = Task { try await pool.withConnection { try $0.execute("SELECT pg_sleep(0.6)") } }
        try await Task.sleep(for: .milliseconds(50))
        let error = await #expect(throws: PGError.self) {
            try await pool.withConnection { try $0.execute("SELECT 1") }
        }
        #expect(error?.kind == .poolBusy)
        _ = try await holding.value
        await pool.shutdown()
    }

    @Test func openTransactionIsRolledBackOnReturn() async throws {
        let pool = self.makePool(size: 1)
        try await pool.withConnection { connection in
            try connection.execute("CREATE TABLE t (id int)")
            try connection.execute("BEGIN")
            try connection.execute("INSERT INTO t VALUES (1)")
            // Returned mid-transaction: the pool must roll back, not leak the transaction to the next lease.
        }
        let (count, state) = try await pool.withConnection { connection in
            (try connection.query("SELECT count(*) FROM t")[0].decode(Int.self, at: 0), connection.transactionState)
        }
        #expect(count == 0)
        #expect(state == .idle)
        await pool.shutdown()
    }

    @Test func withTransactionCommitsOrRollsBack() async throws {
        struct Boom: Error {}
        let pool = self.makePool(size: 2)
        try await pool.withConnection { try $0.execute("CREATE TABLE t (id int)") }
        try await pool.withTransaction { try $0.execute("INSERT INTO t VALUES (1)") }
        await #expect(throws: Boom.self) {
            try await pool.withTransaction { connection in
                try connection.execute("INSERT INTO t VALUES (2)")
                throw Boom()
            }
        }
        let count = try await pool.withConnection { try $0.query("SELECT count(*) FROM t")[0].decode(Int.self, at: 0) }
        #expect(count == 1)
        await pool.shutdown()
    }

    @Test func cancellingTheTaskCancelsTheStatement() async throws {
        // Without the cancel the statement would succeed after 10 s.
        try await self.expectCancelled("SELECT pg_sleep(10)")
    }

    /// PostgreSQL can miss a cancel request (one arriving between two pipelined statements is
    /// dropped); the pool sends it again until the statement ends. The statement here swallows the
    /// first cancel and sleeps again: with a single request it would succeed after 20 s.
    @Test func aCancelThatIsMissedIsSentAgain() async throws {
        try await self.expectCancelled(
            """
            DO $$ BEGIN
                BEGIN PERFORM pg_sleep(10); EXCEPTION WHEN query_canceled THEN PERFORM pg_sleep(10); END;
            END $$
            """
        )
    }

    /// Runs `statement` in a task, cancels the task once the statement has started, and expects the statement
    /// cancelled and the pool's connection usable afterwards.
    private func expectCancelled(_ statement: PGQuery) async throws {
        let pool = self.makePool(size: 1)
        let task = Task { try await pool.withConnection { try $0.execute(statement) } }
        // Long enough for the connection to open and the statement to start on a loaded machine.
        try await Task.sleep(for: .seconds(1))
        task.cancel()
        let result = await task.result
        guard case .failure(let error as PGError) = result else {
            Issue.record("expected a PGError, got \(result)")
            return
        }
        #expect(error.kind == .canceled)
        let answer = try await pool.withConnection { try $0.query("SELECT 1")[0].decode(Int.self, at: 0) }
        #expect(answer == 1)
        await pool.shutdown()
    }

    /// A task cancelled while its connection is still being opened runs no statement at all.
    @Test func aLeaseCancelledBeforeItsConnectionOpensRunsNothing() async throws {
        let pool = self.makePool(size: 1)
        let task = Task {
            try? await Task.sleep(for: .seconds(3600))  // cancelled: returns at once, the task stays cancelled
            return try await pool.withConnection { try $0.execute("SELECT pg_sleep(10)") }
        }
        task.cancel()
        let result = await task.result
        guard case .failure(let error) = result else {
            Issue.record("expected a failure, got \(result)")
            return
        }
        #expect(error is CancellationError || (error as? PGError)?.kind == .canceled, "\(error)")
        await pool.shutdown()
    }

    @Test func shutDownPoolRefuses() async throws {
        let pool = self.makePool(size: 1)
        await pool.shutdown()
        let error = await #expect(throws: PGError.self) { try await pool.withConnection { try $0.execute("SELECT 1") } }
        #expect(error?.kind == .poolClosed)
    }
}
