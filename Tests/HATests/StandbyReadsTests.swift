import Foundation
import LibPQ
import RapportClient
import RapportProtocol
import RapportTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

extension HASuite {
    /// Issue 16: lists, shows and statistics from the hot standby (`--read-database-url`, HAProxy's
    /// `/replica` port), with read-your-writes, and back to the primary when the standby lags or stops.
    ///
    /// Two rapportd share the cluster: a tolerant one (`--read-max-lag` 10 minutes) keeps reading from a
    /// standby whose replay is paused, which shows that reads really are served there (they miss the
    /// newest entries) while a session's own entries stay visible to it; a strict one (1 s) sends the
    /// same reads to the primary once the standby is that far behind.
    @Suite("Reads from the standby", .serialized, .timeLimit(.minutes(4)))
    struct StandbyReadsTests {
        @Test func ownWritesAreVisibleAndALaggingOrStoppedStandbySendsReadsToThePrimary() async throws {
            let cluster = try await PatroniCluster.start(label: "ha-reads")
            let replicas = ProcessGroup()
            try await withCleanup {
                let rapportd = try Toolbox.rapportd()
                func start(_ name: String, lag: Int) async throws -> (process: ChildProcess, port: Int) {
                    try await startReplica(
                        name: name,
                        binary: rapportd,
                        databaseURL: cluster.balancerURL(),
                        arguments: [
                            "--pool-size", "4", "--drain-delay", "0", "--read-database-url",
                            cluster.balancerURL(reads: true), "--read-max-lag", String(lag), "--metrics-port", "0",
                        ],
                        logDirectory: cluster.scratch,
                        group: replicas
                    )
                }
                let (tolerantProcess, tolerant) = try await start("rapportd-tolerant", lag: 600_000)
                let strict = try await start("rapportd-strict", lag: 1000).port
                try await HALoad.prepare(cluster)
                let primary = try #require(await TestPostgres.blocking { cluster.primary() })
                let standby = try #require(cluster.nodes.first { $0.name != primary.name })

                let writer = try await HALoad.login(port: tolerant)
                let tolerantReader = try await HALoad.login(port: tolerant, user: "manager")
                let strictReader = try await HALoad.login(port: strict, user: "manager")

                // 1. Read-your-writes with a healthy standby: each new entry is visible to the very next read.
                for number in 1...10 {
                    let entry = try await Self.create(writer, key: "ryw-\(number)")
                    let shown = try await writer.send("LOG-SHOW", [.positional(entry)])
                    #expect(shown.final.isOK && HALoad.value(shown, "entry") == entry, "LOG-SHOW \(entry): \(shown)")
                    let listed = try await Self.entries(writer)
                    #expect(listed.contains(entry), "LOG-LIST after creating \(entry): \(listed)")
                }
                // A session that has not written sees them once the standby has replayed them.
                try await Task.sleep(for: .seconds(1))
                #expect(try await Self.entries(tolerantReader).count == 10)

                // 2. The standby's replay paused: it lags more and more.
                try await Self.standbyReplay(cluster, standby, pause: true)
                let hidden = try await Self.create(writer, key: "while-paused")
                // The writer reads its own entry at once (from the primary)…
                let shown = try await writer.send("LOG-SHOW", [.positional(hidden)])
                #expect(shown.final.isOK, "the writer's own entry: \(shown)")
                #expect(try await Self.entries(writer).contains(hidden))
                // …a session that did not write, on the tolerant rapportd, still reads the standby: proof
                // that its reads are served there (the entry is not replayed yet)…
                try await Task.sleep(for: .milliseconds(1500))
                let stale = try await Self.entries(tolerantReader)
                #expect(
                    !stale.contains(hidden) && stale.count == 10,
                    "the tolerant reader should read the paused standby: \(stale)"
                )
                // The tolerant rapportd counts them: reads answered by the standby.
                let metrics = try await Self.metrics(of: tolerantProcess)
                let standbyReads =
                    metrics.split(separator: "\n")
                    .first { $0.hasPrefix("rapport_reads_total{database=\"standby\"}") }
                    .flatMap { $0.split(separator: " ").last.flatMap { Double($0) } } ?? 0
                #expect(standbyReads > 0, "rapport_reads_total{database=\"standby\"}: \(metrics.suffix(800))")
                #expect(metrics.contains("rapport_standby_lag_seconds"))
                // …and on the strict one (1 s bound) the same read goes to the primary.
                #expect(
                    try await Self.entries(strictReader).contains(hidden),
                    "a lagging standby must send reads to the primary"
                )
                let statistics = try await strictReader.send("STATS", [.named("contact", "CO1")])
                #expect(HALoad.value(statistics, "count") == "11", "STATS on the primary: \(statistics)")
                try await Self.standbyReplay(cluster, standby, pause: false)
                try await Task.sleep(for: .seconds(1))
                #expect(try await Self.entries(tolerantReader).contains(hidden), "replay resumed")

