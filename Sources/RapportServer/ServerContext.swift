import Logging
import NIOConcurrencyHelpers
import RapportStore

/// Everything the command handlers share: the store, password hashing, login throttling and the
/// server's readiness.
final class ServerContext: Sendable {
    let store: Store
    let hasher: PasswordHasher
    let throttle: LoginThrottle
    let metrics: ServerMetrics
    private let draining = NIOLockedValueBox(false)

    init(store: Store, hasher: PasswordHasher, throttle: LoginThrottle, metrics: ServerMetrics) {
        self.store = store
        self.hasher = hasher
        self.throttle = throttle
        self.metrics = metrics
    }

    var isDraining: Bool { self.draining.withLockedValue { $0 } }

    func startDraining() {
        self.draining.withLockedValue { $0 = true }
    }
}
