import DequeModule
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
}

/// One SMTP session over TCP (SwiftNIO), driving an `SMTPDialogue`. Open one with
/// `SMTPConnection.with(_:body:)`; send any number of messages through it, one after the other; it
/// says QUIT and closes when `body` returns.
public final class SMTPConnection {
    private var inbound: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    private let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    private let channel: any Channel
    private let configuration: SMTPConfiguration
    private var dialogue: SMTPDialogue
    private var parser = SMTPReplyParser()
    private var replies = Deque<SMTPReply>()
    /// Once the session broke (error, closed), it takes no more messages.
    public private(set) var isBroken = false

    private init(
        inbound: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator,
        outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>,
        channel: any Channel,
        configuration: SMTPConfiguration
    ) {
        self.inbound = inbound
        self.outbound = outbound
        self.channel = channel
        self.configuration = configuration
        self.dialogue = SMTPDialogue(
            clientName: configuration.clientName,
            tls: configuration.tls,
            credentials: configuration.credentials
        )
    }

    /// Whether the session runs over TLS (after STARTTLS).
    public var isSecured: Bool { self.dialogue.isSecured }

    /// Connects, greets (EHLO, STARTTLS, AUTH as configured), runs `body`, then QUIT and close.
    public static func with<Result>(
        _ configuration: SMTPConfiguration,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        _ body: (SMTPConnection) async throws -> Result
    ) async throws -> Result {
        let replyTimeout = configuration.replyTimeout
        let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
        do {
            channel = try await ClientBootstrap(group: group)
                .connectTimeout(configuration.connectTimeout)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .connect(host: configuration.host, port: configuration.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(IdleStateHandler(readTimeout: replyTimeout))
                        try channel.pipeline.syncOperations.addHandler(CloseWhenIdle())
                        return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw SMTPError.connection(
                "cannot connect to SMTP server \(configuration.host):\(configuration.port): \(error)"
            )
        }
        let raw = channel.channel
        return try await channel.executeThenClose { inbound, outbound in
            let connection = SMTPConnection(
                inbound: inbound.makeAsyncIterator(),
                outbound: outbound,
                channel: raw,
                configuration: configuration
            )
            try await connection.open()
            let result: Result
            do {
                result = try await body(connection)
            } catch {
                connection.isBroken = true
                throw error
            }
            await connection.quit()
            return result
        }
    }

    /// Sends one message. A refusal (4xx, 5xx) is an outcome; a broken session throws `SMTPError`.
    ///
    /// `following`: the message the caller sends next, if any: with PIPELINING its envelope goes out right
    /// after this message (one round trip per message). The caller must then send it next.
    public func send(_ envelope: SMTPEnvelope, following: SMTPEnvelope? = nil) async throws(SMTPError)
        -> SMTPDelivery
    {
        guard !self.isBroken else { throw .connection("the SMTP session is closed") }
        do throws(SMTPError) {
            let actions = try self.dialogue.start(envelope, following: following)
            switch try await self.drive(actions) {
            case .finished(let outcome): return outcome
            default: throw .protocolViolation("the message ended without an outcome")
            }
        } catch {
            self.isBroken = true
            throw error
        }
    }

    private func open() async throws(SMTPError) {
        do throws(SMTPError) {
            guard case .ready = try await self.drive([]) else {
                throw .protocolViolation("the session ended before it was ready")
            }
        } catch {
            self.isBroken = true
            throw error
        }
    }

    private func quit() async {
        guard !self.isBroken else { return }
        self.isBroken = true
        _ = try? await self.drive(self.dialogue.quit())
    }

    /// Performs `actions` and feeds replies to the dialogue until it reports ready, an outcome or close.
    private func drive(_ initial: [SMTPDialogue.Action]) async throws(SMTPError) -> SMTPDialogue.Action {
        var actions = initial
        while true {
            var index = 0
            while index < actions.count {
                switch actions[index] {
                case .write(let bytes):
                    do {
                        try await self.outbound.write(ByteBuffer(bytes: bytes))
                    } catch {
                        throw .connection("the SMTP connection failed while writing: \(error)")
                    }
                case .startTLS:
                    try await self.startTLS()
                    actions += try self.dialogue.tlsEstablished()
                case .ready, .finished, .close:
                    return actions[index]
                }
                index += 1
            }
            actions = try self.dialogue.receive(try await self.nextReply())
        }
    }

    private func nextReply() async throws(SMTPError) -> SMTPReply {
        while self.replies.isEmpty {
            let buffer: ByteBuffer?
            do {
                buffer = try await self.inbound.next()
            } catch {
                throw .connection("the SMTP connection failed: \(error)")
            }
            guard let buffer else {
                throw .connection("the SMTP server closed the connection (or did not answer within the timeout)")
            }
            self.replies.append(contentsOf: try self.parser.feed(buffer.readableBytesView))
        }
        return self.replies.removeFirst()
    }

    private func startTLS() async throws(SMTPError) {
        guard self.replies.isEmpty else { throw .protocolViolation("data after the reply to STARTTLS") }
        let (tlsConfiguration, host, channel) = (
            self.configuration.tlsConfiguration, self.configuration.host, self.channel
        )
        do {
            // The handler is made and added on the channel's event loop (it is not Sendable).
            try await channel.eventLoop.submit {
                let context = try NIOSSLContext(configuration: tlsConfiguration)
                // SNI takes names only; an address is still checked against the certificate.
                let isAddress = (try? SocketAddress(ipAddress: host, port: 0)) != nil
                let handler = try NIOSSLClientHandler(context: context, serverHostname: isAddress ? nil : host)
                try channel.pipeline.syncOperations.addHandler(handler, position: .first)
            }.get()
        } catch {
            throw .connection("STARTTLS failed: \(error)")
        }
    }
}

/// Closes the connection when no byte came for the reply timeout (`IdleStateHandler`'s read event).
private final class CloseWhenIdle: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read {
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }
}
