import DequeModule
import LibPQ
import Logging
import NIOConcurrencyHelpers

/// Group commit: short write commands that arrive while other commits are in flight are committed
/// together, one transaction and one `COMMIT` (one WAL flush) for the whole batch, each command under
/// its own savepoint so that a failing one rolls back alone and gets its own error.
///
/// - A command that finds a lane free starts at once (nothing waits for company); the commands that
///   arrive while every lane is busy queue and form the next batch of the first lane to finish.
/// - Results are handed out only after `COMMIT` returned: no `OK` before the data is durable. If the
///   commit fails, every command of the batch gets `CommitFailed` (retryable; their `idem=` keys make
///   the retry safe) and nothing of the batch was written.
/// - A command refused for a deadlock or a serialization failure inside a batch of several runs again
///   alone: its neighbours' locks, held until the shared commit, may have caused it.
/// - Savepoints are used only for batches of two or more; a batch of one is a plain transaction (two
///   round trips for a command that reads once and then only queues writes). In a batch of several,
///   such a command costs one round trip of its own (its savepoint, its reads, the previous command's
///   release); the batch's merged writes and its COMMIT go out together at the end.
/// - A command that finds the group commit idle runs its batch in its own task (no hop to a lane task
///   and back); commands arriving meanwhile queue for the next lane.
public final class GroupCommit: Sendable {
    public struct Configuration: Sendable {
        /// Batches in flight at once, each on its own pooled connection. Two by default: with a batch's
        /// reads and writes at two round trips however many commands it holds, fewer lanes make bigger
        /// batches (measured: 32 sessions 1.09× pgbench with two, 0.89× with four); a second lane keeps
        /// the writes going while one batch waits for a lock.
        public var lanes: Int
        /// The most commands in one batch. Kept under 64: PostgreSQL tracks up to 64 subtransactions
        /// per backend cheaply, beyond that every snapshot of every session gets slower.
        public var maximumBatch: Int
        /// How long a lane may wait for more commands before it starts a batch smaller than
        /// `maximumBatch` while another lane is busy; zero starts at once.
        public var maximumWait: Duration

        public init(lanes: Int = 2, maximumBatch: Int = 32, maximumWait: Duration = .zero) {
            self.lanes = max(1, lanes)
            self.maximumBatch = min(max(1, maximumBatch), 60)
            self.maximumWait = max(.zero, maximumWait)
        }
    }

    /// The batch's commit failed: nothing of the batch was written; the command may be sent again.
    public struct CommitFailed: Error, CustomStringConvertible {
        public var underlying: any Error
        public var description: String { "the batch commit failed: \(self.underlying)" }
    }

    /// The batch's merged writes failed: no command can be told apart, each runs again alone.
    private struct MergedWritesFailed: Error {
        var underlying: any Error
    }

    /// Marks a job's failure that running it alone may cure.
    private struct RetryAlone: Error {
        var underlying: any Error
    }

    private struct Job: Sendable {
        var id: Int
        /// The statements `body` asks first (its reads), read ahead for the whole batch; empty: none.
        var reads: [PGQuery]
        /// Runs the command's body on the batch's connection; returns what delivers its value (after COMMIT).
        var body: @Sendable (PGConnection) throws -> @Sendable () -> Void
        var fail: @Sendable (any Error) -> Void
    }

    private struct State {
        var queue: Deque<Job> = []
        var busyLanes = 0
        var nextID = 0
        var batches = 0
        var batchedCommands = 0
        var retriedAlone = 0
    }

    public let configuration: Configuration
    private let pool: PGPool
    private let state = NIOLockedValueBox(State())
    private let logger: Logger
    /// Called with the size of every batch committed (metrics).
    private let onBatch: @Sendable (Int) -> Void

    public init(
        pool: PGPool,
        configuration: Configuration = Configuration(),
        logger: Logger = Logger(label: "rapport.group-commit"),
        onBatch: @escaping @Sendable (Int) -> Void = { _ in }
    ) {
        self.pool = pool
        self.configuration = configuration
        self.logger = logger
        self.onBatch = onBatch
    }

    /// Commands waiting for a lane, and lanes committing (for tests and monitoring).
    public var statistics: (queued: Int, busyLanes: Int) {
        self.state.withLockedValue { ($0.queue.count, $0.busyLanes) }
    }

