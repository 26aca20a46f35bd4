import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// What the hashing threads ask the login throttle: when a password check may start, and which
/// addresses wait behind the others.
protocol HashingGate: Sendable {
    /// The earliest start of a check for `user` from `address` that arrived at `arrived`; nil = any time.
    func notBefore(address: String, user: String, arrived: ContinuousClock.Instant, now: ContinuousClock.Instant)
        -> ContinuousClock.Instant?
    /// The rank of a check for `user` from `address` (0 first): served only when no check of a
    /// lower rank is ready.
    func rank(address: String, user: String, now: ContinuousClock.Instant) -> Int
    /// Whether `user` has no recent failures, anywhere or from `address`.
    func isNewcomer(address: String, user: String, now: ContinuousClock.Instant) -> Bool
    /// A check from `address` starts now.
    func started(address: String, now: ContinuousClock.Instant)
}

/// The fair hashing scheduler: `threads` threads (one per core by default) that take password
/// hashes in `FairQueue` order, never in arrival order.
///
/// Own threads rather than a thread pool with its own FIFO queue: a job is handed to a thread only
/// when it starts, so the fairness decision is made at the last moment, with the gate's current
/// delays. The queue is guarded by one condition variable; the threads sleep on it until work is
/// submitted, a job finishes (freeing an address's or user's place) or the earliest gate opens.
final class HashingThreads: @unchecked Sendable {
    /// A place in the queue, taken before the (database) work that precedes the hash.
    struct Reservation: Sendable {
        fileprivate let id: Int
        fileprivate let address: String
    }

    typealias Refusal = FairQueue<@Sendable () -> Void>.Refusal

    private let condition = NSCondition()
    // Guarded by `condition`.
    private var queue: FairQueue<@Sendable () -> Void>
    private var stopped = false
    private var liveThreads: Int
    /// A moving average of how long one hash takes, for the retry hint of a refusal.
    private var averageSeconds = 0.5
    private let threadCount: Int
    private let gate: any HashingGate
    /// Told the number of admitted hashes not yet started whenever it changes (the metric).
    private let onQueueLength: @Sendable (Int) -> Void

    init(
        threads: Int,
        limits: FairQueue<@Sendable () -> Void>.Limits = .init(),
        gate: any HashingGate,
        onQueueLength: @escaping @Sendable (Int) -> Void = { _ in }
    ) {
        self.queue = FairQueue(limits: limits, threads: max(1, threads))
        self.gate = gate
        self.liveThreads = max(1, threads)
        self.threadCount = max(1, threads)
        self.onQueueLength = onQueueLength
        for index in 0..<max(1, threads) {
            let thread = Thread { [self] in
                self.work()
            }
            thread.name = "rapportd-hash-\(index)"
            thread.start()
        }
    }

    /// A place for a hash of `user`'s password from `address`, or the reason there is none now.
    func reserve(address: String, user: String, gated: Bool) throws(Refusal) -> Reservation {
        self.condition.lock()
        defer { self.condition.unlock() }
        let now = ContinuousClock.now
        // A user without failures behind an address with some: the guessers' full queue is theirs.
        let exempt = gated && self.gate.isNewcomer(address: address, user: user, now: now)
        let id = try self.queue.admit(address: address, user: user, gated: gated, exempt: exempt, now: now)
        self.onQueueLength(self.queue.queuedCount)
        return Reservation(id: id, address: address)
    }

    /// Whole seconds until the queue as it is now would have been hashed (at least 1): the retry
    /// hint of an `ERR BUSY`.
    var estimatedWaitSeconds: Int {
        self.condition.lock()
        defer { self.condition.unlock() }
        let seconds = Double(self.queue.queuedCount + 1) * self.averageSeconds / Double(self.threadCount)
        return max(1, Int(seconds.rounded(.up)))
    }

    /// Gives a reservation back unused.
    func cancel(_ reservation: Reservation) {
        self.condition.lock()
        self.queue.withdraw(reservation.id, address: reservation.address)
        self.onQueueLength(self.queue.queuedCount)
        self.condition.broadcast()
        self.condition.unlock()
    }

    /// Runs `body` on a hashing thread when the reservation's turn comes.
    func run<T: Sendable>(_ reservation: Reservation, _ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            self.condition.lock()
            if self.liveThreads == 0 {
                // Stopped and every thread gone: nobody would take it.
                self.queue.withdraw(reservation.id, address: reservation.address)
                self.condition.unlock()
                continuation.resume(returning: body())
                return
            }
            self.queue.submit(reservation.id, address: reservation.address) { continuation.resume(returning: body()) }
            self.condition.broadcast()
            self.condition.unlock()
        }
    }

    /// Lets the threads finish what is queued (gates no longer apply) and end.
    func stop() {
        self.condition.lock()
        self.stopped = true
        self.condition.broadcast()
        self.condition.unlock()
    }

    private func work() {
        self.condition.lock()
        while true {
            let now = ContinuousClock.now
            let stopped = self.stopped
            let gate = self.gate
            let decision = self.queue.next(
                now: now,
                notBefore: {
                    stopped ? nil : gate.notBefore(address: $0.address, user: $0.user, arrived: $0.arrived, now: now)
                },
                rank: { gate.rank(address: $0.address, user: $0.user, now: now) }
            )
            switch decision {
            case .run(let job):
                if job.gated { gate.started(address: job.address, now: now) }
                self.onQueueLength(self.queue.queuedCount)
                self.condition.unlock()
                let started = ContinuousClock.now
                job.work?()
                let seconds = (ContinuousClock.now - started) / .seconds(1)
                self.condition.lock()
                self.averageSeconds = 0.8 * self.averageSeconds + 0.2 * seconds
                self.queue.finish(job)
                self.condition.broadcast()
            case .wait(let until):
                let seconds = (until - now) / .seconds(1)
                _ = self.condition.wait(until: Date(timeIntervalSinceNow: seconds))
            case .idle:
                if stopped && self.queue.queuedCount == 0 {
                    self.liveThreads -= 1
                    self.condition.unlock()
                    return
                }
                self.condition.wait()
            }
        }
    }
}
