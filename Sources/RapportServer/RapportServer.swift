import EventLoopExecutor
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
    let logger: Logger
    private let group: any EventLoopGroup
    private let state = NIOLockedValueBox(State())

    private struct State {
        var serverChannel: (any Channel)?
        var connections: [Int: any Channel] = [:]
        var nextConnectionID = 0
        var shutdownRequested = false
        /// Drains waiting for the last connection to close, by waiter id.
        var idleWaiters: [Int: CheckedContinuation<Bool, Never>] = [:]
        var nextWaiterID = 0
    }

    public var metrics: ServerMetrics { self.context.metrics }

    /// Reads from a hot standby, when configured (its monitor is one of `services()`).
    public var readRouting: ReadRouting? { self.context.reads }

    /// The login throttle (tests check what it counted).
    var loginThrottle: LoginThrottle { self.context.throttle }

    /// Write commands waiting for a group commit lane, and lanes committing.
    public var groupCommitStatistics: (queued: Int, busyLanes: Int) { self.context.groupCommit.statistics }

    /// Group commit batches committed and the commands in them, since the start.
    public var groupCommitTotals: (batches: Int, commands: Int) { self.context.groupCommit.totals }
    /// Write commands that ran again alone after their batch could not commit them.
    public var groupCommitRetries: Int { self.context.groupCommit.commandsRetriedAlone }

    public init(
        configuration: ServerConfiguration,
        store: Store,
        hasher: PasswordHasher,
        logger: Logger,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        reads: ReadRouting? = nil
    ) {
        self.configuration = configuration
        self.logger = logger
        self.group = group
        let metrics = ServerMetrics(verbs: CommandSpecs.all.map(\.name))
        let throttle = LoginThrottle()
        let hashing = HashingThreads(
            threads: configuration.hashThreads,
            limits: configuration.hashQueueLimits,
            gate: throttle,
            onQueueLength: { metrics.hashQueue(length: $0) }
        )
        let context = ServerContext(
            store: store,
            hasher: hasher,
            throttle: throttle,
            hashing: hashing,
            metrics: metrics,
            groupCommit: configuration.groupCommit,
            reads: reads,
            ticketLifetime: configuration.ticketLifetime,
            emailRelayMissing: configuration.delivery.map { $0.relay == nil } ?? false
        )
        self.context = context
        store.pool.counters.observe { roundTrips, statements, prepares in
            metrics.database(roundTrips: roundTrips, statements: statements, prepares: prepares)
        }
        let table = NIOLockedValueBox<CommandTable?>(nil)
        let commands =
            SessionCommands.make(context, table: { table.withLockedValue { $0! } }) + UserCommands.make(context)
            + MasterDataCommands.make(context) + InteractionCommands.make(context) + SegmentCommands.make(context)
            + OpportunityTaskCommands.make(context)
        self.dispatcher = Dispatcher(commands: commands, context: context)
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
        let (metrics, logger) = (self.context.metrics, self.logger)
        let listener = "\(self.configuration.host):\(self.configuration.port)"
        let channel = try await ServerBootstrap(group: self.group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelInitializer { server in
                server.eventLoop.makeCompletedFuture {
                    try server.pipeline.syncOperations.addHandler(
                        AcceptExhaustionHandler(listener: listener, metrics: metrics, logger: logger)
                    )
                }
            }
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
                    let asyncChannel = try NIOAsyncChannel<InboundFrame, ReplyPart>(
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
                    let executor = EventLoopTaskExecutor(connection.channel.eventLoop)
                    group.addTask(executorPreference: executor) {
                        await self.serve(connection, info: info, executor: executor)
                    }
                }
            }
        }
        self.context.hashing.stop()
        self.logger.info("all sessions ended")
    }

    /// SIGTERM: HEALTH fails at once; work is still accepted for the drain delay; then the listener
    /// closes and every session ends after its current reply; sessions still busy after the grace
    /// period are cut. Returns when that is done (at once for every call after the first).
    public func shutdown() async {
        let first = self.state.withLockedValue { state -> Bool in
            defer { state.shutdownRequested = true }
            return !state.shutdownRequested
        }
        guard first else { return }
        self.context.startDraining()
        self.logger.info("draining", metadata: ["delay": "\(self.configuration.drainDelay)"])
        try? await Task.sleep(for: self.configuration.drainDelay)
        let listener = self.state.withLockedValue { $0.serverChannel }
        try? await listener?.close()
        // After the close: no connection arrives any more that would miss the event.
        let connections = self.state.withLockedValue { Array($0.connections.values) }
        self.logger.info("listener closed", metadata: ["sessions": "\(connections.count)"])
        for connection in connections {
            connection.pipeline.fireUserInboundEventTriggered(SessionEvent.shutdown)
        }
        if await self.connectionsEnd(within: self.configuration.shutdownGrace) { return }
        let stragglers = self.state.withLockedValue { Array($0.connections.values) }
        if !stragglers.isEmpty {
            self.logger.warning(
                "cutting sessions still busy after the grace period",
                metadata: ["sessions": "\(stragglers.count)"]
            )
        }
        for connection in stragglers { connection.close(promise: nil) }
    }

    /// Whether `shutdown()` has been called.
    public var isShuttingDown: Bool { self.state.withLockedValue { $0.shutdownRequested } }

    /// True once no connection is left, false if `timeout` passes first (or the task is cancelled).
    private func connectionsEnd(within timeout: Duration) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask { await self.untilNoConnections() }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return false
            }
            defer { group.cancelAll() }
            return await group.next() ?? false
        }
    }

    /// Suspends until the last connection has closed (true) or the task is cancelled (false).
    private func untilNoConnections() async -> Bool {
        let id = self.state.withLockedValue { state in
            state.nextWaiterID += 1
            return state.nextWaiterID
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let answer = self.state.withLockedValue { state -> Bool? in
                    if state.connections.isEmpty { return true }
                    if Task.isCancelled { return false }
                    state.idleWaiters[id] = continuation
                    return nil
                }
                if let answer { continuation.resume(returning: answer) }
            }
        } onCancel: {
            self.state.withLockedValue { $0.idleWaiters.removeValue(forKey: id) }?.resume(returning: false)
        }
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
            let waiters = self.state.withLockedValue { state -> [CheckedContinuation<Bool, Never>] in
                state.connections.removeValue(forKey: id)
                guard state.connections.isEmpty else { return [] }
                defer { state.idleWaiters = [:] }
                return Array(state.idleWaiters.values)
            }
            // The last one: a drain waiting for it goes on.
            for waiter in waiters { waiter.resume(returning: true) }
        }
        return (info, count > self.configuration.maximumConnections)
    }

    /// Writes a streamed reply chunk by chunk; each write waits for the channel (backpressure), and
    /// only the last one, with the final line, ends the reply. No database connection is held here.
    private func stream(
        _ stream: StreamedReply,
        tag: String?,
        to outbound: NIOAsyncChannelOutboundWriter<ReplyPart>,
        logger: Logger
    ) async throws {
        let sink = ReplySink(tag: tag) { part in try await outbound.write(part) }
        let final: FinalLine
        do {
            final = try await stream.produce(sink)
        } catch {
            // A failed write to the socket ends the session; anything else still ends the reply.
            if error is CancellationError || error is ChannelError || error is IOError { throw error }
            let (line, unexpected) = ErrorMapping.finalLine(for: error)
            if unexpected {
                logger.error("streamed reply failed", metadata: ["error": "\(String(reflecting: error))"])
            }
            try await sink.fail(line)
            return
        }
        try await sink.finish(final)
    }

    /// Runs one command in a task of its own that `watch` cancels when the connection closes or the
    /// command deadline passes. Returns nil when the connection closed: nothing is replied.
    private func dispatch(
        _ frame: InboundFrame,
        session: inout SessionState,
        connection info: ConnectionInfo,
        watch: CommandWatch,
        on executor: EventLoopTaskExecutor,
        logger: Logger
    ) async -> (tag: String?, reply: Reply, after: AfterReply)? {
        let (dispatcher, before) = (self.dispatcher, session)
        let work = Task(executorPreference: executor) {
            var session = before
            let (tag, reply, after) = await dispatcher.handle(
                frame,
                session: &session,
                connection: info,
                watch: watch,
                logger: logger
            )
            return (tag: tag, reply: reply, after: after, session: session)
        }
        watch.begin { work.cancel() }
        let timeout = self.configuration.commandTimeout
        let deadline = timeout.map { executor.eventLoop.scheduleTask(in: $0) { watch.deadlinePassed() } }
        let result = await withTaskCancellationHandler {
            await work.value
        } onCancel: {
            work.cancel()
        }
        deadline?.cancel()
        session = result.session
        switch watch.end() {
        case nil:
            return (result.tag, result.reply, result.after)
        case .disconnected:
            logger.info("client disconnected while its command ran; command cancelled, nothing replied")
            return nil
        case .deadlinePassed:
            // Cancelled in time, the command failed with TIMEOUT and its transaction rolled back. A
            // command that still completed (its last statement had returned) gets its own reply:
            // what it wrote is committed, an error would make a client without `idem=` write it twice.
            guard case .whole(let response) = result.reply, case .error(.timeout, _) = response.final else {
                logger.info("command completed after its deadline had passed")
                return (result.tag, result.reply, result.after)
            }
            logger.info("command cancelled after its deadline")
            let text =
                "the command ran longer than \(Self.describe(timeout ?? .zero)) and was cancelled; nothing was written"
            return (result.tag, .whole(Response(final: .error(.timeout, text))), result.after)
        }
    }

    /// `60 s`, `1.5 s`.
    static func describe(_ amount: TimeAmount) -> String {
        let milliseconds = amount.nanoseconds / 1_000_000
        if milliseconds % 1000 == 0 { return "\(milliseconds / 1000) s" }
        return "\(Double(milliseconds) / 1000) s"
    }

    /// One session: frames in, replies out, strictly in order.
    private func serve(
        _ connection: NIOAsyncChannel<InboundFrame, ReplyPart>,
        info: ConnectionInfo,
        executor: EventLoopTaskExecutor
    ) async {
        var logger = self.logger
        logger[metadataKey: "session"] = "\(info.id)"
        logger[metadataKey: "peer"] = "\(info.peer)"
        self.context.metrics.sessionOpened()
        defer { self.context.metrics.sessionClosed() }
        do {
            let watch = CommandWatch()
            connection.channel.closeFuture.whenComplete { [logger] _ in
                logger.debug("connection closed")
                watch.connectionClosed()
            }
            try await connection.executeThenClose { inbound, outbound in
                var session = SessionState()
                for try await frame in inbound {
                    // Requests pipelined behind a hang-up are dropped: nobody is there for the replies.
                    if watch.isDisconnected { return }
                    logger[metadataKey: "client"] = "\(info.clientAddress)"
                    guard
                        let (tag, reply, after) = await self.dispatch(
                            frame,
                            session: &session,
                            connection: info,
                            watch: watch,
                            on: executor,
                            logger: logger
                        )
                    else { return }
                    logger[metadataKey: "user"] = session.user.map { "\($0.userID)" }
                    logger[metadataKey: "salesperson"] = session.user?.salespersonCode.map { "\($0)" }
                    let statistics = self.context.store.pool.statistics
                    self.context.metrics.pool(
                        open: statistics.open,
                        leased: statistics.leased,
                        waiting: statistics.waiting
                    )
                    switch reply {
                    case .whole(let response):
                        try await outbound.write(.final(ByteBuffer(bytes: response.encode(tag: tag))))
                    case .streamed(let stream):
                        try await self.stream(stream, tag: tag, to: outbound, logger: logger)
                    }
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
