import LibPQ
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import RapportProtocol
import RapportStore

/// The line-protocol server: accepts connections, runs one session per connection, drains on
/// shutdown.
///
/// Each connection's pipeline is `SessionChannelHandler` (PROXY header, framing, deadlines,
/// goodbye) under an `NIOAsyncChannel` read by one session task, which answers frames strictly in
/// order; the next frame is read once the reply is written (backpressure through the async
/// channel's watermarks).
public final class RapportServer: Sendable {
    public let configuration: ServerConfiguration
    private let context: ServerContext
    private let dispatcher: Dispatcher
    private let logger: Logger
    private let group: any EventLoopGroup
    private let state = NIOLockedValueBox(State())

    private struct State {
        var serverChannel: (any Channel)?
        var connections: [Int: any Channel] = [:]
        var nextConnectionID = 0
        var shutdownRequested = false
    }

    public var metrics: ServerMetrics { self.context.metrics }

    public init(
        configuration: ServerConfiguration,
        store: Store,
        hasher: PasswordHasher,
        logger: Logger,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        self.configuration = configuration
        self.logger = logger
        self.group = group
        let metrics = ServerMetrics(verbs: CommandSpecs.all.map(\.name))
        let throttle = LoginThrottle()
        let hashing = HashingThreads(
            threads: configuration.hashThreads,
            limits: configuration.hashQueueLimits,
            gate: throttle
        )
        let context = ServerContext(
            store: store,
            hasher: hasher,
            throttle: throttle,
            hashing: hashing,
            metrics: metrics
        )
        self.context = context
        let table = NIOLockedValueBox<CommandTable?>(nil)
        let commands =
            SessionCommands.make(context, table: { table.withLockedValue { $0! } }) + UserCommands.make(context)
            + MasterDataCommands.make(context) + InteractionCommands.make(context) + SegmentCommands.make(context)
        self.dispatcher = Dispatcher(commands: commands, metrics: metrics, isDraining: { context.isDraining })
        table.withLockedValue { $0 = self.dispatcher.table }
    }

    /// The specs of every command, as `HELP` serves them (and `docs/PROTOCOL.md` documents them).
    public static var commandSpecs: [CommandSpec] { CommandSpecs.all }

