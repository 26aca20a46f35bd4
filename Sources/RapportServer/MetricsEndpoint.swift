import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Prometheus

/// A minimal HTTP endpoint beside the protocol port: `GET /metrics` (Prometheus text format) and
/// `GET /health` (200 ready, 503 draining), for scrapers and HTTP-only health checkers. As a
/// `Service` (Services.swift) it closes when graceful shutdown reaches it, after the listener.
public final class MetricsEndpoint: Sendable {
    private let channel: any Channel

    /// Starts serving on `host:port` (port 0 picks a free port; see `port`) for `server`: its metrics, and
    /// /health answers 503 once it drains.
    public static func start(
        host: String,
        port: Int,
        server: RapportServer,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> MetricsEndpoint {
        try await Self.start(
            host: host,
            port: port,
            metrics: server.metrics,
            logger: server.logger,
            isDraining: { server.isDraining },
            group: group
        )
    }

    /// Starts serving `metrics` on `host:port`; /health answers 503 while `isDraining` (`rapportd deliver`
    /// has no listener to drain: always ready).
    public static func start(
        host: String,
        port: Int,
        metrics: ServerMetrics,
        logger: Logger,
        isDraining: @escaping @Sendable () -> Bool = { false },
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> MetricsEndpoint {
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            // Out of descriptors, this listener would spin as the protocol listener did.
            .serverChannelInitializer { server in
                server.eventLoop.makeCompletedFuture {
                    try server.pipeline.syncOperations.addHandler(
                        AcceptExhaustionHandler(listener: "metrics \(host):\(port)", metrics: metrics, logger: logger)
                    )
                }
            }
            .childChannelInitializer { child in
                child.eventLoop.makeCompletedFuture {
                    try child.pipeline.syncOperations.configureHTTPServerPipeline()
                    try child.pipeline.syncOperations.addHandler(
                        MetricsHTTPHandler(registry: metrics.registry, isDraining: isDraining)
                    )
                }
            }
            .bind(host: host, port: port)
            .get()
        return MetricsEndpoint(channel: channel)
    }

    private init(channel: any Channel) {
        self.channel = channel
    }

    public var port: Int? { self.channel.localAddress?.port }

    public func stop() async {
        try? await self.channel.close()
    }
}

private final class MetricsHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let registry: PrometheusCollectorRegistry
    private let isDraining: @Sendable () -> Bool
    private var path: String?

    init(registry: PrometheusCollectorRegistry, isDraining: @escaping @Sendable () -> Bool) {
        self.registry = registry
        self.isDraining = isDraining
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch self.unwrapInboundIn(data) {
        case .head(let head):
            self.path = head.method == .GET ? head.uri : nil
        case .body:
            break
        case .end:
            let (status, body, type): (HTTPResponseStatus, [UInt8], String)
            switch self.path {
            case "/metrics":
                (status, body, type) = (.ok, self.registry.emitToBuffer(), "text/plain; version=0.0.4")
            case "/health":
                (status, body, type) =
                    self.isDraining()
                    ? (.serviceUnavailable, Array("draining\n".utf8), "text/plain")
                    : (.ok, Array("ready\n".utf8), "text/plain")
            default:
                (status, body, type) = (.notFound, Array("not found\n".utf8), "text/plain")
            }
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: type)
            headers.add(name: "Content-Length", value: String(body.count))
            headers.add(name: "Connection", value: "close")
            context.write(
                self.wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))),
                promise: nil
            )
            context.write(self.wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: body)))), promise: nil)
            context.writeAndFlush(self.wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
                context.close(promise: nil)
            }
        }
    }
}
