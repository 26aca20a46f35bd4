import NIOConcurrencyHelpers

/// Slows down password guessing: after a few failures from one client address or for one user,
/// each further attempt waits before it is answered, twice as long per failure, up to a cap.
/// Failures are forgotten after a quiet window; a successful login clears the user's count.
///
/// Per replica, in memory: a guesser spread over replicas behind a balancer is also slowed down by
/// each of them, and the failures are counted in the database (`users.failed_logins`) for the DBA.
public final class LoginThrottle: Sendable {
    public struct Policy: Sendable {
        public var freeAttempts: Int = 3
        public var baseDelay: Duration = .milliseconds(250)
        public var maximumDelay: Duration = .seconds(8)
        public var forgetAfter: Duration = .seconds(900)
        public init() {}
    }

    private struct Record {
        var failures: Int
        var last: ContinuousClock.Instant
    }

    public let policy: Policy
    private let records = NIOLockedValueBox<[String: Record]>([:])

    public init(policy: Policy = Policy()) {
        self.policy = policy
    }

    /// How long to wait before answering an attempt from `client` for `user`.
    public func delay(client: String, user: String, now: ContinuousClock.Instant = .now) -> Duration {
        let failures = self.records.withLockedValue { records in
            [Self.clientKey(client), Self.userKey(user)].map { key -> Int in
                guard let record = records[key] else { return 0 }
                if now - record.last > self.policy.forgetAfter {
                    records[key] = nil
                    return 0
                }
                return record.failures
            }.max() ?? 0
        }
        let excess = failures - self.policy.freeAttempts
        guard excess >= 0 else { return .zero }
        let delay = self.policy.baseDelay * (1 << min(excess, 20))
        return min(delay, self.policy.maximumDelay)
    }

    public func recordFailure(client: String, user: String, now: ContinuousClock.Instant = .now) {
        self.records.withLockedValue { records in
            for key in [Self.clientKey(client), Self.userKey(user)] {
                var record = records[key] ?? Record(failures: 0, last: now)
                if now - record.last > self.policy.forgetAfter { record.failures = 0 }
                record.failures += 1
                record.last = now
                records[key] = record
            }
            // Bound memory against floods of made-up user names.
            if records.count > 100_000 {
                records = records.filter { now - $0.value.last <= self.policy.forgetAfter }
            }
        }
    }

    public func recordSuccess(user: String) {
        _ = self.records.withLockedValue { $0.removeValue(forKey: Self.userKey(user)) }
    }

    private static func clientKey(_ client: String) -> String {
        // The address without the port: reconnecting must not reset the count.
        if client.hasPrefix("["), let end = client.firstIndex(of: "]") { return "c:" + client[...end] }
        if client.filter({ $0 == ":" }).count == 1, let colon = client.lastIndex(of: ":") {
            return "c:" + client[..<colon]
        }
        return "c:" + client
    }

    private static func userKey(_ user: String) -> String { "u:" + user.uppercased() }
}
