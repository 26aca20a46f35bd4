import LibPQ
import Logging
import NIOConcurrencyHelpers
import Prometheus
import RapportStore
import ServiceLifecycle

/// Reads from a hot standby (`--read-database-url`), never older than the session's own writes.
///
/// - Which commands: `standbyCommands`, the one place that says which commands only read (lists,
///   shows, statistics). Everything else runs on the primary, and counts as a possible write of its
///   session.
/// - Read-your-writes: a monitor samples the primary's WAL position (`pg_current_wal_lsn()`) and
///   then the standby's replay position (`pg_last_wal_replay_lsn()`) every `pollInterval`. When the
///   standby has replayed the position a primary sample had, every commit acknowledged before that
///   sample was *taken* is visible on the standby: the sample's start time becomes the standby's
///   `caughtUpThrough`. A session whose last write ended before `caughtUpThrough` reads from the
///   standby; one that wrote later reads from the primary (about one poll interval after a write,
///   plus the standby's replay delay). No extra round trip on the write path.
/// - Down or lagging: when `caughtUpThrough` is older than `maximumLag` (the standby is down, its
///   replay is paused or behind, or the monitor cannot reach either server), every read goes to the
///   primary. A read that fails on the standby with a connection error runs again on the primary.
public final class ReadRouting: Sendable {
    public struct Configuration: Sendable {
        /// Reads go to the primary while the standby is further behind than this (in time).
        public var maximumLag: Duration
        /// How often the monitor compares the two WAL positions.
        public var pollInterval: Duration

        public init(maximumLag: Duration = .seconds(5), pollInterval: Duration = .milliseconds(200)) {
            self.maximumLag = maximumLag
            self.pollInterval = pollInterval
        }
    }

    /// The commands that only read, and may be served by a standby: every list (`-LIST`, and
    /// `SEGMENT-CRITERIA`), every `-SHOW`, and the statistics. A test checks that each one exists and
    /// that none of them takes `idem=` (the mark of a write).
    static func servedByStandby(_ verb: String) -> Bool {
        Paging.isListCommand(verb) || verb.hasSuffix("-SHOW") || Self.otherReads.contains(verb)
    }

    static let otherReads: Set<String> = ["STATS", "OPPORTUNITY-STATS"]

    /// What the monitor knows, and the decision made from it.
    struct Tracker: Sendable {
        /// Primary positions not yet replayed by the standby, oldest first: (sample started, LSN).
        var pending: [(ContinuousClock.Instant, UInt64)] = []
        /// Every commit acknowledged before this instant is visible on the standby.
        var caughtUpThrough: ContinuousClock.Instant?

        /// The primary's position, sampled by a query that started at `started`.
        mutating func primary(_ lsn: UInt64, startedAt started: ContinuousClock.Instant) {
            self.pending.append((started, lsn))
            if self.pending.count > 1000 { self.pending.removeFirst(self.pending.count - 1000) }
        }

        /// The standby's replay position (nil: the server is not in recovery, so it is the primary
        /// itself and sees everything).
        mutating func standby(_ replayed: UInt64?) {
            while let first = self.pending.first, replayed.map({ first.1 <= $0 }) ?? true {
                self.caughtUpThrough = max(self.caughtUpThrough ?? first.0, first.0)
                self.pending.removeFirst()
            }
        }

        /// True when a read of a session whose last write ended at `lastWrite` may use the standby now.
        func useStandby(lastWrite: ContinuousClock.Instant?, now: ContinuousClock.Instant, maximumLag: Duration)
            -> Bool
        {
            guard let caughtUp = self.caughtUpThrough, now - caughtUp <= maximumLag else { return false }
            guard let lastWrite else { return true }
            return lastWrite < caughtUp
        }
    }

    public let standby: Store
    let primary: PGPool
    let configuration: Configuration
    let logger: Logger
    private let tracker = NIOLockedValueBox(Tracker())
    private let counts = NIOLockedValueBox((standby: 0, primary: 0))
    private let instruments = NIOLockedValueBox<Instruments?>(nil)

    /// The metrics of the routing, once attached to the server's registry.
    private struct Instruments: Sendable {
        var standbyReads: Counter
        var primaryReads: Counter
        var lag: Gauge
    }

