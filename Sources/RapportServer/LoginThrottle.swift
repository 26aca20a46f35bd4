import NIOConcurrencyHelpers

/// Slows down password guessing without making the innocent wait.
///
/// - Per (address, user) pair and per user: after `freeAttempts` failures, a check may start no
///   sooner than `baseDelay` after the later of its arrival and the last failure, twice as long per
///   further failure, up to `maximumPairDelay` for the pair and `maximumUserDelay` for the user (the
///   user's cap is lower because everyone guessing a user also delays its owner).
/// - Per address: after `suspectAfter` failures it is "suspect": its checks start at most once per
///   `suspectInterval`, and its lane of the hashing queue is served only when no other address has
///   a check ready (addresses with fewer failures go first: see `rank`). An address's failures limit its rate, they add no delay to each attempt, so a
///   colleague behind the same NAT with the right password waits about one interval, not 8 s.
///
/// Because the hashing queue starts at most one check per address and per user at a time and the
/// gate is evaluated when a check starts (after the previous failure was recorded), these are rate
/// bounds, not per-connection delays: with the default policy at most 4 guesses per second per
/// address (once suspect; before, at most its 10 free failures faster), at most one guess per 2 s
/// per user from all addresses together (after 6 failures), and one per 8 s per (address, user).
/// Failures are forgotten after a quiet `forgetAfter`; a successful login clears the pair and the user.
///
/// Per replica, in memory: a guesser spread over replicas behind a balancer is also slowed down by
/// each of them, and the failures are counted in the database (`users.failed_logins`) for the DBA.
public final class LoginThrottle: Sendable {
    public struct Policy: Sendable {
        public var freeAttempts: Int = 3
        public var baseDelay: Duration = .milliseconds(250)
        public var maximumPairDelay: Duration = .seconds(8)
        public var maximumUserDelay: Duration = .seconds(2)
        public var suspectAfter: Int = 10
        public var suspectInterval: Duration = .milliseconds(250)
        public var forgetAfter: Duration = .seconds(900)
        /// Bound on remembered addresses, users and pairs against floods of made-up user names.
        public var maximumRecords: Int = 100_000
        public init() {}
    }

    private enum Key: Hashable {
        case address(String)
        case user(String)
        case pair(address: String, user: String)
    }

    private struct Record {
        var failures: Int
        var lastFailure: ContinuousClock.Instant
        /// Addresses only: when the last check from it started (for the suspect interval).
        var lastAttempt: ContinuousClock.Instant?
    }

    public let policy: Policy
    private let records = NIOLockedValueBox<[Key: Record]>([:])

    public init(policy: Policy = Policy()) {
        self.policy = policy
    }

    /// The delay after `failures` failures: none while free, then doubling up to `cap`.
    static func delay(afterFailures failures: Int, policy: Policy, cap: Duration) -> Duration {
        let excess = failures - policy.freeAttempts
        guard excess >= 0 else { return .zero }
        return min(policy.baseDelay * (1 << min(excess, 20)), cap)
    }

    /// The client's address without the port: reconnecting must not reset anything.
    public static func address(of client: String) -> String {
        if client.hasPrefix("["), let end = client.firstIndex(of: "]") { return String(client[...end]) }
        if client.filter({ $0 == ":" }).count == 1, let colon = client.lastIndex(of: ":") {
            return String(client[..<colon])
        }
        return client
    }

    /// The earliest instant a check for `user` from `address`, arrived at `arrived`, may start.
    public func earliestStart(
        address: String,
        user: String,
        arrived: ContinuousClock.Instant,
        now: ContinuousClock.Instant = .now
    ) -> ContinuousClock.Instant {
        let user = user.uppercased()
        return self.records.withLockedValue { records in
            var earliest = arrived
            for (key, cap) in [
                (Key.pair(address: address, user: user), self.policy.maximumPairDelay),
                (.user(user), self.policy.maximumUserDelay),
            ] {
                guard let record = self.current(&records, key, now: now) else { continue }
                let delay = Self.delay(afterFailures: record.failures, policy: self.policy, cap: cap)
                if delay > .zero { earliest = max(earliest, max(arrived, record.lastFailure) + delay) }
            }
            if let record = self.current(&records, .address(address), now: now),
                record.failures >= self.policy.suspectAfter, let last = record.lastAttempt
            {
                earliest = max(earliest, last + self.policy.suspectInterval)
            }
            return earliest
        }
    }

    /// Whether `address` has failed often enough recently to be rate-limited and served last.
    public func isSuspect(address: String, now: ContinuousClock.Instant = .now) -> Bool {
        self.records.withLockedValue { records in
            (self.current(&records, .address(address), now: now)?.failures ?? 0) >= self.policy.suspectAfter
        }
    }