                // 3. The standby stops (its Patroni shuts it down): reads go to the primary, nothing fails.
                try await cluster.stopNode(standby)
                let afterStop = try await Self.create(writer, key: "standby-stopped")
                for reader in [writer, tolerantReader, strictReader] {
                    let listed = try await Self.entries(reader)
                    #expect(listed.contains(afterStop), "a read with the standby stopped: \(listed)")
                }
                for connection in [writer, tolerantReader, strictReader] { await connection.close() }
            } cleanup: {
                // A failure between the pause and the resume must not leave a stopped process behind.
                for node in cluster.nodes { try? await Self.standbyReplay(cluster, node, pause: false) }
                await replicas.stopAll()
                await cluster.stop()
            }
        }

        /// The Prometheus text of a rapportd started with `--metrics-port 0`.
        static func metrics(of process: ChildProcess) async throws -> String {
            let port = try await process.waitFor("the line `rapportd: metrics on …`") { output -> Int? in
                guard let line = output.split(separator: "\n").first(where: { $0.hasPrefix("rapportd: metrics on ") }),
                    let colon = line.lastIndex(of: ":"), let slash = line[colon...].firstIndex(of: "/")
                else { return nil }
                return Int(line[line.index(after: colon)..<slash])
            }
            return try await TestPostgres.blocking { try HTTP.request("GET", port: port, path: "/metrics").body }
        }

        /// INTERACTION-CREATE with an idem= key; the new Entry No.
        static func create(_ connection: RapportConnection, key: String) async throws -> String {
            let reply = try await connection.send(
                "INTERACTION-CREATE",
                [
                    .named("contact", "CO1"), .named("template", "CALL"), .named("description", key),
                    .named("idem", key),
                ]
            )
            return try #require(HALoad.value(reply, "entry"), "INTERACTION-CREATE: \(reply)")
        }

        /// The Entry Nos. LOG-LIST shows (one page is enough here).
        static func entries(_ connection: RapportConnection) async throws -> [String] {
            let reply = try await connection.send("LOG-LIST", [.named("limit", "1000")])
            #expect(reply.final.isOK, "LOG-LIST: \(reply)")
            return reply.dataLines.compactMap { line in
                line.tokens.lazy.compactMap { token -> String? in
                    if case .named("entry", let value) = token { return value }
                    return nil
                }.first
            }
        }

        /// Stops (SIGSTOP) or continues the standby's startup process, which replays the WAL: the
        /// walreceiver keeps receiving and flushing, so synchronous commits go on while the standby's
        /// view stands still. (Patroni 3 resumes a `pg_wal_replay_pause()` at once, and it sets
        /// `recovery_min_apply_delay` itself.)
        static func standbyReplay(_ cluster: PatroniCluster, _ node: PatroniCluster.Node, pause: Bool) async throws {
            let url = cluster.nodeURL(node)
            let pid = try await TestPostgres.blocking { () -> Int32? in
                let connection = try PGConnection.connect(ConnectionConfiguration(url: url))
                defer { connection.close() }
                let rows = try connection.query("SELECT pid FROM pg_stat_activity WHERE backend_type = 'startup'")
                return rows.isEmpty ? nil : try rows[0].decode(Int32.self, at: 0)
            }
            guard let pid else { return }
            kill(pid, pause ? SIGSTOP : SIGCONT)
        }
    }
}

extension FinalLine {
    var isOK: Bool {
        if case .ok = self { return true }
        return false
    }
}
