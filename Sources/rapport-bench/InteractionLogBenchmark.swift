import Foundation
import LibPQ
import RapportClient
import RapportProtocol

/// QUALITY.md P1/P2, side by side and interleaved. For each session count, `rounds` rounds of
/// A = rapportd (INTERACTION-CREATE through the real server over TCP, closed loop, each command with its
/// own `idem=` key) and B = `pgbench` with as many clients running the equivalent one-row INSERT into the
/// same table (the same triggers), alternating which goes first, each side `seconds` long after a
/// CHECKPOINT. Every session has its own contact and template; a last section puts all sessions on one
/// contact and one template (hot rows).
struct InteractionLogBenchmark {
    var sessions: [Int]
    var hotSessions: Int
    var rounds: Int
    var seconds: Int

    /// A pgbench script of the statements one INTERACTION-CREATE sends, in its two pipelines
    /// (`RAPPORT_BENCH_FLOOR`, e.g. `scripts/bench/interaction-create-floor.sql`): run with the per-client
    /// loads, prepared, it shows what PostgreSQL alone makes of them: the ceiling of any server that runs
    /// them command by command.
    var floorScript: String? = ProcessInfo.processInfo.environment["RAPPORT_BENCH_FLOOR"]

    static let poolSize = 8

    enum Side: String {
        case rapportd, pgbench, floor
    }

    /// The figures of one timed step: commits per second, latencies in milliseconds.
    struct Figures {
        var rate: Double
        var p50: Double
        var p99: Double
    }

    /// Who logs what: `sessions` sessions (pgbench clients), each on contact `C<n>` and template `CALL<n>`,
    /// or all on `C1` and `CALL1` (hot rows).
    struct Load {
        var sessions: Int
        var hot: Bool

        var title: String {
            let sessions = self.sessions == 1 ? "1 session" : "\(self.sessions) sessions"
            return self.hot
                ? "\(sessions), hot rows (all on one contact and one template)"
                : "\(sessions) (each its own contact and template)"
        }

        func arguments(session: Int, key: String) -> [Argument] {
            let n = self.hot ? 1 : session
            return [
                .named("contact", "C\(n)"), .named("template", "CALL\(n)"),
                .named("description", "Called about the offer"), .named("idem", key),
            ]
        }
    }

    func run() async throws {
        let cluster = try BenchCluster()
        defer { cluster.stop() }
        try cluster.start()
        let statistics = try cluster.loadStatementStatistics()
        try self.loadFixtures(cluster, count: max(self.sessions.max() ?? 1, self.hotSessions))
        let server = try await BenchServer.start(cluster, poolSize: Self.poolSize)
        let version = try cluster.administer("SHOW server_version")[0].decode(String.self, at: 0)
        let scripts = try await self.pgbenchScripts(cluster, port: server.port)

        print(
            """
            rapport-bench interaction-log: \(self.sessions.map(String.init).joined(separator: ", ")) sessions, \
            then hot rows at \(self.hotSessions); rounds: \(self.rounds) each, \(self.seconds) s per side and round, \
            alternating which side goes first, CHECKPOINT before each timed step
            PostgreSQL \(version), private durable cluster (fsync on, synchronous_commit on); rapportd in this \
            process, pool of \(Self.poolSize) connections
            rapportd: INTERACTION-CREATE contact=… template=… description=… idem=<unique key>, over TCP, \
            one client per session, closed loop (every OK is a durable commit)
            pgbench:  pgbench -n -c N -j min(N,2) -T \(self.seconds) (simple protocol, one transaction per row), \
            the INSERT of an entry rapportd wrote (every column, same values; contact and template the \
            client's own):
              \(try String(contentsOfFile: scripts.perClient, encoding: .utf8).split(separator: "\n").joined(separator: "\n  "))
            """
        )
        var bars: [String] = []
        let loads = self.sessions.map { Load(sessions: $0, hot: false) } + [Load(sessions: self.hotSessions, hot: true)]
        for load in loads {
            let script = load.hot ? scripts.hot : scripts.perClient
            bars += try await self.section(
                load,
                cluster: cluster,
                server: server,
                script: script,
                statistics: statistics
            )
        }
        try await server.stop()
        print("\nbars (medians of the rounds)")
        for bar in bars { print("  " + bar) }
        if bars.isEmpty { print("  none at these session counts (P1: 1, 8 and 32 sessions; P2: 32)") }
    }