    /// Binds, calls `onBound` with the listening address, and serves until `shutdown()` has drained.
    public func run(onBound: @Sendable (SocketAddress) -> Void = { _ in }) async throws {
        let settings = SessionChannelHandler.Settings(
            limits: LineFramingLimits(
                maximumLineLength: self.configuration.maximumLineLength,
                maximumPayloadLength: self.configuration.maximumPayloadLength
            ),
            idleTimeout: self.configuration.idleTimeout,
            loginTimeout: self.configuration.loginTimeout,
            partialRequestTimeout: self.configuration.partialRequestTimeout,
            expectProxyHeader: false,
            greeting: Greeting().line
        )
        let trusted = self.configuration.trustedProxies
        let channel = try await ServerBootstrap(group: self.group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .bind(host: self.configuration.host, port: self.configuration.port) { child in
                child.eventLoop.makeCompletedFuture {
                    let peer = child.remoteAddress
                    let (info, overLimit) = self.register(child, peer: peer.map(Self.describe) ?? "unknown")
                    var connectionSettings = settings
                    // Over the limit: the handler says BYE at once; the kernel backlog absorbs floods beyond.
                    connectionSettings.refuseWith = overLimit ? "too many connections" : nil
                    connectionSettings.expectProxyHeader = peer?.ipAddress.map { trusted.contains($0) } ?? false
                    try child.pipeline.syncOperations.addHandler(
                        SessionChannelHandler(settings: connectionSettings, info: info)
                    )
                    let asyncChannel = try NIOAsyncChannel<InboundFrame, ByteBuffer>(
                        wrappingChannelSynchronously: child,
                        configuration: .init(isOutboundHalfClosureEnabled: true)
                    )
                    return (asyncChannel, info)
                }
            }
        self.state.withLockedValue { $0.serverChannel = channel.channel }
        if let address = channel.channel.localAddress { onBound(address) }
        self.logger.info("listening", metadata: ["address": "\(channel.channel.localAddress?.description ?? "?")"])

        try await withThrowingDiscardingTaskGroup { group in
            try await channel.executeThenClose { inbound in
                for try await (connection, info) in inbound {
                    group.addTask { await self.serve(connection, info: info) }
                }
            }
        }
        self.context.hashing.stop()
        self.logger.info("all sessions ended")
    }

    /// SIGTERM: HEALTH fails at once; work is still accepted for the drain delay; then the listener
    /// closes and every session ends after its current reply.
    public func shutdown() async {
        let first = self.state.withLockedValue { state -> Bool in
            defer { state.shutdownRequested = true }
            return !state.shutdownRequested
        }
        guard first else { return }
        self.context.startDraining()
        self.logger.info("draining", metadata: ["delay": "\(self.configuration.drainDelay)"])
        try? await Task.sleep(for: self.configuration.drainDelay)
        let (listener, connections) = self.state.withLockedValue { ($0.serverChannel, Array($0.connections.values)) }
        try? await listener?.close()
        for connection in connections {
            connection.pipeline.fireUserInboundEventTriggered(SessionEvent.shutdown)
        }
        // Sessions still busy after the grace period are cut.
        let deadline = ContinuousClock.now + self.configuration.shutdownGrace
        while ContinuousClock.now < deadline, !self.state.withLockedValue({ $0.connections.isEmpty }) {
            try? await Task.sleep(for: .milliseconds(50))
        }
        let stragglers = self.state.withLockedValue { Array($0.connections.values) }
        for connection in stragglers { connection.close(promise: nil) }
    }

    public var isDraining: Bool { self.context.isDraining }

    /// `203.0.113.7:51234` or `[2001:db8::1]:51234`.
    static func describe(_ address: SocketAddress) -> String {
        guard let ip = address.ipAddress, let port = address.port else { return address.description }
        return ip.contains(":") ? "[\(ip)]:\(port)" : "\(ip):\(port)"
    }

    /// Records a new connection; returns its info and whether it is over the connection limit.
    private func register(_ channel: any Channel, peer: String) -> (ConnectionInfo, overLimit: Bool) {
        let (id, count) = self.state.withLockedValue { state in
            state.nextConnectionID += 1
            state.connections[state.nextConnectionID] = channel
            return (state.nextConnectionID, state.connections.count)
        }
        let info = ConnectionInfo(id: id, peer: peer)
        channel.closeFuture.whenComplete { _ in
            _ = self.state.withLockedValue { $0.connections.removeValue(forKey: id) }
        }
        return (info, count > self.configuration.maximumConnections)
    }

    /// One session: frames in, replies out, strictly in order.
    private func serve(_ connection: NIOAsyncChannel<InboundFrame, ByteBuffer>, info: ConnectionInfo) async {
        var logger = self.logger
        logger[metadataKey: "session"] = "\(info.id)"
        logger[metadataKey: "peer"] = "\(info.peer)"
        self.context.metrics.sessionOpened()
        defer { self.context.metrics.sessionClosed() }
        do {
            try await connection.executeThenClose { inbound, outbound in
                var session = SessionState()
                for try await frame in inbound {
                    logger[metadataKey: "client"] = "\(info.clientAddress)"
                    let (tag, response, after) = await self.dispatcher.handle(
                        frame,
                        session: &session,
                        connection: info,
                        logger: logger
                    )
                    logger[metadataKey: "user"] = session.user.map { "\($0.userID)" }
                    logger[metadataKey: "salesperson"] = session.user?.salespersonCode.map { "\($0)" }
                    let statistics = self.context.store.pool.statistics
                    self.context.metrics.pool(
                        open: statistics.open,
                        leased: statistics.leased,
                        waiting: statistics.waiting
                    )
                    try await outbound.write(ByteBuffer(bytes: response.encode(tag: tag)))
                    switch after {
                    case .proceed: break
                    case .authenticated:
                        try await connection.channel.triggerUserOutboundEvent(SessionEvent.authenticated)
                    case .close: return
                    }
                }
            }
        } catch {
            logger.debug("session ended with an error", metadata: ["error": "\(error)"])
        }
    }
}
