import EventLoopExecutor
import NIOCore
import NIOPosix
import RapportProtocol

extension RapportConnection {
    /// Opens a TCP connection to `rapportd` and reads its greeting.
    ///
    /// - Parameter timeout: limit for the TCP connect and the greeting together.
    /// - Throws: ``RapportClientError/connectionFailed(_:)`` when the server cannot be reached or stays silent;
    ///   ``RapportClientError/server(code:message:)`` when it greets with `ERR` (e.g. `SHUTTING_DOWN`);
    ///   ``RapportClientError/connectionClosed(bye:)`` when it greets with `BYE`;
    ///   ``RapportClientError/protocolViolation(_:)`` for anything else, including an unknown protocol version.
    public static func connect(host: String, port: Int, timeout: Duration = .seconds(10)) async throws
        -> RapportConnection
    {
        let deadline = ContinuousClock.now + timeout
        let channel = try await Self.openChannel(host: host, port: port, timeout: timeout)
        let (requests, outbound) = AsyncStream.makeStream(of: ByteBuffer.self)
        let router = ReplyRouter(outbound: outbound)
        let underlying = channel.channel
        // Reading and writing run where the socket is: a reply reaches its caller in one hop.
        let io = Task(executorPreference: EventLoopTaskExecutor(underlying.eventLoop)) {
            await ConnectionIO.run(channel, requests: requests, router: router)
        }
        let remaining = max(deadline - ContinuousClock.now, .zero)
        let timer = underlying.eventLoop.scheduleTask(in: TimeAmount(remaining)) {
            router.failGreeting(.connectionFailed("no greeting from \(host):\(port) within \(timeout)"))
        }
        do {
            let reply = try await router.greeting()
            timer.cancel()
            let greeting = try Self.validateGreeting(reply)
            return RapportConnection(
                greeting: greeting,
                host: host,
                port: port,
                channel: underlying,
                router: router,
                io: io
            )
        } catch {
            timer.cancel()
            underlying.close(promise: nil)
            await io.value
            throw error
        }
    }

    private static func openChannel(
        host: String,
        port: Int,
        timeout: Duration
    ) async throws(RapportClientError) -> NIOAsyncChannel<ByteBuffer, ByteBuffer> {
        guard (0...65535).contains(port) else { throw .connectionFailed("invalid port \(port)") }
        do {
            return try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(TimeAmount(timeout))
                .connect(host: host, port: port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try NIOAsyncChannel<ByteBuffer, ByteBuffer>(
                            wrappingChannelSynchronously: channel,
                            configuration: .init(isOutboundHalfClosureEnabled: true)
                        )
                    }
                }
        } catch {
            throw .connectionFailed("cannot connect to \(host):\(port): \(ConnectFailureText.describe(error))")
        }
    }

    private static func validateGreeting(_ reply: TaggedResponse) throws(RapportClientError) -> Greeting {
        switch reply.response.final {
        case .error(let code, let message):
            throw .server(code: code, message: message)
        case .bye(let text):
            throw .connectionClosed(bye: text)
        case .ok(let text):
            guard reply.tag == nil, reply.response.dataLines.isEmpty, let greeting = Greeting(okText: text) else {
                throw .protocolViolation("unexpected greeting: OK \(text)")
            }
            guard greeting.protocolVersion == Greeting.currentProtocolVersion else {
                throw .protocolViolation(
                    "server speaks protocol \(greeting.protocolVersion), not \(Greeting.currentProtocolVersion)"
                )
            }
            return greeting
        }
    }
}
