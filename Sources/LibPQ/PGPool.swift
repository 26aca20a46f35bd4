import DequeModule
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A bounded pool of libpq connections whose blocking calls run on a dedicated thread pool.
///
/// - A caller leases a connection for one closure (`withConnection`, `withTransaction`); the closure
///   runs on one of the pool's own threads (as many threads as connections), never on an event
///   loop or on Swift's cooperative pool.
/// - When every connection is leased, up to `maximumWaiters` callers wait, each at most
///   `acquireTimeout`; anyone beyond that gets `poolBusy` at once instead of queueing without bound.
/// - A returned connection is checked: an open transaction is rolled back, a broken connection is
///   closed and a new one is opened on the next demand, so a database restart never poisons the pool.
/// - A connection whose server answered 25006 (read-only transaction: after a failover it reaches a
///   demoted primary, now a standby) or 57P01–57P03 is closed on release too, never reused.
/// - If a lease's first statement finds its connection dead (e.g. the backend was terminated while
///   idle), nothing can have happened on it, so the lease is retried once on a new connection.
public final class PGPool: Sendable {
    public struct Configuration: Sendable {
        public var connection: ConnectionConfiguration
        public var size: Int
        public var maximumWaiters: Int
        public var acquireTimeout: Duration

        public init(
            connection: ConnectionConfiguration,
            size: Int = 8,
            maximumWaiters: Int = 256,
            acquireTimeout: Duration = .seconds(5)
        ) {
            precondition(size > 0, "a pool needs at least one connection")
            self.connection = connection
            self.size = size
            self.maximumWaiters = maximumWaiters
            self.acquireTimeout = acquireTimeout
        }
    }

    /// What the pool holds right now.
    public struct Statistics: Sendable, Equatable {
        public var open: Int
        public var idle: Int
        public var leased: Int
        public var waiting: Int
    }

    private enum Lease {
        case existing(PGConnection)
        /// A slot is reserved; the caller opens a new connection in it.
        case create
    }

    private struct Waiter {
        var id: Int
        var continuation: CheckedContinuation<Lease, any Error>
        var timeout: Scheduled<Void>?
    }

    private struct State {
        var idle: [PGConnection] = []
        /// Connections open or being opened, idle or leased.
        var slotsInUse = 0
        var waiters: Deque<Waiter> = []
        var nextWaiterID = 0
        var closed = false
    }

    public let configuration: Configuration
    /// Round trips, statements and prepares of every connection this pool opened.
    public let counters = PGStatementCounters()
    private let state = NIOLockedValueBox(State())
    private let threadPool: NIOThreadPool
    private let timerLoop: any EventLoop
    private let logger: Logger

    public init(configuration: Configuration, logger: Logger = Logger(label: "rapport.pg-pool")) {
        self.configuration = configuration
        self.logger = logger
        self.threadPool = NIOThreadPool(numberOfThreads: configuration.size)
        self.threadPool.start()
        self.timerLoop = MultiThreadedEventLoopGroup.singleton.any()
    }

    public var statistics: Statistics {
        self.state.withLockedValue { state in
            Statistics(
                open: state.slotsInUse,
                idle: state.idle.count,
                leased: state.slotsInUse - state.idle.count,
                waiting: state.waiters.count
            )
        }
    }

    /// Leases a connection, runs `body` with it on a pool thread, checks the connection and returns it.
    @discardableResult
    public func withConnection<T: Sendable>(_ body: @escaping @Sendable (PGConnection) throws -> T) async throws -> T {
        do {
            return try await self.runLeased(body, retryable: true)
        } catch is DeadOnArrival {
            return try await self.runLeased(body, retryable: false)
        }
    }

    /// Runs `body` in one transaction on a leased connection: COMMIT on return, ROLLBACK on throw.
    @discardableResult
    public func withTransaction<T: Sendable>(
        _ isolation: PGConnection.IsolationLevel = .readCommitted,
        _ body: @escaping @Sendable (PGConnection) throws -> T
    ) async throws -> T {
        try await self.withConnection { connection in try connection.transaction(isolation, body) }
    }

    /// Closes idle connections, fails waiters, and stops the threads once leases have ended.
    public func shutdown() async {
        let (idle, waiters) = self.state.withLockedValue { state in
            state.closed = true
            let idle = state.idle
            state.slotsInUse -= idle.count
            state.idle = []
            let waiters = state.waiters
            state.waiters = []
            return (idle, waiters)
        }
        for waiter in waiters {
            waiter.timeout?.cancel()
            waiter.continuation.resume(throwing: PGError(.poolClosed, "the database pool is shut down"))
        }
        for connection in idle { connection.close() }
        try? await self.threadPool.shutdownGracefully()
    }

    /// Marker: the lease's first statement found a dead connection.
    private struct DeadOnArrival: Error {
        var underlying: PGError
    }

