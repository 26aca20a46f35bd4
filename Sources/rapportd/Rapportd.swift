import ArgumentParser
import Foundation
import LibPQ
import Logging
import NIOCore
import RapportServer
import RapportStore
import ServiceLifecycle
import UnixSignals

@main
struct Rapportd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rapportd",
        abstract: "Rapport: the interaction ledger server.",
        discussion: "With no database configured, rapportd runs its own private PostgreSQL in .rapport/postgres.",
        subcommands: [
            Serve.self, Deliver.self, Migrate.self, UserCommand.self, StatsCommand.self, ProtocolReference.self,
        ],
        defaultSubcommand: Serve.self
    )
}

/// Applies pending migrations and exits.
struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Apply pending schema migrations (sql/NNNN_*.sql) and exit."
    )

    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        let logger = makeLogger()
        try await self.database.withDatabase(logger: logger) { configuration in
            let report = try await migrate(configuration, logger: logger)
            print(
                "schema current: \(report.applied.count) migration(s) applied, \(report.alreadyApplied.count) already applied"
            )
        }
    }
}

/// Starts the database (embedded by default), migrates it and serves until SIGINT/SIGTERM, which drain
/// it; an embedded cluster is stopped after the server.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the server (the default).")

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var server: ServerOptions
    @OptionGroup var reads: ReadOptions
    @OptionGroup(title: "Delivery") var delivery: DeliveryOptions

    func run() async throws {
        let logger = makeLogger()
        var configured = try self.server.configuration()
        configured.delivery = try self.delivery.configuration()
        let configuration = configured
        let poolSize = try self.server.poolSize()
        DescriptorLimit.check(
            maximumConnections: configuration.maximumConnections,
            poolSize: poolSize,
            logger: logger
        )
        try await self.database.withDatabase(logger: logger) { connection in
            _ = try await migrate(connection, logger: logger)
            let pool = PGPool(configuration: .init(connection: connection, size: poolSize), logger: logger)
            let hasher = PasswordHasher()
            let reads = try self.reads.routing(primary: pool, like: connection, poolSize: poolSize, logger: logger)
            try await withCleanup {
                let server = RapportServer(
                    configuration: configuration,
                    store: Store(pool: pool, logger: logger),
                    hasher: hasher,
                    logger: logger,
                    reads: reads
                )
                var endpoint: MetricsEndpoint?
                if let port = configuration.metricsPort {
                    let started = try await MetricsEndpoint.start(
                        host: configuration.metricsHost,
                        port: port,
                        server: server
                    )
                    endpoint = started
                    let line =
                        "rapportd: metrics on http://\(configuration.metricsHost):\(started.port ?? port)/metrics\n"
                    FileHandle.standardOutput.write(Data(line.utf8))
                }
                // Metrics endpoint, listener, drain, idempotency-key expiry: SIGTERM/SIGINT shuts them
                // down in reverse order (Sources/RapportServer/Services.swift). Returns once the
                // listener is closed, every session has ended and the endpoint is closed.
                let services = server.services(metricsEndpoint: endpoint, expiringKeysIn: pool) { address in
                    let line =
                        "rapportd: listening on \(address.ipAddress ?? configuration.host):\(address.port ?? configuration.port)\n"
                    FileHandle.standardOutput.write(Data(line.utf8))
                }
                var group = ServiceGroupConfiguration(
                    services: services,
                    gracefulShutdownSignals: [.sigterm, .sigint],
                    logger: logger
                )
                // A backstop only: the drain cuts stragglers itself after the grace period.
                group.maximumGracefulShutdownDuration =
                    configuration.drainDelay + configuration.shutdownGrace + .seconds(10)
                try await ServiceGroup(configuration: group).run()
                logger.info("stopped")
            } cleanup: {
                await pool.shutdown()
                await reads?.standby.pool.shutdown()
                await hasher.shutdown()
            }
        }
    }
}

