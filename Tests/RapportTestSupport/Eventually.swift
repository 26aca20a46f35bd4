/// Polls `condition` every 20 ms until it holds; throws `NotSeenInTime` after `limit`. For states that
/// other threads or processes reach a moment later (a close read by an event loop, load under way).
public func eventually(
    _ what: String,
    within limit: Duration = .seconds(8),
    _ condition: () async throws -> Bool
) async throws {
    let clock = ContinuousClock()
    let end = clock.now + limit
    while try await !condition() {
        guard clock.now < end else { throw NotSeenInTime(what: what, limit: limit) }
        try await Task.sleep(for: .milliseconds(20))
    }
}

public struct NotSeenInTime: Error, CustomStringConvertible {
    public var what: String
    public var limit: Duration

    public init(what: String, limit: Duration) {
        self.what = what
        self.limit = limit
    }

    public var description: String { "not seen within \(self.limit): \(self.what)" }
}