    /// One session count: an untimed sample (warm-up, and what the server sends per command), then the
    /// interleaved rounds, their medians and spread, and the bars that apply.
    private func section(_ load: Load, cluster: BenchCluster, server: BenchServer, script: String, statistics: Bool)
        async throws -> [String]
    {
        let port = server.port
        print("\n== \(load.title) ==")
        let sample = try await self.rapportd(load, port: port, duration: .seconds(1)) {
            if statistics { try cluster.trackStatements(true) }  // after the logins
        }
        if statistics {
            try cluster.trackStatements(false)
            try self.printStatements(cluster, commands: sample.commands)
        }

        print("round  first     rapportd/s  p50 ms  p99 ms   pgbench/s  p50 ms  p99 ms   ratio")
        // The floor runs with the per-client loads only: its script takes the client's own contact.
        let floorScript = load.hot ? nil : self.floorScript
        var results: [(rapportd: Figures, pgbench: Figures)] = []
        var floors: [Figures] = []
        var batches = (0, 0)  // group commit batches and their commands during the timed rapportd steps
        for round in 1...self.rounds {
            // Who goes first rotates: rapportd, pgbench (and the floor) take turns.
            var sides: [Side] = floorScript == nil ? [.rapportd, .pgbench] : [.rapportd, .pgbench, .floor]
            sides = Array(sides[((round - 1) % sides.count)...] + sides[..<((round - 1) % sides.count)])
            var rapportd: Figures?
            var pgbench: Figures?
            for side in sides {
                try cluster.administer("CHECKPOINT")
                switch side {
                case .rapportd:
                    let before = server.groupCommitTotals
                    rapportd = try await self.rapportd(load, port: port, duration: .seconds(self.seconds)).figures
                    let after = server.groupCommitTotals
                    batches.0 += after.batches - before.batches
                    batches.1 += after.commands - before.commands
                case .pgbench:
                    pgbench = try self.pgbench(load, cluster: cluster, script: script)
                case .floor:
                    if let floorScript {
                        floors.append(try self.pgbench(load, cluster: cluster, script: floorScript, prepared: true))
                    }
                }
            }
            guard let rapportd, let pgbench else { throw BenchError("a round without figures") }
            results.append((rapportd, pgbench))
            print(Self.row("\(round)", sides[0].rawValue, rapportd, pgbench))
            if let floor = floors.last {
                print(
                    String(
                        format: "       floor: PostgreSQL alone, the command's statements: %.0f/s, p50 %.2f ms, "
                            + "p99 %.2f ms, %.2f× pgbench",
                        floor.rate,
                        floor.p50,
                        floor.p99,
                        floor.rate / pgbench.rate
                    )
                )
            }
        }

        let a = Self.medians(results.map(\.rapportd))
        let b = Self.medians(results.map(\.pgbench))
        print(Self.row("median", "", a, b))
        func spread(_ values: [Double], _ format: String) -> String {
            String(format: format + "–" + format, values.min() ?? 0, values.max() ?? 0)
        }
        func spread(_ figures: [Figures]) -> String {
            "\(spread(figures.map(\.rate), "%.0f"))/s, p50 \(spread(figures.map(\.p50), "%.2f")) ms, "
                + "p99 \(spread(figures.map(\.p99), "%.2f")) ms"
        }
        print(
            "spread rapportd \(spread(results.map(\.rapportd))); pgbench \(spread(results.map(\.pgbench))); "
                + "ratio \(spread(results.map { $0.rapportd.rate / $0.pgbench.rate }, "%.2f"))×"
        )
        if !floors.isEmpty {
            let floor = Self.medians(floors)
            print(
                String(
                    format: "floor median %.0f/s, p50 %.2f ms: %.2f× pgbench, the most any server could reach "
                        + "running these statements in two round trips without batching",
                    floor.rate,
                    floor.p50,
                    floor.rate / b.rate
                ) + " (ratios \(spread(zip(floors, results).map { $0.rate / $1.pgbench.rate }, "%.2f"))×)"
            )
        }
        print(
            "group commit during the rapportd steps: \(batches.1) commands in \(batches.0) batches, "
                + String(format: "%.2f", Double(batches.1) / Double(max(1, batches.0))) + " per batch"
        )

        var bars: [String] = []
        let ratio = a.rate / b.rate
        if let bar = [1: 0.8, 8: 1.0, 32: 1.0][load.sessions] {
            bars.append(
                "P1 \(load.title): " + String(format: "%.2f× pgbench (bar ≥ %.1f×) ", ratio, bar)
                    + Self.verdict(ratio >= bar)
            )
        }
        if load.sessions == 32, !load.hot {
            let bar = b.p99 <= 25 ? 25 : b.p99
            bars.append(
                "P2 \(load.title): "
                    + String(format: "p99 %.2f ms, pgbench's %.2f ms (bar ≤ %.2f ms) ", a.p99, b.p99, bar)
                    + Self.verdict(a.p99 <= bar)
            )
        }
        for bar in bars { print(bar) }
        return bars
    }

