import Foundation
import LibPQ
import RapportClient
import RapportProtocol

/// QUALITY.md P1/P2: `sessions` salespeople logging single interactions in a closed loop for
/// `seconds`, each command a full INTERACTION-CREATE through the real server (one durable
/// transaction per command), beside `pgbench -c sessions` running the equivalent one-row INSERT
/// (a copy of an entry the server wrote: the same columns and values) for the same time.
struct InteractionLogBenchmark {
    var sessions: Int
    var seconds: Int

    func run() async throws {
        let cluster = try BenchCluster()
        defer { cluster.stop() }
        try cluster.start()
        try self.loadFixtures(cluster)
        print("rapport-bench interaction-log: \(self.sessions) sessions, \(self.seconds) s each side")
        print("private durable cluster (fsync on, synchronous_commit on), server pool of 8 connections")

        let server = try await BenchServer.start(cluster)
        let latencies = try await self.loadServer(port: server.port)
        try await server.stop()
        let serverRate = Double(latencies.count) / Double(self.seconds)

        let pgbench = try self.runPgbench(cluster, transactionsPerClient: max(50, latencies.count / self.sessions))
        print("")
        print("                       commits/s   p50 ms   p99 ms")
        print(Self.row("rapportd INTERACTION-CREATE", serverRate, Self.percentile(latencies, 0.5), Self.percentile(latencies, 0.99)))
        print(Self.row("pgbench one-row INSERT", pgbench.tps, nil, nil) + "   (average latency \(String(format: "%.2f", pgbench.latency)) ms)")
        print(String(format: "ratio rapportd / pgbench: %.2f×", serverRate / pgbench.tps))
    }

    private func loadFixtures(_ cluster: BenchCluster) throws {
        let connection = try cluster.connect()
        defer { connection.close() }
        try connection.executeScript(
            """
            INSERT INTO salespeople (code, name) VALUES ('AH', 'Annette Hill');
            INSERT INTO interaction_groups (code, description) VALUES ('PHONE', 'Phone calls');
            INSERT INTO interaction_templates (code, interaction_group_code, description, unit_cost, unit_duration,
                    information_flow, initiated_by, correspondence_type)
                VALUES ('OUTCALL', 'PHONE', 'Outgoing call', 1, 15, 'outbound', 'us', NULL);
            INSERT INTO contacts (no, type, name, salesperson_code)
                SELECT 'C' || i, 'company', 'Company ' || i, 'AH' FROM generate_series(1, \(self.sessions)) i;
            """
        )
    }

    /// Runs the closed loop; returns every command's latency in milliseconds.
    private func loadServer(port: Int) async throws -> [Double] {
        let deadline = ContinuousClock.now + .seconds(self.seconds)
        return try await withThrowingTaskGroup(of: [Double].self) { group in
            for session in 1...self.sessions {
                group.addTask {
                    let client = try await RapportConnection.connect(host: "127.0.0.1", port: port)
                    try await client.login(user: BenchServer.user, secret: BenchServer.password)
                    var latencies: [Double] = []
                    let arguments: [Argument] = [
                        .named("contact", "C\(session)"), .named("template", "OUTCALL"),
                        .named("description", "Called about the offer"),
                    ]
                    while ContinuousClock.now < deadline {
                        let started = ContinuousClock.now
                        let response = try await client.send("INTERACTION-CREATE", arguments)
                        guard case .ok = response.final else { throw BenchError("INTERACTION-CREATE: \(response.final)") }
                        latencies.append((ContinuousClock.now - started).seconds * 1000)
                    }
                    await client.close()
                    return latencies
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
    }

    /// pgbench with the same number of clients, inserting copies of the first entry the server wrote,
    /// as many transactions as the server committed (`-t`: pgbench's `-T` timer did not fire when
    /// started from this process).
    private func runPgbench(_ cluster: BenchCluster, transactionsPerClient: Int) throws -> (tps: Double, latency: Double) {
        let connection = try cluster.connect()
        defer { connection.close() }
        let columns = try connection.query(
            """
            SELECT string_agg(quote_ident(column_name), ', ' ORDER BY ordinal_position) FROM information_schema.columns
            WHERE table_name = 'interaction_log_entries' AND is_identity = 'NO' AND is_generated = 'NEVER'
            """
        )[0].decode(String.self, at: 0)
        let first = try connection.query("SELECT min(entry_no) FROM interaction_log_entries")[0].decode(Int.self, at: 0)
        let script = cluster.root + "/insert-entry.sql"
        try "INSERT INTO interaction_log_entries (\(columns)) SELECT \(columns) FROM interaction_log_entries WHERE entry_no = \(first);\n"
            .write(toFile: script, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["pgbench", "-n", "-c", String(self.sessions), "-j", "2", "-t", String(transactionsPerClient), "-f", script]
        process.environment = cluster.environment
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        func number(after prefix: String) -> Double? {
            guard let line = output.split(separator: "\n").first(where: { $0.hasPrefix(prefix) }) else { return nil }
            return Double(line.dropFirst(prefix.count).split(separator: " ").first ?? "")
        }
        guard let tps = number(after: "tps = "), let latency = number(after: "latency average = ") else {
            throw BenchError("pgbench printed no figures: \(output)")
        }
        return (tps, latency)
    }

    private static func percentile(_ values: [Double], _ fraction: Double) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int(Double(sorted.count) * fraction))]
    }

    private static func row(_ label: String, _ rate: Double, _ p50: Double?, _ p99: Double?) -> String {
        let format = { (value: Double?) in value.map { String(format: "%8.2f", $0) } ?? "       -" }
        return label.padding(toLength: 28, withPad: " ", startingAt: 0) + String(format: "%9.0f", rate) + " " + format(p50) + " " + format(p99)
    }
}
