import NIOConcurrencyHelpers
import NIOCore
import RapportProtocol
import Synchronization

/// The shared state of one connection: the greeting, the requests in flight, and whether the session is over.
///
/// Callers register and write under one lock, so the order of tags, the order of writes and the order of
/// ``PendingRequests`` agree. Continuations are resumed outside the lock.
final class ReplyRouter: Sendable {
    typealias Waiter = CheckedContinuation<TaggedResponse, any Error>

    private enum Phase: Sendable {
        /// Waiting for the server's first line.
        case awaitingGreeting(CheckedContinuation<TaggedResponse, any Error>?)
        /// Requests may be sent.
        case open
        /// No request may be sent any more; replies to those in flight may still arrive.
        case closing(RapportClientError)
        /// The connection is gone.
        case closed(RapportClientError)
    }

    private enum RegistrationOutcome {
        case sent
        case cancelled
        case refused(RapportClientError)
    }

    private struct State: Sendable {
        var phase: Phase = .awaitingGreeting(nil)
        /// The greeting, or why it did not come, when it arrived before anyone asked.
        var earlyGreeting: Result<TaggedResponse, RapportClientError>?
        var pending = PendingRequests<Waiter>()
        /// Requests cancelled before they could be registered.
        var cancelledKeys: Set<UInt64> = []
        var nextTagNumber = 1
    }

    // A pthread lock rather than `Synchronization.Mutex`: on Linux, Mutex hands a contended lock over in the kernel
    // (futex), which ThreadSanitizer cannot see, so every contended access is reported as a race and real ones
    // would drown (`make test-tsan`).
    private let state = NIOLockedValueBox(State())
    private let nextKey = Atomic<UInt64>(0)
    /// The bytes of each request, in order, for the writer loop.
    private let outbound: AsyncStream<ByteBuffer>.Continuation

    init(outbound: AsyncStream<ByteBuffer>.Continuation) {
        self.outbound = outbound
    }

    // MARK: Greeting

    /// Waits for the first reply of the connection.
    func greeting() async throws -> TaggedResponse {
        try await withCheckedThrowingContinuation { continuation in
            let early: Result<TaggedResponse, RapportClientError>? = self.state.withLockedValue { state in
                if let early = state.earlyGreeting { return early }
                state.phase = .awaitingGreeting(continuation)
                return nil
            }
            if let early { continuation.resume(with: early) }
        }
    }

    /// Ends the wait for the greeting with `error` (timeout), unless it has already arrived.
    func failGreeting(_ error: RapportClientError) {
        let waiter: CheckedContinuation<TaggedResponse, any Error>? = self.state.withLockedValue { state in
            guard case .awaitingGreeting(let waiter) = state.phase else { return nil }
            state.phase = .closed(error)
            state.earlyGreeting = .failure(error)
            return waiter
        }
        waiter?.resume(throwing: error)
        self.outbound.finish()
    }

    // MARK: Requests

    /// Whether requests may still be sent.
    var isOpen: Bool {
        self.state.withLockedValue { state in
            if case .open = state.phase { return true }
            return false
        }
    }

    /// Why the session ended or is ending (nil while open).
    var endReason: RapportClientError? {
        self.state.withLockedValue { state in
            switch state.phase {
            case .closing(let error), .closed(let error): return error
            case .open, .awaitingGreeting: return nil
            }
        }
    }

