import Logging
import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Stops accepting for a while when `accept` fails for lack of resources (EMFILE, ENFILE, ENOBUFS,
/// ENOMEM), counts it and logs it, instead of retrying at full speed.
///
/// Why NIO alone spins: the server channel keeps such errors non-fatal, but `readPending` stays set
/// after the failed `accept`, so NIO never issues a new `read()` through the pipeline (the async
/// bootstrap's `AcceptBackoffHandler` only delays `read()` calls, and none come) and the listening
/// socket stays registered for readability. The connection is still in the backlog, so the
/// level-triggered epoll reports it again at once: accept, EMFILE, repeat, a full core.
///
/// Turning `autoRead` off unregisters the listener from epoll; a scheduled task turns it back on,
/// which registers again and retries the accept. Put this handler in the server channel's pipeline
/// (`serverChannelInitializer`), ahead of NIO's own handlers; it swallows the errors it handles so
/// the `AcceptBackoffHandler` behind it does not add a second, stale delay.
final class AcceptExhaustionHandler: ChannelInboundHandler {
    typealias InboundIn = any Channel

    private let backoff: TimeAmount
    private let listener: String
    private let metrics: ServerMetrics
    private let logger: Logger
    private var resume: Scheduled<Void>?
    /// Failed accepts since the last success; the first of a run is logged as a warning.
    private var failures = 0

    init(listener: String, metrics: ServerMetrics, logger: Logger, backoff: TimeAmount = .milliseconds(100)) {
        self.listener = listener
        self.metrics = metrics
        self.logger = logger
        self.backoff = backoff
    }

    /// The name a resource error is counted under, or nil for any other error.
    static func exhaustion(_ error: any Error) -> String? {
        guard let error = error as? IOError else { return nil }
        switch error.errnoCode {
        case EMFILE: return "EMFILE"
        case ENFILE: return "ENFILE"
        case ENOBUFS: return "ENOBUFS"
        case ENOMEM: return "ENOMEM"
        default: return nil
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if self.failures > 0 {
            self.logger.notice(
                "accepting again",
                metadata: ["listener": "\(self.listener)", "failed_accepts": "\(self.failures)"]
            )
            self.failures = 0
        }
        context.fireChannelRead(data)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let name = Self.exhaustion(error) else {
            context.fireErrorCaught(error)
            return
        }
        self.metrics.acceptFailed(name)
        if self.failures == 0 {
            let descriptors = name == "EMFILE" || name == "ENFILE"
            self.logger.warning(
                descriptors
                    ? "out of file descriptors: not accepting connections for a while (raise LimitNOFILE or ulimit -n)"
                    : "out of kernel memory: not accepting connections for a while",
                metadata: ["listener": "\(self.listener)", "error": "\(name)", "retry_in": "\(self.backoff)"]
            )
        }
        self.failures += 1
        guard self.resume == nil, let options = context.channel.syncOptions else { return }
        // Off the epoll set until the retry: the pending connection would otherwise wake us at once.
        try? options.setOption(.autoRead, value: false)
        self.resume = context.eventLoop.assumeIsolated().scheduleTask(in: self.backoff) {
            self.resume = nil
            try? options.setOption(.autoRead, value: true)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.resume?.cancel()
        self.resume = nil
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.resume?.cancel()
        self.resume = nil
    }
}
