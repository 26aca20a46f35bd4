import LibPQ
import Logging
import NIOCore
import RapportStore
import ServiceLifecycle

// rapportd's parts as services of one `ServiceGroup`. The group starts them in the order given and
// shuts them down gracefully in the reverse order, each after the one before has returned:
//
//     [metrics endpoint, listener, drain, idempotency expiry]
//
// On SIGTERM/SIGINT the expiry stops first; then the drain runs (HEALTH fails at once, work is
// served for the drain delay, the listener closes, sessions end after their current reply,
// stragglers are cut after the grace period); then the listener service, whose sessions have all
// ended, returns; the metrics endpoint (and its /health, 503 while draining) closes last.

/// The protocol listener: binds, serves sessions, and returns in its turn once the drain has closed
/// the listener and every session has ended.
public struct ListenerService: Service, CustomStringConvertible {
    let server: RapportServer
    let onBound: @Sendable (SocketAddress) -> Void

    public init(server: RapportServer, onBound: @escaping @Sendable (SocketAddress) -> Void = { _ in }) {
        self.server = server
        self.onBound = onBound
    }

    public var description: String { "ListenerService" }

    struct ClosedUnexpectedly: Error, CustomStringConvertible {
        var description: String { "the listener closed without a shutdown" }
    }

    public func run() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                // With a DrainService in the group the drain is over by the time this service's turn
                // comes (and `shutdown()` returns at once); without one, the listener drains itself.
                try await gracefulShutdown()
                await self.server.shutdown()
            }
            try await self.server.run(onBound: self.onBound)
            guard self.server.isShuttingDown else {
                group.cancelAll()
                throw ClosedUnexpectedly()
            }
            // Every session has ended; return when the group reaches this service, so that the
            // services stop in order (a service that returns early would stop the group).
            try await group.next()
        }
    }
}

/// The drain of `RapportServer.shutdown()`, run when graceful shutdown reaches it.
public struct DrainService: Service, CustomStringConvertible {
    let server: RapportServer

    public init(server: RapportServer) {
        self.server = server
    }

    public var description: String { "DrainService" }

    public func run() async {
        // Cancelled (another service failed): no drain, the group is going down anyway.
        guard (try? await gracefulShutdown()) != nil else { return }
        await self.server.shutdown()
    }
}

/// Idempotency keys are for retries, not history: forgets keys older than `days`, every `interval`;
/// expired session tickets with them.
public struct IdempotencyExpiryService: Service, CustomStringConvertible {
    let pool: PGPool
    let logger: Logger
    let days: Int
    let interval: Duration

    public init(pool: PGPool, logger: Logger, days: Int = 7, interval: Duration = .seconds(3600)) {
        self.pool = pool
        self.logger = logger
        self.days = days
        self.interval = interval
    }

    public var description: String { "IdempotencyExpiryService" }

    public func run() async {
        let days = self.days
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                let expired = try await self.pool.withConnection {
                    try IdempotencyStore.expire($0, olderThanDays: days)
                }
                self.logger.debug("idempotency keys expired", metadata: ["count": "\(expired)"])
                // Expired session tickets go too (they are already refused: expiry is checked on use).
                let tickets = try await self.pool.withConnection { try Store.expireTickets($0) }
                self.logger.debug("session tickets expired", metadata: ["count": "\(tickets)"])
            } catch {
                self.logger.warning("cannot expire idempotency keys", metadata: ["error": "\(error)"])
            }
            let interval = self.interval
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }
}

extension MetricsEndpoint: Service {
    /// Serves (it listens from `start` on) until graceful shutdown reaches it, then closes.
    public func run() async {
        try? await gracefulShutdown()
        await self.stop()
    }
}

extension RapportServer {
    /// The services of one rapportd, in start order: the metrics endpoint (if any), the listener,
    /// the drain, the idempotency-key expiry and the delivery worker (if a pool is given, and delivery is
    /// configured). The worker stops first on shutdown (it finishes the batch it is sending);
    /// `deliveryContent` is where it takes each item's content from.
    public func services(
        metricsEndpoint: MetricsEndpoint? = nil,
        expiringKeysIn pool: PGPool? = nil,
        deliveryContent: any DeliveryContentSource = MergingContent(),
        onBound: @escaping @Sendable (SocketAddress) -> Void = { _ in }
    ) -> [any Service] {
        var services: [any Service] = []
        if let metricsEndpoint { services.append(metricsEndpoint) }
        services.append(ListenerService(server: self, onBound: onBound))
        services.append(DrainService(server: self))
        if let pool { services.append(IdempotencyExpiryService(pool: pool, logger: self.logger)) }
        if let reads = self.readRouting { services.append(reads) }
        if let pool, let delivery = self.configuration.delivery {
            services.append(self.deliveryWorker(pool: pool, configuration: delivery, content: deliveryContent))
        }
        return services
    }
}

extension RapportServer {
    /// This server's delivery worker, its metrics in the server's registry.
    public func deliveryWorker(
        pool: PGPool,
        configuration: DeliveryConfiguration,
        content: any DeliveryContentSource = MergingContent()
    ) -> DeliveryWorker {
        DeliveryWorker(
            pool: pool,
            configuration: configuration,
            content: content,
            metrics: self.metrics.delivery,
            logger: self.logger
        )
    }
}