    /// Writes a request and waits for its reply.
    ///
    /// - Parameters:
    ///   - body: the encoded request without a tag (or, for a raw line, exactly as typed).
    ///   - automaticTag: whether to prefix the next `#N` tag.
    ///   - rawTag: for a raw line, the tag the line carries itself.
    func send(_ body: [UInt8], automaticTag: Bool, rawTag: String?) async throws -> TaggedResponse {
        let key = self.nextKey.add(1, ordering: .relaxed).newValue
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: Waiter) in
                self.register(key: key, body: body, automaticTag: automaticTag, rawTag: rawTag, continuation)
            }
        } onCancel: {
            self.cancel(key: key)
        }
    }

    private func register(key: UInt64, body: [UInt8], automaticTag: Bool, rawTag: String?, _ continuation: Waiter) {
        let outcome: RegistrationOutcome = self.state.withLockedValue { state in
            if state.cancelledKeys.remove(key) != nil { return .cancelled }
            switch state.phase {
            case .open: break
            case .awaitingGreeting: return .refused(.protocolViolation("request before the greeting"))
            case .closing(let error), .closed(let error): return .refused(error)
            }
            var buffer = ByteBuffer()
            var tag = rawTag
            if automaticTag {
                let automatic = "#\(state.nextTagNumber)"
                state.nextTagNumber += 1
                buffer.writeString(automatic + " ")
                tag = automatic
            }
            buffer.writeBytes(body)
            state.pending.add(key: key, tag: tag, waiter: continuation)
            // Yielding under the lock keeps the writes in tag order.
            self.outbound.yield(buffer)
            return .sent
        }
        switch outcome {
        case .sent: break
        case .cancelled: continuation.resume(throwing: CancellationError())
        case .refused(let error): continuation.resume(throwing: error)
        }
    }

    private func cancel(key: UInt64) {
        let waiter: Waiter? = self.state.withLockedValue { state in
            if let waiter = state.pending.abandon(key: key) { return waiter }
            // Not registered yet: remember it so that registration gives up. (When the request was already
            // answered, the key stays here unused; a few bytes per late cancellation.)
            state.cancelledKeys.insert(key)
            return nil
        }
        waiter?.resume(throwing: CancellationError())
    }

    // MARK: Replies and the end

    /// Hands a reply from the server to whoever waits for it.
    func receive(_ reply: TaggedResponse) {
        var resumptions: [(Waiter, Result<TaggedResponse, any Error>)] = []
        var finishOutbound = false
        self.state.withLockedValue { state in
            switch state.phase {
            case .awaitingGreeting(let waiter):
                state.phase = .open
                if let waiter {
                    resumptions.append((waiter, .success(reply)))
                } else {
                    state.earlyGreeting = .success(reply)
                }
                return
            case .closed:
                return
            case .open, .closing:
                break
            }
            guard case .bye(let text) = reply.response.final else {
                if case .waiter(let waiter) = state.pending.match(tag: reply.tag) {
                    resumptions.append((waiter, .success(reply)))
                }
                return
            }
            // A BYE answers a request only if it carries that request's tag, or is untagged and an untagged
            // (raw) request is waiting; otherwise the server is closing on its own (idle timeout, shutdown).
            if reply.tag != nil || state.pending.expectsUntaggedReply,
                case .waiter(let waiter) = state.pending.match(tag: reply.tag)
            {
                resumptions.append((waiter, .success(reply)))
            }
            let error = RapportClientError.connectionClosed(bye: text)
            state.phase = .closing(error)
            for waiter in state.pending.removeAll() { resumptions.append((waiter, .failure(error))) }
            finishOutbound = true
        }
        if finishOutbound { self.outbound.finish() }
        for (waiter, result) in resumptions { waiter.resume(with: result) }
    }

    /// Records the end of the connection and fails everything still waiting.
    ///
    /// - Parameter error: why it ended; nil for an orderly end of input. Ignored once the session was already
    ///   ending (`BYE` received or ``stopSending()`` called).
    func connectionEnded(_ error: RapportClientError?) {
        let (waiters, finalError): ([Waiter], RapportClientError) = self.state.withLockedValue { state in
            let finalError: RapportClientError
            switch state.phase {
            case .closed(let previous):
                return ([], previous)
            case .closing(let previous):
                // After a BYE or close(), that is the reason, even if the stream then ends mid-reply.
                finalError = previous
            case .awaitingGreeting, .open:
                finalError = error ?? .connectionClosed(bye: nil)
            }
            var waiters = state.pending.removeAll()
            if case .awaitingGreeting(let greetingWaiter) = state.phase {
                if let greetingWaiter { waiters.append(greetingWaiter) }
                state.earlyGreeting = .failure(finalError)
            }
            state.phase = .closed(finalError)
            return (waiters, finalError)
        }
        self.outbound.finish()
        for waiter in waiters { waiter.resume(throwing: finalError) }
    }

    /// Refuses further requests (the caller is closing); requests in flight keep waiting for their replies.
    func stopSending() {
        self.state.withLockedValue { state in
            if case .open = state.phase { state.phase = .closing(.connectionClosed(bye: nil)) }
        }
        self.outbound.finish()
    }
}