    /// A check from `address` starts (remembered only for addresses with failures: bounded memory).
    public func recordAttempt(address: String, now: ContinuousClock.Instant = .now) {
        self.records.withLockedValue { records in
            records[.address(address)]?.lastAttempt = now
        }
    }

    /// Whether a ticket check from `address` may run now. Ticket checks cost no hash and never
    /// queue, so a suspect address is held to the rate of its password checks here instead: at
    /// most one check (of either kind) per `suspectInterval`; others are refused at once. Records
    /// the attempt.
    public func admitTicketCheck(address: String, now: ContinuousClock.Instant = .now) -> Bool {
        self.records.withLockedValue { records in
            guard let record = self.current(&records, .address(address), now: now),
                record.failures >= self.policy.suspectAfter
            else { return true }
            if let last = record.lastAttempt, now - last < self.policy.suspectInterval { return false }
            records[.address(address)]?.lastAttempt = now
            return true
        }
    }

    public func recordFailure(address: String, user: String, now: ContinuousClock.Instant = .now) {
        let user = user.uppercased()
        self.records.withLockedValue { records in
            for key in [Key.address(address), .user(user), .pair(address: address, user: user)] {
                var record = self.current(&records, key, now: now) ?? Record(failures: 0, lastFailure: now)
                record.failures += 1
                record.lastFailure = now
                records[key] = record
            }
            self.bound(&records, now: now)
        }
    }

    /// A correct password: the user and the pair start afresh; the address keeps its count (a
    /// guesser must not be able to reset it by logging in to an account of its own).
    public func recordSuccess(address: String, user: String) {
        let user = user.uppercased()
        self.records.withLockedValue { records in
            records[.user(user)] = nil
            records[.pair(address: address, user: user)] = nil
        }
    }

    /// How many addresses, users and pairs are remembered.
    var recordCount: Int { self.records.withLockedValue { $0.count } }

    /// The record of `key` unless forgotten (then removed).
    private func current(_ records: inout [Key: Record], _ key: Key, now: ContinuousClock.Instant) -> Record? {
        guard let record = records[key] else { return nil }
        guard now - record.lastFailure <= self.policy.forgetAfter else {
            records[key] = nil
            return nil
        }
        return record
    }

    private func bound(_ records: inout [Key: Record], now: ContinuousClock.Instant) {
        guard records.count > self.policy.maximumRecords else { return }
        records = records.filter { now - $0.value.lastFailure <= self.policy.forgetAfter }
        guard records.count > self.policy.maximumRecords else { return }
        // Still too many within the window (failures arrive only as fast as hashing allows, so
        // this is rare): forget the oldest quarter.
        let cutoff = records.values.map(\.lastFailure).sorted()[records.count / 4]
        records = records.filter { $0.value.lastFailure > cutoff }
    }
}

extension LoginThrottle: HashingGate {
    func notBefore(address: String, user: String, arrived: ContinuousClock.Instant, now: ContinuousClock.Instant)
        -> ContinuousClock.Instant?
    {
        let instant = self.earliestStart(address: address, user: user, arrived: arrived, now: now)
        return instant > arrived ? instant : nil
    }

    /// The order of checks (0 first):
    /// - 0: the address has no recent failures (a login from elsewhere);
    /// - 1: the address has failures, but neither this user nor this (address, user) pair has (a
    ///   colleague behind a guesser's NAT);
    /// - 2: the user or the pair has failed recently (the guesses themselves);
    /// - 3: the address is suspect (many failures).
    /// Only rank 0 may use the hashing thread kept free (`FairQueue`), so guesses from any number
    /// of addresses never make a login from elsewhere wait for a thread.
    func rank(address: String, user: String, now: ContinuousClock.Instant) -> Int {
        let user = user.uppercased()
        return self.records.withLockedValue { records in
            let addressFailures = self.current(&records, .address(address), now: now)?.failures ?? 0
            if addressFailures >= self.policy.suspectAfter { return 3 }
            if addressFailures == 0 { return 0 }
            let userFailures = self.current(&records, .user(user), now: now)?.failures ?? 0
            let pairFailures = self.current(&records, .pair(address: address, user: user), now: now)?.failures ?? 0
            return userFailures == 0 && pairFailures == 0 ? 1 : 2
        }
    }

    /// A user who has failed neither anywhere nor from this address: behind a guessing (even a
    /// suspect) address, a colleague whose place in the queue must not be taken by the guesses.
    func isNewcomer(address: String, user: String, now: ContinuousClock.Instant) -> Bool {
        let user = user.uppercased()
        return self.records.withLockedValue { records in
            self.current(&records, .user(user), now: now) == nil
                && self.current(&records, .pair(address: address, user: user), now: now) == nil
        }
    }

    func started(address: String, now: ContinuousClock.Instant) {
        self.recordAttempt(address: address, now: now)
    }
}
