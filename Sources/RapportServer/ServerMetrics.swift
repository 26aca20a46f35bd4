import NIOConcurrencyHelpers
import Prometheus
import RapportProtocol

/// The server's Prometheus metrics. Every label value comes from a fixed set (command names of the
/// table, outcome codes), never from request data, so cardinality stays bounded.
public final class ServerMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    private let sessions: Gauge
    private let loginFailures: Counter
    /// By kind (password, ticket) and outcome (ok, failed, busy).
    private let logins: [String: Counter]
    private let hashQueue: Gauge
    private let poolOpen: Gauge
    private let poolLeased: Gauge
    private let poolWaiting: Gauge
    private let acceptFailures: NIOLockedValueBox<[String: Counter]>
    private let commandCounters: NIOLockedValueBox<[String: Counter]>
    private let latency: NIOLockedValueBox<[String: DurationHistogram]>
    private let knownVerbs: Set<String>
    private let batchSizes: ValueHistogram
    private let roundTrips: Counter
    private let statements: Counter
    private let prepares: Counter
    /// The delivery worker's counters (registered with the others).
    public let delivery: DeliveryMetrics

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(), verbs: [String]) {
        self.registry = registry
        self.knownVerbs = Set(verbs)
        self.sessions = registry.makeGauge(descriptor: Self.name("sessions", unit: "", "Connected sessions."))
        self.loginFailures = registry.makeCounter(
            descriptor: Self.name("login_failures", unit: "total", "Failed LOGIN attempts.")
        )
        var logins: [String: Counter] = [:]
        for kind in LoginKind.allCases {
            for outcome in LoginOutcome.allCases {
                logins[kind.rawValue + " " + outcome.rawValue] = registry.makeCounter(
                    descriptor: Self.name(
                        "logins",
                        unit: "total",
                        "LOGIN attempts by kind (password: a slow hash; ticket: one look-up) and outcome (ok, failed, busy: refused at once: the hashing queue is full, or a ticket check from an address with many failures came too soon)."
                    ),
                    labels: [("kind", kind.rawValue), ("outcome", outcome.rawValue)]
                )
            }
        }
        self.logins = logins
        self.hashQueue = registry.makeGauge(
            descriptor: Self.name(
                "hash_queue",
                unit: "hashes",
                "Password hashes admitted and not yet started (LOGIN with a password, PASSWORD, USER-ADD, USER-PASSWD)."
            )
        )
        self.poolOpen = registry.makeGauge(
            descriptor: Self.name("db_pool_open", unit: "connections", "Open database connections.")
        )
        self.poolLeased = registry.makeGauge(
            descriptor: Self.name("db_pool_leased", unit: "connections", "Database connections in use.")
        )
        self.poolWaiting = registry.makeGauge(
            descriptor: Self.name("db_pool_waiting", unit: "requests", "Requests waiting for a database connection.")
        )
        self.delivery = DeliveryMetrics(registry: registry)
        self.acceptFailures = NIOLockedValueBox([:])
        self.commandCounters = NIOLockedValueBox([:])
        self.latency = NIOLockedValueBox([:])
        self.batchSizes = registry.makeValueHistogram(
            descriptor: Self.name(
                "group_commit_batch_size",
                unit: "commands",
                "Write commands committed together per group commit (one COMMIT each batch)."
            ),
            buckets: [1, 2, 4, 8, 16, 32, 60]
        )
        self.roundTrips = registry.makeCounter(
            descriptor: Self.name(
                "db_round_trips",
                unit: "total",
                "Exchanges with PostgreSQL (one per pipeline of statements)."
            )
        )
        self.statements = registry.makeCounter(
            descriptor: Self.name("db_statements", unit: "total", "Statements sent to PostgreSQL.")
        )
        self.prepares = registry.makeCounter(
            descriptor: Self.name(
                "db_statements_prepared",
                unit: "total",
                "Statements parsed and planned for a connection's cache (once per statement and connection)."
            )
        )
    }

    /// Counts what the database pool sends (LibPQ's counters).
    func database(roundTrips: Int, statements: Int, prepares: Int) {
        if roundTrips > 0 { self.roundTrips.increment(by: Int64(roundTrips)) }
        if statements > 0 { self.statements.increment(by: Int64(statements)) }
        if prepares > 0 { self.prepares.increment(by: Int64(prepares)) }
    }

    func batchCommitted(size: Int) { self.batchSizes.record(Double(size)) }

    private static func name(_ metric: String, unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "rapport", metricName: metric, unitName: unit, helpText: help)
    }

    func sessionOpened() { self.sessions.increment() }
    func sessionClosed() { self.sessions.decrement() }
    func loginFailed() { self.loginFailures.increment() }

    enum LoginKind: String, CaseIterable { case password, ticket }
    enum LoginOutcome: String, CaseIterable { case ok, failed, busy }

    /// Counts a LOGIN by kind and outcome (fixed labels: never the user or the ticket).
    func login(_ kind: LoginKind, _ outcome: LoginOutcome) {
        self.logins[kind.rawValue + " " + outcome.rawValue]?.increment()
    }

    func hashQueue(length: Int) { self.hashQueue.set(Double(length)) }

    /// The metrics in Prometheus text format (what `/metrics` serves).
    var exposition: String {
        var bytes: [UInt8] = []
        self.registry.emit(into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A failed `accept` for lack of resources; `error` is one of EMFILE, ENFILE, ENOBUFS, ENOMEM.
    func acceptFailed(_ error: String) {
        let counter = self.acceptFailures.withLockedValue { counters in
            if let counter = counters[error] { return counter }
            let counter = self.registry.makeCounter(
                descriptor: Self.name(
                    "accept_errors",
                    unit: "total",
                    "Connections not accepted for lack of resources (EMFILE, ENFILE: out of file descriptors); accepting pauses briefly after each."
                ),
                labels: [("error", error)]
            )
            counters[error] = counter
            return counter
        }
        counter.increment()
    }

    func pool(open: Int, leased: Int, waiting: Int) {
        self.poolOpen.set(Double(open))
        self.poolLeased.set(Double(leased))
        self.poolWaiting.set(Double(waiting))
    }

    /// Counts a command by verb (unknown verbs share one label) and outcome (OK or the error code).
    func command(verb: String, outcome: String, duration: Duration) {
        let verb = self.knownVerbs.contains(verb) ? verb : "unknown"
        let key = verb + " " + outcome
        let counter = self.commandCounters.withLockedValue { counters in
            if let counter = counters[key] { return counter }
            let counter = self.registry.makeCounter(
                descriptor: Self.name("commands", unit: "total", "Commands by verb and outcome."),
                labels: [("verb", verb), ("outcome", outcome)]
            )
            counters[key] = counter
            return counter
        }
        counter.increment()
        let histogram = self.latency.withLockedValue { histograms in
            if let histogram = histograms[verb] { return histogram }
            let histogram = self.registry.makeDurationHistogram(
                descriptor: Self.name("command_duration", unit: "seconds", "Time from a request line to its reply."),
                labels: [("verb", verb)],
                buckets: [
                    .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
                    .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .seconds(1),
                    .seconds(5),
                ]
            )
            histograms[verb] = histogram
            return histogram
        }
        histogram.record(duration)
    }
}
