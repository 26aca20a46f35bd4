import Foundation
import LibPQ

/// QUALITY.md P7: 1,000,000 contacts from one CSV file. `rapport import-contacts FILE` (the release
/// CLI next to this program: file split into parts of whole rows, each a CONTACT-IMPORT through the
/// real server — COPY into a staging table, checks, INSERT … SELECT, idempotency record, durable
/// commit) beside `psql -c "\copy"` of the same file into an equivalent table (`LIKE contacts
/// INCLUDING ALL` plus the same foreign keys), in the same run, interleaved, the order alternating.
/// Both are timed as whole processes (start to exit).
struct ImportBenchmark {
    var rows: Int
    var rounds: Int

    static let header = "no,type,name,company_no,salesperson_code,email,phone_no,city,post_code,country_code"

    func run() async throws {
        let rapport = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("rapport").path
        guard FileManager.default.isExecutableFile(atPath: rapport) else {
            throw BenchError("\(rapport) not found: build it too (swift build -c release --product rapport)")
        }
        let cluster = try BenchCluster()
        defer { cluster.stop() }
        try cluster.start()
        let file = cluster.root + "/contacts.csv"
        try self.writeFile(file)
        try self.loadFixtures(cluster)
        let size = (try FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0
        print(
            "rapport-bench import: \(self.rows) contacts, \(String(format: "%.1f", Double(size) / 1_048_576)) MiB CSV, \(self.rounds) rounds"
        )
        print("private durable cluster (fsync on, synchronous_commit on); rapport CLI: \(rapport)")

        let server = try await BenchServer.start(cluster)
        defer { Task { try? await server.stop() } }
        var results: [(server: Double, psql: Double, first: String)] = []
        for round in 1...self.rounds {
            let psqlFirst = round % 2 == 1
            var serverTime = 0.0
            var psqlTime = 0.0
            for side in psqlFirst ? ["psql", "server"] : ["server", "psql"] {
                try self.reset(cluster)
                if side == "psql" {
                    psqlTime = try self.timePsql(cluster, file: file)
                } else {
                    serverTime = try self.timeRapport(rapport, port: server.port, file: file)
                }
                try self.verify(cluster, table: side == "psql" ? "contacts_psql" : "contacts")
            }
            results.append((serverTime, psqlTime, psqlFirst ? "psql first" : "server first"))
            print(
                "round \(round): rapport import-contacts \(Self.seconds(serverTime)), psql \\copy \(Self.seconds(psqlTime)), "
                    + "ratio \(String(format: "%.2f", serverTime / psqlTime))× (\(results.last!.first))"
            )
        }
        try await server.stop()

        print("")
        print("round  rapport import-contacts   psql \\copy   ratio")
        func line(_ label: String, _ server: Double, _ psql: Double, _ note: String) -> String {
            label.padding(toLength: 7, withPad: " ", startingAt: 0)
                + Self.seconds(server).padding(toLength: 26, withPad: " ", startingAt: 0)
                + Self.seconds(psql).padding(toLength: 13, withPad: " ", startingAt: 0)
                + String(format: "%.2f×", server / psql) + note
        }
        for (index, result) in results.enumerated() {
            print(line(String(index + 1), result.server, result.psql, "   " + result.first))
        }
        let medianServer = Self.median(results.map(\.server))
        let medianPsql = Self.median(results.map(\.psql))
        print(line("median", medianServer, medianPsql, ""))
        print("")
        print(
            "bar P7: ≤ 30 s \(medianServer <= 30 ? "met" : "NOT met") (\(Self.seconds(medianServer))); ≤ 1.3× psql \\copy "
                + "\(medianServer / medianPsql <= 1.3 ? "met" : "NOT met") (\(String(format: "%.2f", medianServer / medianPsql))×)"
        )
    }

    /// 10% companies with typed numbers, 90% persons of those companies, typed numbers too (psql cannot draw them).
    private func writeFile(_ path: String) throws {
        FileManager.default.createFile(atPath: path, contents: nil)
        guard let handle = FileHandle(forWritingAtPath: path) else { throw BenchError("cannot write \(path)") }
        defer { try? handle.close() }
        var chunk = Self.header + "\n"
        for row in 0..<self.rows {
            if row % 10 == 0 {
                chunk +=
                    "CO\(row),company,Company \(row) Ltd,,AH,info\(row)@example.com,+44 20 7946 \(row % 10000),London,EC1A,GB\n"
            } else {
                chunk += "P\(row),person,Person \(row),CO\(row - row % 10),,p\(row)@example.com,,Leeds,LS1,GB\n"
            }
            if chunk.utf8.count > 1 << 20 {
                handle.write(Data(chunk.utf8))
                chunk = ""
            }
        }
        handle.write(Data(chunk.utf8))
    }

    private func loadFixtures(_ cluster: BenchCluster) throws {
        let connection = try cluster.connect()
        defer { connection.close() }
        try connection.executeScript(
            """
            INSERT INTO salespeople (code, name) VALUES ('AH', 'Annette Hill');
            INSERT INTO number_series (code, starting_no, allow_manual) VALUES ('CONT', 'CT0000001', true);
            UPDATE marketing_setup SET contact_nos = 'CONT';
            CREATE TABLE contacts_psql (LIKE contacts INCLUDING ALL);
            ALTER TABLE contacts_psql ADD FOREIGN KEY (company_no) REFERENCES contacts_psql (no),
                ADD FOREIGN KEY (salesperson_code) REFERENCES salespeople (code),
                ADD FOREIGN KEY (language_code) REFERENCES languages (code);
            """
        )
    }

    private func reset(_ cluster: BenchCluster) throws {
        let connection = try cluster.connect()
        defer { connection.close() }
        for statement in [
            "TRUNCATE contacts, contacts_psql CASCADE", "DELETE FROM idempotency_keys", "VACUUM ANALYZE", "CHECKPOINT",
        ] {
            try connection.execute(PGQuery(sql: statement))
        }
    }

    private func verify(_ cluster: BenchCluster, table: String) throws {
        let connection = try cluster.connect()
        defer { connection.close() }
        let count = try connection.query(PGQuery(sql: "SELECT count(*) FROM \(table)"))[0].decode(Int.self, at: 0)
        guard count == self.rows else { throw BenchError("\(table) has \(count) rows, not \(self.rows)") }
    }

    private func timePsql(_ cluster: BenchCluster, file: String) throws -> Double {
        let started = ContinuousClock.now
        try Psql.run(
            [
                "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c",
                "\\copy contacts_psql (\(Self.header)) FROM '\(file)' WITH (FORMAT csv, HEADER)",
            ],
            cluster: cluster
        )
        return (ContinuousClock.now - started).seconds
    }

    private func timeRapport(_ rapport: String, port: Int, file: String) throws -> Double {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: rapport)
        process.arguments = ["import-contacts", file]
        var environment = ProcessInfo.processInfo.environment
        environment["RAPPORT_HOST"] = "127.0.0.1"
        environment["RAPPORT_PORT"] = String(port)
        environment["RAPPORT_USER"] = BenchServer.user
        environment["RAPPORT_PASSWORD"] = BenchServer.password
        environment.removeValue(forKey: "RAPPORT_URL")
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        let started = ContinuousClock.now
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let elapsed = (ContinuousClock.now - started).seconds
        guard process.terminationStatus == 0, output.contains("\(self.rows) contacts imported") else {
            throw BenchError("rapport import-contacts exited with \(process.terminationStatus): \(output)")
        }
        print("  rapport: \(output.trimmingCharacters(in: .whitespacesAndNewlines))")
        return elapsed
    }

    private static func seconds(_ value: Double) -> String { String(format: "%.2f s", value) }

    private static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.count % 2 == 1
            ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }
}
