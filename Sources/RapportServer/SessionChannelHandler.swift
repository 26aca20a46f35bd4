import NIOCore
import RapportProtocol

/// The protocol edge of one connection, on its event loop: PROXY header, line framing, deadlines
/// and the goodbye. The session task above it only ever sees whole frames and writes whole replies.
///
/// - A connection from a trusted balancer must start with a PROXY header (v1 or v2); from anyone
///   else a PROXY header closes the connection.
/// - Frames go up one by one; `inFlight` counts frames not yet answered, so the handler knows when a
///   session is idle. A reply may come in several writes (a streamed list): only the `.final` write,
///   which holds the final line, answers a frame.
/// - Deadlines: login (no LOGIN yet), idle (no request in flight), and partial request (one line or
///   payload taking too long to arrive while nothing is in flight: a slow drip is cut even though
///   bytes keep coming, but a busy pipelining client whose buffer often ends mid-line is not).
/// - On shutdown or a deadline, an idle session gets `BYE reason` at once; a busy one right after
///   its current reply.
final class SessionChannelHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = InboundFrame
    typealias OutboundIn = ReplyPart
    typealias OutboundOut = ByteBuffer

    struct Settings: Sendable {
        var limits: LineFramingLimits
        var idleTimeout: TimeAmount
        var loginTimeout: TimeAmount
        var partialRequestTimeout: TimeAmount
        var expectProxyHeader: Bool
        var greeting: String
        /// When set, the connection is refused: greeting, `BYE reason`, close.
        var refuseWith: String? = nil
    }

    private enum ProxyState {
        /// A trusted balancer: a PROXY header must come first.
        case expectingHeader
        /// Anyone else: the first bytes must not be a PROXY header.
        case refusingHeader
        case done
    }

    private let settings: Settings
    private let info: ConnectionInfo
    private var framer: LineFramer
    private var buffer: ByteBuffer
    private var proxyState: ProxyState
    private var inFlight = 0
    private var authenticated = false
    private var goodbye: String?
    private var closing = false
    private var idleTimer: Scheduled<Void>?
    private var loginTimer: Scheduled<Void>?
    private var partialTimer: Scheduled<Void>?
    private var lingerTimer: Scheduled<Void>?

    init(settings: Settings, info: ConnectionInfo) {
        self.settings = settings
        self.info = info
        self.framer = LineFramer(limits: settings.limits)
        self.buffer = ByteBuffer()
        self.proxyState = settings.expectProxyHeader ? .expectingHeader : .refusingHeader
    }

    func channelActive(context: ChannelHandlerContext) {
        context.writeAndFlush(self.wrapOutboundOut(ByteBuffer(string: self.settings.greeting)), promise: nil)
        if let reason = self.settings.refuseWith {
            self.sayGoodbye(context, reason, force: true)
            context.fireChannelActive()
            return
        }
        self.loginTimer = self.schedule(context, after: self.settings.loginTimeout) { handler, context in
            if !handler.authenticated { handler.sayGoodbye(context, "login deadline passed") }
        }
        self.resetIdleTimer(context)
        if self.proxyState == .expectingHeader {
            self.partialTimer = self.schedule(context, after: self.settings.partialRequestTimeout) { handler, context in
                handler.closeNow(context)
            }
        }
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.cancelTimers()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.cancelTimers()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = self.unwrapInboundIn(data)
        if self.closing { return }
        self.buffer.writeBuffer(&bytes)
        if self.proxyState != .done, !self.handleProxyHeader(context) { return }

        var framesArrived = false
        var linesCompleted = false
        while let frame = self.framer.nextFrame(from: &self.buffer) {
            linesCompleted = true
            if case .line(let text, nil) = frame, text.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
            framesArrived = true
            self.inFlight += 1
            context.fireChannelRead(self.wrapInboundOut(frame))
            if case .invalid(.payloadTooLarge) = frame {
                // The sender is about to send the refused bytes: answer, then close rather than read them all.
                self.goodbye = self.goodbye ?? "literal too large"
                break
            }
        }
        self.releaseGrownBuffer()
        if framesArrived { self.resetIdleTimer(context) }
        if linesCompleted {
            // The deadline bounds how long one line takes to arrive: a completed line starts it anew.
            self.partialTimer?.cancel()
            self.partialTimer = nil
        }
        self.updatePartialTimer(context)
    }

    /// A 16 MiB literal grows the buffer to 16 MiB; keep that memory only while it is needed.
    private func releaseGrownBuffer() {
        let retained = 64 * 1024
        if self.buffer.readableBytes == 0 {
            if self.buffer.capacity > retained { self.buffer = ByteBuffer() } else { self.buffer.clear() }
        } else if self.buffer.capacity > retained, self.buffer.readableBytes <= self.buffer.capacity / 4 {
            var smaller = ByteBuffer()
            smaller.writeImmutableBuffer(self.buffer)
            self.buffer = smaller
        } else {
            self.buffer.discardReadBytes()
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed, self.closing {
            // The client closed after the goodbye: the lingering is over.
            context.close(promise: nil)
            return
        }
        if let event = event as? ChannelEvent, event == .inputClosed {
            // A last line without its terminator still counts (`printf 'PING' | nc -N`).
            if self.proxyState == .done, let frame = self.framer.finish(&self.buffer) {
                self.inFlight += 1
                context.fireChannelRead(self.wrapInboundOut(frame))
            }
            self.partialTimer?.cancel()
        }
        if let event = event as? SessionEvent, event == .shutdown {
            self.sayGoodbye(context, "server shutting down")
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        if let event = event as? SessionEvent, event == .authenticated {
            self.authenticated = true
            self.loginTimer?.cancel()
            promise?.succeed()
            return
        }
        context.triggerUserOutboundEvent(event, promise: promise)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch self.unwrapOutboundIn(data) {
        case .partial(let bytes):
            // Part of a reply: the request is still in flight, so no deadline or goodbye applies yet.
            context.write(self.wrapOutboundOut(bytes), promise: promise)
            self.resetIdleTimer(context)
            return
        case .final(let bytes):
            context.write(self.wrapOutboundOut(bytes), promise: promise)
        }
        self.inFlight = max(0, self.inFlight - 1)
        self.resetIdleTimer(context)
        if self.proxyState == .done { self.updatePartialTimer(context) }
    }

    func flush(context: ChannelHandlerContext) {
        context.flush()
        if let reason = self.goodbye, self.inFlight == 0 {
            self.sayGoodbye(context, reason)
        }
    }

    // MARK: - PROXY header

    /// Returns true when framing may go on with what is left in the buffer.
    private func handleProxyHeader(_ context: ChannelHandlerContext) -> Bool {
        let readable = self.buffer.readableBytesView
        switch self.proxyState {
        case .done:
            return true
        case .refusingHeader:
            guard let first = readable.first else { return false }
            // "PROXY " or the v2 signature's first byte (CR, which no valid request starts with).
            let looksLikeProxy = first == 0x0D || readable.starts(with: "PROXY ".utf8)
            let couldStillBeProxy =
                first == UInt8(ascii: "P") && readable.count < 6 && "PROXY ".utf8.starts(with: readable)
            if looksLikeProxy {
                self.sayGoodbye(context, "PROXY header not accepted from \(self.info.peer)", force: true)
                return false
            }
            if couldStillBeProxy { return false }
            self.proxyState = .done
            return true
        case .expectingHeader:
            switch ProxyProtocolParser.parse(readable) {
            case .needMoreData:
                return false
            case .invalid:
                self.closeNow(context)
                return false
            case .header(let header, let consumed):
                if header.command == .proxy, let source = header.source {
                    self.info.setClientAddress(source.description)
                }
                self.buffer.moveReaderIndex(forwardBy: consumed)
                self.proxyState = .done
                self.partialTimer?.cancel()
                self.partialTimer = nil
                return true
            }
        }
    }

    // MARK: - Deadlines and goodbyes

    private func schedule(
        _ context: ChannelHandlerContext,
        after delay: TimeAmount,
        _ body: @escaping (SessionChannelHandler, ChannelHandlerContext) -> Void
    ) -> Scheduled<Void> {
        context.eventLoop.assumeIsolated().scheduleTask(in: delay) { body(self, context) }
    }

    private func resetIdleTimer(_ context: ChannelHandlerContext) {
        self.idleTimer?.cancel()
        self.idleTimer = self.schedule(context, after: self.settings.idleTimeout) { handler, context in
            handler.sayGoodbye(context, "idle timeout")
        }
    }

    /// Runs only while the server waits on the client: with requests in flight the server is the slow
    /// side (and reads nothing more under backpressure), so pipelined bytes behind them are not late.
    private func updatePartialTimer(_ context: ChannelHandlerContext) {
        let partial = self.framer.hasPartialInput(self.buffer)
        if !partial || self.inFlight > 0 {
            self.partialTimer?.cancel()
            self.partialTimer = nil
        } else if self.partialTimer == nil {
            self.partialTimer = self.schedule(context, after: self.settings.partialRequestTimeout) { handler, context in
                handler.sayGoodbye(context, "request not completed in time", force: true)
            }
        }
    }

    /// Says `BYE reason` and closes: now when nothing is in flight (or `force`), else after the
    /// reply being prepared.
    private func sayGoodbye(_ context: ChannelHandlerContext, _ reason: String, force: Bool = false) {
        guard !self.closing else { return }
        guard self.inFlight == 0 || force else {
            self.goodbye = self.goodbye ?? reason
            return
        }
        self.closing = true
        self.cancelTimers()
        let line = ByteBuffer(string: WireEncoding.finalLine(.bye(reason)))
        context.writeAndFlush(self.wrapOutboundOut(line)).assumeIsolated().whenComplete { [self] result in
            guard case .success = result else { return context.close(promise: nil) }
            self.lingerThenClose(context)
        }
    }

    /// After a goodbye: ends the sending side (the client reads the `BYE`, then the end of the stream),
    /// reads on and discards until the client closes too, at most `lingerTimeout`, then closes. Closing
    /// at once while the client is still sending (a slow drip, a pipelined request, a literal) would
    /// reset the connection, and a reset can destroy the `BYE` before the client has read it.
    private func lingerThenClose(_ context: ChannelHandlerContext) {
        context.close(mode: .output, promise: nil)
        self.lingerTimer = self.schedule(context, after: Self.lingerTimeout) { _, context in
            context.close(promise: nil)
        }
    }

    static let lingerTimeout: TimeAmount = .seconds(2)

    private func closeNow(_ context: ChannelHandlerContext) {
        self.closing = true
        self.cancelTimers()
        context.close(promise: nil)
    }

    private func cancelTimers() {
        self.idleTimer?.cancel()
        self.loginTimer?.cancel()
        self.partialTimer?.cancel()
        self.lingerTimer?.cancel()
    }
}