    private func runLeased<T: Sendable>(
        _ body: @escaping @Sendable (PGConnection) throws -> T,
        retryable: Bool
    ) async throws -> T {
        let lease = try await self.acquire()
        let configuration = self.configuration.connection
        // The connection in use, for cancellation and for release; set before anything can throw.
        var existing: PGConnection? = nil
        if case .existing(let connection) = lease { existing = connection }
        let holder = NIOLockedValueBox<PGConnection?>(existing)
        let cancellation = LeaseCancellation(logger: self.logger)
        defer { cancellation.end() }  // also when the body never ran
        do {
            let result: T = try await withTaskCancellationHandler {
                try await self.threadPool.runIfActive {
                    let connection: PGConnection
                    switch lease {
                    case .existing(let existing): connection = existing
                    case .create:
                        connection = try PGConnection.connect(configuration)
                        connection.counters = self.counters
                    }
                    holder.withLockedValue { $0 = connection }
                    connection.beginLease()
                    cancellation.attach(connection)
                    defer {
                        cancellation.end()
                        Self.resetAfterUse(connection)
                    }
                    do {
                        return try body(connection)
                    } catch let error as PGError
                        where retryable && error.isConnectionFailure && !connection.isOpen
                        && !connection.hasRunStatementsThisLease
                    {
                        throw DeadOnArrival(underlying: error)
                    }
                }
            } onCancel: {
                cancellation.request()
            }
            self.release(holder.withLockedValue { $0 })
            return result
        } catch {
            self.release(holder.withLockedValue { $0 })
            if let dead = error as? DeadOnArrival {
                self.logger.info("replacing a dead database connection", metadata: ["error": "\(dead.underlying)"])
            }
            throw error
        }
    }

    /// Leaves a connection idle and outside any transaction, or closes it when it is broken.
    private static func resetAfterUse(_ connection: PGConnection) {
        connection.discardEverythingQueued()
        connection.beginLease()  // clears a cancel, so that the ROLLBACK below is not refused
        switch connection.transactionState {
        case .idle:
            break
        case .inTransaction, .failedTransaction:
            if (try? connection.execute("ROLLBACK")) == nil { connection.close() }
        case .active, .unknown:
            connection.close()
        }
        // A demoted primary keeps the connection open but refuses writes (25006): a new connection
        // finds the new primary.
        if !connection.isOpen || connection.mustReconnect { connection.close() }
    }

    private func acquire() async throws -> Lease {
        enum Decision {
            case lease(Lease)
            case wait
            case fail(PGError)
        }
        let decision: Decision = self.state.withLockedValue { state in
            if state.closed { return .fail(PGError(.poolClosed, "the database pool is shut down")) }
            if let connection = state.idle.popLast() { return .lease(.existing(connection)) }
            if state.slotsInUse < self.configuration.size {
                state.slotsInUse += 1
                return .lease(.create)
            }
            if state.waiters.count >= self.configuration.maximumWaiters {
                return .fail(PGError(.poolBusy, "all \(self.configuration.size) database connections are busy"))
            }
            return .wait
        }
        switch decision {
        case .lease(let lease): return lease
        case .fail(let error): throw error
        case .wait: return try await self.waitForLease()
        }
    }

    private func waitForLease() async throws -> Lease {
        let id = self.state.withLockedValue { state -> Int in
            state.nextWaiterID += 1
            return state.nextWaiterID
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Lease, any Error>) in
                let immediate: Lease? = self.state.withLockedValue { state in
                    // A connection may have come back between the decision and now.
                    if let connection = state.idle.popLast() { return .existing(connection) }
                    if state.slotsInUse < self.configuration.size {
                        state.slotsInUse += 1
                        return .create
                    }
                    let timeout = self.timerLoop.scheduleTask(
                        in: .nanoseconds(self.nanoseconds(self.configuration.acquireTimeout))
                    ) {
                        self.failWaiter(id, PGError(.poolBusy, "no database connection became free in time"))
                    }
                    state.waiters.append(Waiter(id: id, continuation: continuation, timeout: timeout))
                    return nil
                }
                if let immediate { continuation.resume(returning: immediate) }
            }
        } onCancel: {
            self.failWaiter(id, CancellationError())
        }
    }

    private func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    private func failWaiter(_ id: Int, _ error: any Error) {
        let waiter: Waiter? = self.state.withLockedValue { state in
            guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
            return state.waiters.remove(at: index)
        }
        waiter?.timeout?.cancel()
        waiter?.continuation.resume(throwing: error)
    }

    /// Returns a connection (or the slot of a closed or never-opened one) to the pool.
    private func release(_ connection: PGConnection?) {
        let usable = connection?.isOpen == true ? connection : nil
        let (handOff, keep): ((Waiter, Lease)?, Bool) = self.state.withLockedValue { state in
            if state.closed {
                state.slotsInUse -= 1
                return (nil, false)
            }
            if let waiter = state.waiters.popFirst() {
                // The slot passes straight to the first waiter: its connection, or the right to open one.
                return ((waiter, usable.map { .existing($0) } ?? .create), usable != nil)
            }
            if let usable {
                state.idle.append(usable)
                return (nil, true)
            }
            state.slotsInUse -= 1
            return (nil, false)
        }
        if !keep { connection?.close() }
        if let (waiter, lease) = handOff {
            waiter.timeout?.cancel()
            waiter.continuation.resume(returning: lease)
        }
    }
}
