import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL

/// Where and how to reach the relay.
public struct SMTPConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// The name said in EHLO (this host's name).
    public var clientName: String
    public var tls: SMTPDialogue.TLSMode
    public var credentials: SMTPDialogue.Credentials?
    public var connectTimeout: TimeAmount = .seconds(10)
    /// How long a reply may take (also the longest silence while a message is written).
    public var replyTimeout: TimeAmount = .seconds(60)
    /// Certificates to trust, hostname check: the system's by default.
    public var tlsConfiguration: TLSConfiguration = .makeClientConfiguration()

    public init(
        host: String,
        port: Int = 25,
        clientName: String = "localhost",
        tls: SMTPDialogue.TLSMode = .optional,
        credentials: SMTPDialogue.Credentials? = nil
    ) {
        self.host = host
        self.port = port
        self.clientName = clientName
        self.tls = tls
        self.credentials = credentials
    }

    /// Trusts the certificates in a PEM file (a private CA) instead of the system's.
    public mutating func trustCertificates(inPEMFile path: String) {
        self.tlsConfiguration.trustRoots = .file(path)
    }
}

/// One SMTP session over TCP (SwiftNIO), driving an `SMTPDialogue`. Open one with
/// `SMTPConnection.with(_:body:)`; send any number of messages through it; it says QUIT and closes when
/// `body` returns.
///
/// The dialogue runs inside a channel handler on the connection's event loop: a batch of messages goes
/// out one after the other (with PIPELINING one round trip each, the next envelope behind the dot) with
/// no hop to Swift's executor between them. Outcomes are reported on the event loop as they come.
public final class SMTPConnection: Sendable {
    private let channel: any Channel
    private let handler: NIOLoopBound<SMTPClientHandler>
    /// Whether the session runs over TLS (after STARTTLS).
    public let isSecured: Bool

    private init(channel: any Channel, handler: NIOLoopBound<SMTPClientHandler>, isSecured: Bool) {
        self.channel = channel
        self.handler = handler
        self.isSecured = isSecured
    }

    /// Connects, greets (EHLO, STARTTLS, AUTH as configured), runs `body`, then QUIT and close.
    public static func with<Result>(
        _ configuration: SMTPConfiguration,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        _ body: (SMTPConnection) async throws -> Result
    ) async throws -> Result {
        let replyTimeout = configuration.replyTimeout
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: group)
                .connectTimeout(configuration.connectTimeout)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if configuration.tls == .implicit {
                            try channel.pipeline.syncOperations.addHandler(
                                try SMTPClientHandler.tlsHandler(configuration)
                            )
                        }
                        try channel.pipeline.syncOperations.addHandler(IdleStateHandler(readTimeout: replyTimeout))
                        try channel.pipeline.syncOperations.addHandler(SMTPClientHandler(configuration: configuration))
                    }
                }
                .connect(host: configuration.host, port: configuration.port).get()
        } catch {
            throw SMTPError.connection(
                "cannot connect to SMTP server \(configuration.host):\(configuration.port): \(error)"
            )
        }
        let connection: SMTPConnection
        do {
            let (handler, secured) = try await channel.eventLoop.flatSubmit {
                do {
                    let handler = try channel.pipeline.syncOperations.handler(type: SMTPClientHandler.self)
                    let bound = NIOLoopBound(handler, eventLoop: channel.eventLoop)
                    return handler.opened.map { (bound, $0) }
                } catch {
                    return channel.eventLoop.makeFailedFuture(error)
                }
            }.get()
            connection = SMTPConnection(channel: channel, handler: handler, isSecured: secured)
        } catch {
            try? await channel.close()
            throw SMTPError.wrapping(error)
        }
        let result: Result
        do {
            result = try await body(connection)
        } catch {
            try? await channel.close()
            throw error
        }
        await connection.quit()
        return result
    }

    /// Sends one message. A refusal (4xx, 5xx) is an outcome; a broken session throws `SMTPError`.
    public func send(_ envelope: SMTPEnvelope) async throws(SMTPError) -> SMTPDelivery {
        let outcome = NIOLockedValueBox<SMTPDelivery?>(nil)
        try await self.send([envelope]) { _, delivery in outcome.withLockedValue { $0 = delivery } }
        guard let delivery = outcome.withLockedValue({ $0 }) else {
            throw .protocolViolation("the message ended without an outcome")
        }
        return delivery
    }

    /// Sends `envelopes` one after the other and calls `outcome` (on the connection's event loop) with each
    /// one's index and outcome as soon as it is known, in order. A refusal (4xx, 5xx) is an outcome; a
    /// broken session throws `SMTPError`, and the messages after the last reported outcome have none.
    public func send(
        _ envelopes: [SMTPEnvelope],
        outcome: @escaping @Sendable (Int, SMTPDelivery) -> Void
    ) async throws(SMTPError) {
        guard !envelopes.isEmpty else { return }
        let (handler, eventLoop) = (self.handler, self.channel.eventLoop)
        do {
            try await eventLoop.flatSubmit { handler.value.send(envelopes, outcome: outcome) }.get()
        } catch {
            throw SMTPError.wrapping(error)
        }
    }

    /// QUIT, its reply awaited (bounded by the reply timeout), then close.
    private func quit() async {
        let (handler, eventLoop) = (self.handler, self.channel.eventLoop)
        _ = try? await eventLoop.flatSubmit { handler.value.quit() }.get()
        try? await self.channel.close()
    }
}