/// Runs only the delivery worker (no protocol listener): a replica dedicated to sending.
struct Deliver: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run only the delivery worker: send what logging queued, until SIGTERM/SIGINT."
    )

    @OptionGroup var database: DatabaseOptions
    @OptionGroup(title: "Delivery") var delivery: DeliveryOptions

    @Option(
        name: .customLong("metrics-port"),
        help: "Port of the HTTP /metrics and /health endpoint on 127.0.0.1 (RAPPORT_METRICS_PORT); off by default."
    )
    var metricsPort: Int?

    func run() async throws {
        let logger = makeLogger()
        guard let configuration = try self.delivery.configuration() else {
            throw ValidationError("rapportd deliver runs the delivery worker: drop --no-delivery-worker")
        }
        var metricsPort = self.metricsPort
        if metricsPort == nil, let text = ProcessInfo.processInfo.environment["RAPPORT_METRICS_PORT"], !text.isEmpty {
            guard let value = Int(text) else {
                throw ValidationError("RAPPORT_METRICS_PORT must be a whole number, not \(text)")
            }
            metricsPort = value
        }
        if configuration.relay == nil {
            logger.warning("no SMTP relay (--smtp-host): e-mail items fail, only hard copies are written")
        }
        try await self.database.withDatabase(logger: logger) { connection in
            _ = try await migrate(connection, logger: logger)
            let pool = PGPool(
                configuration: .init(connection: connection, size: configuration.databaseConnections),
                logger: logger
            )
            try await withCleanup {
                // The same metric names as `serve` (the session ones stay at zero): one dashboard for both.
                let metrics = ServerMetrics(verbs: [])
                var services: [any Service] = []
                if let metricsPort {
                    let endpoint = try await MetricsEndpoint.start(
                        host: "127.0.0.1",
                        port: metricsPort,
                        metrics: metrics,
                        logger: logger
                    )
                    services.append(endpoint)
                    let line = "rapportd: metrics on http://127.0.0.1:\(endpoint.port ?? metricsPort)/metrics\n"
                    FileHandle.standardOutput.write(Data(line.utf8))
                }
                let worker = DeliveryWorker(
                    pool: pool,
                    configuration: configuration,
                    metrics: metrics.delivery,
                    logger: logger
                )
                services.append(worker)
                FileHandle.standardOutput.write(Data("rapportd: delivering as \(configuration.workerName)\n".utf8))
                let group = ServiceGroup(
                    configuration: ServiceGroupConfiguration(
                        services: services,
                        gracefulShutdownSignals: [.sigterm, .sigint],
                        logger: logger
                    )
                )
                try await group.run()
                logger.info("stopped")
            } cleanup: {
                await pool.shutdown()
            }
        }
    }
}

/// Runs `body`, then `cleanup`, also when `body` throws.
func withCleanup<T>(_ body: () async throws -> T, cleanup: () async -> Void) async throws -> T {
    do {
        let value = try await body()
        await cleanup()
        return value
    } catch {
        await cleanup()
        throw error
    }
}

/// Applies pending migrations on the primary. A primary that is not there yet — refused or lost
/// connections, or a standby behind the URL (25006) while a balancer's checks or a failover settle — is
/// waited for up to `patience`, so that a replica started then does not exit (each migration is its own
/// transaction: a try that failed changed nothing).
func migrate(
    _ configuration: ConnectionConfiguration,
    logger: Logger,
    patience: Duration = .seconds(30)
) async throws -> Migrator.Report {
    let deadline = ContinuousClock.now + patience
    while true {
        do {
            return try await offloaded {
                let connection = try PGConnection.connect(configuration)
                defer { connection.close() }
                return try Migrator(logger: logger).migrate(connection)
            }
        } catch let error as PGError where error.isConnectionFailure && ContinuousClock.now < deadline {
            logger.notice("no writable primary yet; trying again in 1 s", metadata: ["error": "\(error)"])
            try await Task.sleep(for: .seconds(1))
        }
    }
}

func makeLogger() -> Logger {
    var logger = Logger(label: "rapportd")
    let level = ProcessInfo.processInfo.environment["RAPPORT_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:))
    logger.logLevel = level ?? .info
    return logger
}