    /// Registers `rapport_reads_total{database="standby"|"primary"}` and `rapport_standby_lag_seconds`.
    func attach(_ registry: PrometheusCollectorRegistry) {
        func reads(_ database: String) -> Counter {
            registry.makeCounter(
                descriptor: MetricNameDescriptor(
                    namespace: "rapport",
                    metricName: "reads",
                    unitName: "total",
                    helpText: "Read-only commands (lists, shows, statistics) by the database that answered them."
                ),
                labels: [("database", database)]
            )
        }
        let lag = registry.makeGauge(
            descriptor: MetricNameDescriptor(
                namespace: "rapport",
                metricName: "standby_lag",
                unitName: "seconds",
                helpText:
                    "How far the read standby is behind: time since the newest primary WAL position it has replayed was sampled."
            )
        )
        self.instruments.withLockedValue {
            $0 = Instruments(standbyReads: reads("standby"), primaryReads: reads("primary"), lag: lag)
        }
    }

    public init(standby: Store, primary: PGPool, configuration: Configuration, logger: Logger) {
        self.standby = standby
        self.primary = primary
        self.configuration = configuration
        self.logger = logger
    }

    /// True when this read (of a session whose last write ended at `lastWrite`) goes to the standby.
    func useStandby(_ verb: String, lastWrite: ContinuousClock.Instant?) -> Bool {
        guard Self.servedByStandby(verb) else { return false }
        let chosen = self.tracker.withLockedValue {
            $0.useStandby(lastWrite: lastWrite, now: .now, maximumLag: self.configuration.maximumLag)
        }
        self.counts.withLockedValue { chosen ? ($0.standby += 1) : ($0.primary += 1) }
        if let instruments = self.instruments.withLockedValue({ $0 }) {
            (chosen ? instruments.standbyReads : instruments.primaryReads).increment()
        }
        return chosen
    }

    /// Reads served by the standby and routable reads sent to the primary, since the start.
    public var readCounts: (standby: Int, primary: Int) { self.counts.withLockedValue { $0 } }

    /// One comparison of the two positions; returns false when either server did not answer.
    @discardableResult
    func poll() async -> Bool {
        defer { self.reportLag() }
        let started = ContinuousClock.now
        do {
            let lsn = try await self.primary.withConnection { connection in
                try connection.query("SELECT (pg_current_wal_lsn() - '0/0')::int8")[0].decode(Int64.self, at: 0)
            }
            self.tracker.withLockedValue { $0.primary(UInt64(lsn), startedAt: started) }
        } catch {
            self.logger.debug("read routing: no WAL position from the primary", metadata: ["error": "\(error)"])
            return false
        }
        do {
            let replayed = try await self.standby.pool.withConnection { connection in
                try connection.query(
                    "SELECT CASE WHEN pg_is_in_recovery() THEN (pg_last_wal_replay_lsn() - '0/0')::int8 END"
                )[0].decode(Int64?.self, at: 0)
            }
            self.tracker.withLockedValue { $0.standby(replayed.map { UInt64($0) }) }
            return true
        } catch {
            self.logger.debug("read routing: the standby does not answer", metadata: ["error": "\(error)"])
            return false
        }
    }
}

extension ReadRouting {
    /// Sets the lag gauge from what the monitor knows now.
    private func reportLag() {
        guard let instruments = self.instruments.withLockedValue({ $0 }),
            let caughtUp = self.tracker.withLockedValue({ $0.caughtUpThrough })
        else { return }
        let (seconds, attoseconds) = (ContinuousClock.now - caughtUp).components
        instruments.lag.set(Double(seconds) + Double(attoseconds) / 1e18)
    }
}

extension ReadRouting: Service, CustomStringConvertible {
    public var description: String { "ReadRouting" }

    /// Compares the positions every `pollInterval` until shutdown.
    public func run() async {
        var wasHealthy = true
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let healthy = await self.poll()
            if healthy != wasHealthy {
                if healthy {
                    self.logger.info("read routing: the standby answers again")
                } else {
                    self.logger.warning("read routing: reads go to the primary (standby or primary unreachable)")
                }
                wasHealthy = healthy
            }
            let interval = self.configuration.pollInterval
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }
}