    /// rapportd: `load.sessions` clients log in, then send INTERACTION-CREATE in a closed loop for
    /// `duration`, each with a key of its own; `ready` runs between the logins and the first command.
    private func rapportd(
        _ load: Load,
        port: Int,
        duration: Duration,
        ready: () throws -> Void = {}
    ) async throws -> (figures: Figures, commands: Int) {
        let step = UUID().uuidString.prefix(8)
        var clients: [RapportConnection] = []
        for _ in 1...load.sessions {
            let client = try await RapportConnection.connect(host: "127.0.0.1", port: port)
            try await client.login(user: BenchServer.user, secret: BenchServer.password)
            clients.append(client)
        }
        try ready()
        let started = ContinuousClock.now
        let deadline = started + duration
        let latencies = try await withThrowingTaskGroup(of: [Double].self) { group in
            for (index, client) in clients.enumerated() {
                group.addTask {
                    var latencies: [Double] = []
                    while ContinuousClock.now < deadline {
                        let arguments = load.arguments(
                            session: index + 1,
                            key: "\(step)-\(index + 1)-\(latencies.count)"
                        )
                        let sent = ContinuousClock.now
                        let response = try await client.send("INTERACTION-CREATE", arguments)
                        guard case .ok = response.final else {
                            throw BenchError("INTERACTION-CREATE: \(response.final)")
                        }
                        latencies.append((ContinuousClock.now - sent).seconds * 1000)
                    }
                    return latencies
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        let elapsed = (ContinuousClock.now - started).seconds
        for client in clients { await client.close() }
        return (Self.figures(rate: Double(latencies.count) / elapsed, latencies), latencies.count)
    }

    /// pgbench with as many clients, for as long (`-T`); throughput as pgbench reports it (without its
    /// connection time), latencies from its per-transaction log.
    private func pgbench(_ load: Load, cluster: BenchCluster, script: String, prepared: Bool = false) throws -> Figures
    {
        let logs = cluster.root + "/pgbench-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: logs, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: logs) }
        let output = try Program.run(
            cluster.program("pgbench"),
            [
                "-n", "-c", String(load.sessions), "-j", String(min(load.sessions, 2)), "-T", String(self.seconds),
                "-f", script, "-l", "--log-prefix", logs + "/transactions",
            ] + (prepared ? ["-M", "prepared"] : []),
            environment: cluster.environment
        )
        guard let line = output.split(separator: "\n").first(where: { $0.hasPrefix("tps = ") }),
            let rate = Double(line.dropFirst("tps = ".count).split(separator: " ")[0])
        else { throw BenchError("pgbench printed no tps: \(output)") }
        // Log lines: client_id transaction_no time(µs) script_no time_epoch time_us.
        var latencies: [Double] = []
        for file in try FileManager.default.contentsOfDirectory(atPath: logs) {
            for line in try String(contentsOfFile: logs + "/" + file, encoding: .utf8).split(separator: "\n") {
                let fields = line.split(separator: " ")
                guard fields.count > 2, let microseconds = Double(fields[2]) else { continue }
                latencies.append(microseconds / 1000)
            }
        }
        return Self.figures(rate: rate, latencies)
    }

    /// pgbench's scripts: the INSERT of a copy of an entry the server wrote (for `C1` and `CALL1`), every
    /// column the server writes with its value as a literal (`created_at` takes its default, `now()`, as
    /// for the server). Per client, the contact (and company) and the template are the client's own.
    private func pgbenchScripts(_ cluster: BenchCluster, port: Int) async throws -> (perClient: String, hot: String) {
        let client = try await RapportConnection.connect(host: "127.0.0.1", port: port)
        try await client.login(user: BenchServer.user, secret: BenchServer.password)
        let response = try await client.send(
            "INTERACTION-CREATE",
            Load(sessions: 1, hot: true).arguments(session: 1, key: "pgbench-model")
        )
        await client.close()
        guard case .ok = response.final else { throw BenchError("INTERACTION-CREATE: \(response.final)") }

        let connection = try cluster.connect()
        defer { connection.close() }
        let columns = try connection.query(
            """
            SELECT c.column_name::text, coalesce(quote_literal(to_jsonb(e) ->> c.column_name), 'NULL')
            FROM information_schema.columns c,
                (SELECT * FROM interaction_log_entries ORDER BY entry_no DESC LIMIT 1) e
            WHERE c.table_schema = current_schema() AND c.table_name = 'interaction_log_entries'
                AND c.is_identity = 'NO' AND c.is_generated = 'NEVER' AND c.column_name <> 'created_at'
            ORDER BY c.ordinal_position
            """
        ).map { (name: try $0.decode(String.self, at: 0), value: try $0.decode(String.self, at: 1)) }
        let perClient: [String: (model: String, expression: String)] = [
            "contact_no": ("'C1'", "'C' || :n"), "contact_company_no": ("'C1'", "'C' || :n"),
            "interaction_template_code": ("'CALL1'", "'CALL' || :n"),
        ]
        for (name, value) in perClient where !columns.contains(where: { $0 == (name, value.model) }) {
            throw BenchError("the model entry has no \(name) = \(value.model)")
        }
        func insert(_ values: [String]) -> String {
            "INSERT INTO interaction_log_entries (\(columns.map(\.name).joined(separator: ", "))) "
                + "VALUES (\(values.joined(separator: ", ")));\n"
        }
        let paths = (perClient: cluster.root + "/insert-entry.sql", hot: cluster.root + "/insert-entry-hot.sql")
        try ("\\set n :client_id + 1\n" + insert(columns.map { perClient[$0.name]?.expression ?? $0.value }))
            .write(toFile: paths.perClient, atomically: true, encoding: .utf8)
        try insert(columns.map(\.value)).write(toFile: paths.hot, atomically: true, encoding: .utf8)
        return paths
    }

    /// What the server sent to PostgreSQL during the sample, per command (top-level statements).
    private func printStatements(_ cluster: BenchCluster, commands: Int) throws {
        let rows = try cluster.administer(
            """
            SELECT s.calls::text, s.total_exec_time::text, regexp_replace(s.query, '\\s+', ' ', 'g')
            FROM pg_stat_statements s WHERE s.dbid = (SELECT oid FROM pg_database WHERE datname = '\(cluster.database)')
            ORDER BY s.calls DESC, s.total_exec_time DESC
            """
        ).map {
            (
                calls: Double(try $0.decode(String.self, at: 0)) ?? 0,
                time: Double(try $0.decode(String.self, at: 1)) ?? 0, query: try $0.decode(String.self, at: 2)
            )
        }
        let perCommand = Double(max(commands, 1))
        print(
            String(
                format:
                    "per command, what rapportd sent to PostgreSQL (pg_stat_statements, untimed 1 s sample of %d commands): "
                    + "%.1f statements, %.2f ms executing",
                commands,
                rows.map(\.calls).reduce(0, +) / perCommand,
                rows.map(\.time).reduce(0, +) / perCommand
            )
        )
        for row in rows {
            print(
                String(format: "  %5.2f× %7.3f ms  ", row.calls / perCommand, row.time / max(row.calls, 1))
                    + row.query.prefix(110)
            )
        }
    }

    private func loadFixtures(_ cluster: BenchCluster, count: Int) throws {
        let connection = try cluster.connect()
        defer { connection.close() }
        try connection.executeScript(
            """
            INSERT INTO salespeople (code, name) VALUES ('AH', 'Annette Hill');
            INSERT INTO interaction_groups (code, description) VALUES ('PHONE', 'Phone calls');
            INSERT INTO interaction_templates (code, interaction_group_code, description, unit_cost, unit_duration,
                    information_flow, initiated_by, correspondence_type)
                SELECT 'CALL' || i, 'PHONE', 'Outgoing call', 1, 15, 'outbound', 'us', NULL
                FROM generate_series(1, \(count)) i;
            INSERT INTO contacts (no, type, name, salesperson_code)
                SELECT 'C' || i, 'company', 'Company ' || i, 'AH' FROM generate_series(1, \(count)) i;
            -- A server in its steady state holds the keys of the retention period: without them the
            -- planner would see an empty key table and cache a sequential scan for the key look-up.
            INSERT INTO users (user_id, role, password_hash) VALUES ('EARLIER', 'salesperson', '$bench$unused');
            INSERT INTO idempotency_keys (user_id, idempotency_key, command, request_hash, response, created_at)
                SELECT 'EARLIER', 'earlier-' || i, 'INTERACTION-CREATE', 'h', 'OK', now() - interval '1 day'
                FROM generate_series(1, 50000) i;
            ANALYZE;
            """
        )
    }

    private static func figures(rate: Double, _ latencies: [Double]) -> Figures {
        let sorted = latencies.sorted()
        func percentile(_ fraction: Double) -> Double {
            sorted.isEmpty ? 0 : sorted[max(0, Int((Double(sorted.count) * fraction).rounded(.up)) - 1)]
        }
        return Figures(rate: rate, p50: percentile(0.5), p99: percentile(0.99))
    }

    private static func medians(_ figures: [Figures]) -> Figures {
        Figures(
            rate: Self.median(figures.map(\.rate)),
            p50: Self.median(figures.map(\.p50)),
            p99: Self.median(figures.map(\.p99))
        )
    }

    private static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        return sorted.count % 2 == 1
            ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    private static func row(_ round: String, _ first: String, _ a: Figures, _ b: Figures) -> String {
        round.padding(toLength: 7, withPad: " ", startingAt: 0)
            + first.padding(toLength: 8, withPad: " ", startingAt: 0)
            + String(
                format: "%12.0f %7.2f %7.2f %11.0f %7.2f %7.2f %7.2f×",
                a.rate,
                a.p50,
                a.p99,
                b.rate,
                b.p50,
                b.p99,
                a.rate / b.rate
            )
    }

    private static func verdict(_ met: Bool) -> String { met ? "met" : "NOT met" }
}
