import Foundation
import Logging
import NIOConcurrencyHelpers

/// The cancellation of one lease's work, asked for by the task that leased the connection (its
/// client hung up, its deadline passed).
///
/// One cancel request is not always enough: PostgreSQL drops a cancel that arrives while the backend
/// reads the next statement of a pipeline (the statement then runs, and may wait for a lock until the
/// statement timeout), and `PQcancel` itself can fail to reach the server. So the request is sent
/// again, every `interval`, until the lease's body has returned; and a cancel asked for before the
/// connection was even open makes its first statement fail at once.
///
/// `PQcancel` blocks while it connects to the server: the requests go out from a thread of their own,
/// never from the thread that cancelled the task (it may be an event loop).
final class LeaseCancellation: Sendable {
    private enum Phase: Equatable {
        case running
        case ended
    }

    private struct State {
        var connection: PGConnection?
        var requested = false
    }

    static let interval = 1.0
    /// Enough to outlast any statement timeout the server is configured with in practice.
    static let maximumRequests = 60

    private let phase = ConditionLock(value: Phase.running)
    private let state = NIOLockedValueBox(State())
    private let logger: Logger

    init(logger: Logger) {
        self.logger = logger
    }

    /// The lease's connection, after `beginLease()`: from now on a cancel reaches it.
    func attach(_ connection: PGConnection) {
        let requested = self.state.withLockedValue { state -> Bool in
            state.connection = connection
            return state.requested
        }
        // Cancelled before anything was sent: nothing runs, the first statement fails as cancelled.
        if requested { connection.refuseStatements() }
    }

    /// The lease's body returned (or never ran): no more cancel requests (waits for one being sent).
    func end() {
        self.phase.lock()
        self.phase.unlock(withValue: .ended)
    }

    /// Cancels the lease's statement now and again until the body returns. Returns at once.
    func request() {
        let first = self.state.withLockedValue { state -> Bool in
            defer { state.requested = true }
            return !state.requested
        }
        guard first else { return }
        Thread.detachNewThread { self.sendUntilEnded() }
    }

    private func sendUntilEnded() {
        for attempt in 1...Self.maximumRequests {
            // Sent while the phase is held: `end()` waits for a request on its way, so none can reach the
            // pool's clean-up ROLLBACK that follows it.
            guard self.phase.lock(whenValue: .running, timeoutSeconds: 0) else { return }
            if let connection = self.state.withLockedValue({ $0.connection }) {
                if attempt > 1 {
                    self.logger.debug(
                        "the statement still runs after a cancel request; sending it again",
                        metadata: ["attempt": "\(attempt)", "backend": "\(connection.backendPID)"]
                    )
                }
                if let failure = connection.cancel() {
                    self.logger.warning(
                        "a cancel request did not reach the server",
                        metadata: ["error": "\(failure)", "backend": "\(connection.backendPID)"]
                    )
                }
            }
            self.phase.unlock()
            if self.phase.lock(whenValue: .ended, timeoutSeconds: Self.interval) {
                self.phase.unlock()
                return
            }
        }
        self.logger.warning("the statement still ran after \(Self.maximumRequests) cancel requests; giving up")
    }
}