    /// Batches committed and the commands in them, since the start (their ratio is the mean batch size).
    public var totals: (batches: Int, commands: Int) {
        self.state.withLockedValue { ($0.batches, $0.batchedCommands) }
    }
    /// Commands that ran a second time alone after their batch could not commit them (a deadlock, a
    /// serialization failure, a merged write refused).
    public var commandsRetriedAlone: Int { self.state.withLockedValue { $0.retriedAlone } }

    /// Runs `body` in a transaction shared with other commands and returns its value once committed.
    /// `body` must not begin or end transactions itself; it may queue statements (they are sent
    /// before its savepoint is released).
    ///
    /// `reads`: the statements `body` queues and asks first, in that order (e.g. the idempotency
    /// look-up, then its reads), free of side effects but for drawn numbers. In a batch whose commands
    /// all name theirs, every command's reads go out together with the BEGIN, one round trip for the
    /// batch instead of one per command.
    ///
    /// A command cancelled (its client hung up, its deadline passed) while it waits for a lane leaves
    /// the queue with `CancellationError`; once a batch shared with others runs, it completes (a short
    /// write), and its outcome is the truth the caller gets. A command running alone in its own task
    /// has its statement cancelled, as on the non-batched write path.
    public func run<T: Sendable>(
        reads: [PGQuery] = [],
        _ body: @escaping @Sendable (PGConnection) throws -> T
    ) async throws -> T {
        let id = self.state.withLockedValue { state -> Int in
            state.nextID += 1
            return state.nextID
        }
        do {
            if self.claimIdleLane() { return try await self.runAsLane(id, body) }
            return try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
                    let job = Job(
                        id: id,
                        reads: reads,
                        body: { connection in
                            let value = try body(connection)
                            return { continuation.resume(returning: value) }
                        },
                        fail: { continuation.resume(throwing: $0) }
                    )
                    self.submit(job)
                }
            } onCancel: {
                self.withdraw(id)
            }
        } catch let retry as RetryAlone {
            self.logger.debug("running a command alone after \(retry.underlying)")
            self.state.withLockedValue { $0.retriedAlone += 1 }
            return try await self.pool.withConnection { connection in try connection.transaction { try body($0) } }
        }
    }

    /// A lane for a command that finds the group commit idle (nothing queued, no lane committing): it
    /// runs its own batch in its own task, without the hops to a lane task and back. While other
    /// commits are in flight, commands queue instead: the lane that takes them batches what arrives
    /// meanwhile (taking a lane at once then costs throughput: measured, smaller batches).
    private func claimIdleLane() -> Bool {
        self.state.withLockedValue { state in
            guard state.queue.isEmpty, state.busyLanes == 0 else { return false }
            state.busyLanes += 1
            return true
        }
    }

    /// Runs a batch of one, the caller's own command, on the lane it claimed; commands that queued
    /// meanwhile get a lane task of their own. Like the non-batched write path, a cancellation while
    /// it runs cancels its statement (nobody else's work is in the batch).
    private func runAsLane<T: Sendable>(_ id: Int, _ body: @escaping @Sendable (PGConnection) throws -> T)
        async throws -> T
    {
        let outcome = NIOLockedValueBox<Result<T, any Error>?>(nil)
        let job = Job(
            id: id,
            reads: [],
            body: { connection in
                let value = try body(connection)
                return { outcome.withLockedValue { $0 = .success(value) } }
            },
            fail: { error in outcome.withLockedValue { $0 = .failure(error) } }
        )
        await self.commit([job])
        let handOver = self.state.withLockedValue { state -> Bool in
            if state.queue.isEmpty {
                state.busyLanes -= 1
                return false
            }
            return true
        }
        if handOver { Task { await self.lane() } }
        // `commit` answers every job of its batch: delivered or failed.
        guard let result = outcome.withLockedValue({ $0 }) else {
            throw CommitFailed(underlying: CancellationError())
        }
        return try result.get()
    }

    /// Takes a cancelled command out of the queue if no lane has taken it yet.
    private func withdraw(_ id: Int) {
        let job = self.state.withLockedValue { state -> Job? in
            guard let index = state.queue.firstIndex(where: { $0.id == id }) else { return nil }
            return state.queue.remove(at: index)
        }
        job?.fail(CancellationError())
    }

    private func submit(_ job: Job) {
        let startLane = self.state.withLockedValue { state -> Bool in
            state.queue.append(job)
            guard state.busyLanes < self.configuration.lanes else { return false }
            state.busyLanes += 1
            return true
        }
        if startLane { Task { await self.lane() } }
    }

    /// Takes batches off the queue until it is empty.
    private func lane() async {
        while true {
            if self.configuration.maximumWait > .zero, self.waitingIsWorthIt() {
                try? await Task.sleep(for: self.configuration.maximumWait)
            }
            let batch = self.state.withLockedValue { state -> [Job] in
                let count = min(state.queue.count, self.configuration.maximumBatch)
                let batch = Array(state.queue.prefix(count))
                state.queue.removeFirst(count)
                if batch.isEmpty { state.busyLanes -= 1 }
                return batch
            }
            if batch.isEmpty { return }
            await self.commit(batch)
        }
    }

    /// A short wait pays only when another lane is committing (more commands are likely on the way)
    /// and the batch is not full yet.
    private func waitingIsWorthIt() -> Bool {
        self.state.withLockedValue { $0.busyLanes > 1 && $0.queue.count < self.configuration.maximumBatch }
    }

    private enum Outcome {
        case committed(@Sendable () -> Void)
        case failed(any Error)
    }

    private func commit(_ batch: [Job]) async {
        let outcomes: [Outcome]
        do {
            outcomes = try await self.pool.withConnection { connection in try Self.runBatch(connection, batch) }
        } catch let error as PGError
            where error.kind == .poolBusy || error.kind == .poolClosed || error.isConnectionFailure
        {
            // No lease, or the connection broke: whether a COMMIT in flight took effect is unknown, so
            // the commands get the database's own error (retryable; their idem= keys tell on retry).
            for job in batch { job.fail(error) }
            return
        } catch let error as MergedWritesFailed {
            self.logger.debug(
                "a batch's merged writes failed; its commands run alone",
                metadata: ["error": "\(error.underlying)"]
            )
            for job in batch { job.fail(RetryAlone(underlying: error.underlying)) }
            return
        } catch {
            for job in batch { job.fail(CommitFailed(underlying: error)) }
            return
        }
        self.state.withLockedValue { state in
            state.batches += 1
            state.batchedCommands += batch.count
        }
        self.onBatch(batch.count)
        for (job, outcome) in zip(batch, outcomes) {
            switch outcome {
            case .committed(let deliver): deliver()
            case .failed(let error): job.fail(error)
            }
        }
    }

    /// The batch's transaction on one connection: per job a savepoint, its body, its queued writes
    /// flushed with the savepoint's release (so an error is the job's own); the last job's flush
    /// carries the COMMIT. Throws only when the transaction as a whole failed.
    private static func runBatch(_ connection: PGConnection, _ batch: [Job]) throws -> [Outcome] {
        let shared = batch.count > 1
        var outcomes: [Outcome] = []
        connection.enqueue("BEGIN ISOLATION LEVEL READ COMMITTED")
        // In a shared batch the commands' deferrable writes (entries, keys, …) wait for the end, where
        // the same statements become one multi-row statement each.
        if shared { connection.beginDeferring() }
        if shared, let answers = try Self.readAhead(connection, batch) {
            return try Self.runReadAhead(connection, batch, answers)
        }
        for (index, job) in batch.enumerated() {
            let last = index == batch.count - 1
            // What was queued before this job (BEGIN, a previous job's rollback) is not the job's to drop.
            let queuedBefore = connection.queuedCount
            let deferredBefore = connection.deferredCount
            let tripsBefore = connection.roundTripCount
            if shared { connection.enqueue("SAVEPOINT rapport_command") }
            do {
                let deliver = try job.body(connection)
                if shared {
                    // Writes the command queued are answered under its savepoint, so that their errors
                    // are its own. One whose writes were all deferred (merged at the batch's end) has
                    // nothing waiting: its RELEASE goes out with the next command's first round trip.
                    let waiting = connection.queuedCount > 0
                    connection.enqueue("RELEASE SAVEPOINT rapport_command")
                    if waiting { try connection.flush() }
                } else {
                    if last { connection.enqueue("COMMIT") }
                    try connection.flush()
                }
                outcomes.append(.committed(deliver))
            } catch {
                guard connection.isOpen else {
                    connection.discardQueued()
                    throw error
                }
                connection.discardDeferred(keeping: deferredBefore)
                if connection.roundTripCount == tripsBefore {
                    // Refused before anything of it was sent: nothing to roll back.
                    connection.discardQueued(keeping: shared ? queuedBefore : 0)
                } else {
                    connection.discardQueued()
                    if !shared, connection.transactionState == .idle {
                        // Its COMMIT ran and failed (a deferred check).
                        outcomes.append(.failed(error))
                        break
                    }
                    if shared {
                        // Pipelined statements after a failure were skipped: the savepoint is still there.
                        connection.enqueue("ROLLBACK TO SAVEPOINT rapport_command")
                        connection.enqueue("RELEASE SAVEPOINT rapport_command")
                    } else {
                        connection.enqueue("ROLLBACK")
                        try connection.flush()
                    }
                }
                let retryable = (error as? PGError).map { $0.isSerializationFailure || $0.sqlState == "40P01" } ?? false
                outcomes.append(.failed(shared && retryable ? RetryAlone(underlying: error) : error))
            }
        }
        if shared { try Self.commitMerged(connection) }
        return outcomes
    }

    /// The merged writes of a shared batch and its COMMIT, in one round trip.
    private static func commitMerged(_ connection: PGConnection) throws {
        for write in connection.takeDeferred() { connection.enqueue(write) }
        connection.enqueue("COMMIT")
        do {
            try connection.flush()
        } catch {
            connection.discardQueued()
            // A merged write failed (which command's row is unknown): every command runs again alone.
            if connection.isOpen, connection.transactionState == .failedTransaction {
                throw MergedWritesFailed(underlying: error)
            }
            throw error
        }
    }

    /// Sends the BEGIN queued and every command's reads in one round trip when all the batch's commands
    /// named theirs; returns each command's answers. Nil when they did not, or when a read failed (the
    /// transaction then starts again and the batch runs command by command).
    private static func readAhead(_ connection: PGConnection, _ batch: [Job]) throws -> [[PGRows]]? {
        guard batch.allSatisfy({ !$0.reads.isEmpty }) else { return nil }
        let answers: [PGRows]
        do {
            answers = try connection.queries(batch.flatMap(\.reads))
        } catch {
            guard connection.isOpen else { throw error }
            connection.discardQueued()
            if connection.transactionState != .idle { connection.enqueue("ROLLBACK") }
            connection.enqueue("BEGIN ISOLATION LEVEL READ COMMITTED")
            return nil
        }
        var rest = answers[...]
        return batch.map { job in
            defer { rest = rest.dropFirst(job.reads.count) }
            return Array(rest.prefix(job.reads.count))
        }
    }

    /// The batch's commands on the answers read ahead: each body runs without a round trip of its own
    /// (its writes deferred to the merged statements). Writes a body could not defer go out under a
    /// savepoint of their own, so that their errors are the command's. A command that failed after a
    /// round trip of its own (a read nobody foresaw) may have changed something no savepoint covers:
    /// the batch rolls back and every command runs again alone.
    private static func runReadAhead(_ connection: PGConnection, _ batch: [Job], _ answers: [[PGRows]]) throws
        -> [Outcome]
    {
        var outcomes: [Outcome] = []
        for (job, rows) in zip(batch, answers) {
            connection.prime(job.reads, answers: rows)
            let deferredBefore = connection.deferredCount
            let tripsBefore = connection.roundTripCount
            var underSavepoint = false
            do {
                let deliver = try job.body(connection)
                connection.discardPrimed()
                underSavepoint = true
                try connection.flushUnderSavepoint("rapport_command")
                outcomes.append(.committed(deliver))
            } catch {
                connection.discardPrimed()
                connection.discardQueued()
                guard connection.isOpen else { throw error }
                connection.discardDeferred(keeping: deferredBefore)
                if underSavepoint {
                    // At once: the next command's statements must not queue behind it.
                    connection.enqueue("ROLLBACK TO SAVEPOINT rapport_command")
                    connection.enqueue("RELEASE SAVEPOINT rapport_command")
                    try connection.flush()
                } else if connection.roundTripCount != tripsBefore {
                    _ = connection.takeDeferred()
                    connection.enqueue("ROLLBACK")
                    try connection.flush()
                    throw MergedWritesFailed(underlying: error)
                }
                let retryable = (error as? PGError).map { $0.isSerializationFailure || $0.sqlState == "40P01" } ?? false
                outcomes.append(.failed(retryable ? RetryAlone(underlying: error) : error))
            }
        }
        try Self.commitMerged(connection)
        return outcomes
    }
}