extension SMTPError {
    static func wrapping(_ error: any Error) -> SMTPError {
        (error as? SMTPError) ?? .connection("the SMTP connection failed: \(error)")
    }
}

/// Runs the dialogue on the event loop: feeds it the replies, performs its actions, and completes the
/// current job (open, a batch of messages, quit). One job at a time; a broken session fails every job.
final class SMTPClientHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private enum Job {
        case open(EventLoopPromise<Bool>)
        case send(Batch)
        case quit(EventLoopPromise<Void>)
    }

    private struct Batch {
        var envelopes: [SMTPEnvelope]
        var next: Int
        var outcome: @Sendable (Int, SMTPDelivery) -> Void
        var promise: EventLoopPromise<Void>
    }

    private let configuration: SMTPConfiguration
    private var dialogue: SMTPDialogue
    private var parser = SMTPReplyParser()
    private var context: ChannelHandlerContext?
    private var job: Job?
    private var broken: SMTPError?
    /// Completed when the session is set up (with whether it runs over TLS) or could not be.
    private var openPromise: EventLoopPromise<Bool>?

    init(configuration: SMTPConfiguration) {
        self.configuration = configuration
        self.dialogue = SMTPDialogue(
            clientName: configuration.clientName,
            tls: configuration.tls,
            credentials: configuration.credentials
        )
    }

    /// Completes once the greeting, EHLO, TLS and AUTH are done (true when over TLS).
    var opened: EventLoopFuture<Bool> { self.openPromise!.futureResult }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        let promise = context.eventLoop.makePromise(of: Bool.self)
        self.openPromise = promise
        self.job = .open(promise)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.fail(.connection("the SMTP connection was closed"))
        self.context = nil
    }

    func send(_ envelopes: [SMTPEnvelope], outcome: @escaping @Sendable (Int, SMTPDelivery) -> Void)
        -> EventLoopFuture<Void>
    {
        let eventLoop = self.context!.eventLoop
        if let broken { return eventLoop.makeFailedFuture(broken) }
        guard self.job == nil, self.dialogue.isReady else {
            return eventLoop.makeFailedFuture(SMTPError.protocolViolation("a message was sent while another was going"))
        }
        let promise = eventLoop.makePromise(of: Void.self)
        self.job = .send(Batch(envelopes: envelopes, next: 0, outcome: outcome, promise: promise))
        self.startNext()
        return promise.futureResult
    }

    func quit() -> EventLoopFuture<Void> {
        let eventLoop = self.context!.eventLoop
        if let broken { return eventLoop.makeFailedFuture(broken) }
        guard self.job == nil else { return eventLoop.makeFailedFuture(SMTPError.protocolViolation("QUIT while busy")) }
        let promise = eventLoop.makePromise(of: Void.self)
        self.job = .quit(promise)
        self.perform(self.dialogue.quit())
        return promise.futureResult
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = self.unwrapInboundIn(data)
        guard self.broken == nil else { return }
        do throws(SMTPError) {
            for reply in try self.parser.feed(buffer.readableBytesView) {
                guard self.broken == nil else { return }
                self.perform(try self.dialogue.receive(reply))
            }
        } catch {
            self.fail(error)
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if case .quit(let promise) = self.job {
            // The server closed after (or instead of) its 221: the session is over either way.
            self.job = nil
            self.broken = .connection("the SMTP session is closed")
            promise.succeed()
        }
        self.fail(.connection("the SMTP server closed the connection"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        self.fail(.connection("the SMTP connection failed: \(error)"))
        context.close(promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read {
            // No byte for the reply timeout: a reply that never came, or an idle session.
            self.fail(.connection("the SMTP server did not answer within the timeout"))
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    /// The batch's next message (with the one after it announced, so that its envelope can follow the dot).
    private func startNext() {
        guard case .send(let batch) = self.job else { return }
        let following = batch.next + 1 < batch.envelopes.count ? batch.envelopes[batch.next + 1] : nil
        do throws(SMTPError) {
            self.perform(try self.dialogue.start(batch.envelopes[batch.next], following: following))
        } catch {
            self.fail(error)
            self.context?.close(promise: nil)
        }
    }

    private func perform(_ actions: [SMTPDialogue.Action]) {
        guard let context = self.context else { return }
        for action in actions {
            switch action {
            case .write(let bytes):
                var buffer = context.channel.allocator.buffer(capacity: bytes.count)
                buffer.writeBytes(bytes)
                context.writeAndFlush(self.wrapOutboundOut(buffer), promise: nil)
            case .startTLS:
                do {
                    try self.startTLS(context)
                    self.perform(try self.dialogue.tlsEstablished())
                } catch {
                    self.fail(SMTPError.wrapping(error))
                    context.close(promise: nil)
                    return
                }
            case .ready:
                guard case .open(let promise) = self.job else { continue }
                self.job = nil
                promise.succeed(self.dialogue.isSecured)
            case .finished(let delivery):
                guard case .send(var batch) = self.job else { continue }
                batch.outcome(batch.next, delivery)
                batch.next += 1
                if batch.next < batch.envelopes.count {
                    self.job = .send(batch)
                    self.startNext()
                } else {
                    self.job = nil
                    batch.promise.succeed()
                }
            case .close:
                if case .quit(let promise) = self.job {
                    self.job = nil
                    self.broken = .connection("the SMTP session is closed")
                    promise.succeed()
                }
                context.close(promise: nil)
            }
        }
    }

    private func startTLS(_ context: ChannelHandlerContext) throws {
        try context.pipeline.syncOperations.addHandler(try Self.tlsHandler(self.configuration), position: .first)
    }

    /// The TLS client for the relay: its certificate checked against the configured roots and its name.
    static func tlsHandler(_ configuration: SMTPConfiguration) throws -> NIOSSLClientHandler {
        let sslContext = try NIOSSLContext(configuration: configuration.tlsConfiguration)
        let host = configuration.host
        // SNI takes names only; an address is still checked against the certificate.
        let isAddress = (try? SocketAddress(ipAddress: host, port: 0)) != nil
        return try NIOSSLClientHandler(context: sslContext, serverHostname: isAddress ? nil : host)
    }

    /// The session is broken: the current job fails, and every later one.
    private func fail(_ error: SMTPError) {
        if self.broken == nil { self.broken = error }
        guard let job = self.job else { return }
        self.job = nil
        switch job {
        case .open(let promise): promise.fail(error)
        case .send(let batch): batch.promise.fail(error)
        case .quit(let promise): promise.succeed()
        }
    }
}
