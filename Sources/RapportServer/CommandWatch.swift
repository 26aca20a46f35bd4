import NIOConcurrencyHelpers

/// Cancels the command a session is running when nobody can receive its reply any more (the
/// client's connection closed: reset, failed write, or closed by the server) or when it runs past
/// the command deadline. Cancelling the command's task fires the pool's cancellation handler, so
/// PostgreSQL cancels the running statement, the transaction rolls back and the connection goes
/// back to the pool clean.
///
/// Cancelling the task returns at once: the pool sends the blocking cancel request (`PQcancel`)
/// from a thread of its own, so the event loop that noticed the close or the deadline never waits.
///
/// A half-close (the client shut down its sending side, end of input) is not a hang-up: the
/// protocol answers every request sent before it, so the command goes on.
final class CommandWatch: Sendable {
    enum Interruption: Sendable, Equatable {
        /// The connection closed: no reply, the requests queued behind it are dropped.
        case disconnected
        /// The command ran past its deadline: answered `ERR TIMEOUT`.
        case deadlinePassed
    }

    private struct State {
        var disconnected = false
        var deadlinePassed = false
        var cancel: (@Sendable () -> Void)?
    }

    private let state = NIOLockedValueBox(State())

    /// True once the client's connection has closed.
    var isDisconnected: Bool { self.state.withLockedValue { $0.disconnected } }

    /// The connection closed: cancels the running command, if any, and every later one at once.
    func connectionClosed() {
        self.interrupt { $0.disconnected = true }
    }

    /// The running command's deadline passed: cancels it.
    func deadlinePassed() {
        self.interrupt { state in
            guard state.cancel != nil else { return }  // the command had already ended
            state.deadlinePassed = true
        }
    }

    /// A command starts: `cancel` cancels it (at once if the connection has already closed).
    func begin(cancel: @escaping @Sendable () -> Void) {
        let closed = self.state.withLockedValue { state -> Bool in
            state.deadlinePassed = false
            state.cancel = cancel
            return state.disconnected
        }
        if closed { cancel() }
    }

    /// The command ended: what interrupted it, if anything (a hang-up wins over a deadline).
    func end() -> Interruption? {
        self.state.withLockedValue { state in
            state.cancel = nil
            defer { state.deadlinePassed = false }
            if state.disconnected { return .disconnected }
            return state.deadlinePassed ? .deadlinePassed : nil
        }
    }

    private func interrupt(_ mark: (inout State) -> Void) {
        let cancel = self.state.withLockedValue { state -> (@Sendable () -> Void)? in
            mark(&state)
            return state.cancel
        }
        if let cancel { cancel() }
    }
}
