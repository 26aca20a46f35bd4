import Foundation
import LibPQ
import Logging
import NIOCore
import RapportClient
import RapportProtocol
import RapportServer
import RapportStore

/// QUALITY.md P3: logging a segment of `contacts` lines through the real server (entries, logged segment,
/// campaign entry, follow-up segment — one transaction, durable commit) beside the bare `INSERT … SELECT` of
/// the same entry rows run by psql, in the same run, alternating which goes first.
struct SegmentLogBenchmark {
    var contacts: Int
    var rounds: Int

    func run() async throws {
        let cluster = try BenchCluster()
        defer { cluster.stop() }
        try cluster.start()
        let version = try Psql.run(["-X", "-A", "-t", "-c", "SHOW server_version"], cluster: cluster)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        print("rapport-bench segment-log: \(self.contacts) contacts, \(self.rounds) rounds")
        print("PostgreSQL \(version), private durable cluster (fsync on, synchronous_commit on), \(cluster.root)")

        let loadStarted = ContinuousClock.now
        try self.loadFixtures(cluster)
        print("fixtures loaded in \(Self.format((ContinuousClock.now - loadStarted).seconds))")

        let server = try await BenchServer.start(cluster, poolSize: 4)
        let port = server.port
        let client = try await RapportConnection.connect(host: "127.0.0.1", port: port)
        try await client.login(user: BenchServer.user, secret: BenchServer.password)
        do {
            try await self.measure(client, cluster)
        } catch {
            await client.close()
            try? await server.stop()
            throw error
        }
        await client.close()
        try await server.stop()
    }

    private func measure(_ client: RapportConnection, _ cluster: BenchCluster) async throws {
        // The bare statement's own segment (kept) and logged segment / campaign entry to point at.
        let bare = try await self.segment(client, no: "BARE", label: "bare INSERT … SELECT source")
        let connection = try cluster.connect()
        let ids = try connection.query(
            """
            WITH ls AS (INSERT INTO logged_segments (segment_no, description, user_id)
                        VALUES ('BARE-LOG', 'bare', 'BENCH') RETURNING entry_no)
            INSERT INTO campaign_entries (campaign_no, description, date, user_id, segment_no, register_no)
            SELECT 'CP1', 'bare', CURRENT_DATE, 'BENCH', 'BARE-LOG', entry_no FROM ls
            RETURNING register_no, entry_no
            """
        )[0]
        let bareSQL = Self.bareInsert(
            segment: bare,
            loggedSegment: try ids.decode(Int64.self, at: 0),
            campaignEntry: try ids.decode(Int64.self, at: 1)
        )
        try bareSQL.write(toFile: cluster.root + "/bare-insert.sql", atomically: true, encoding: .utf8)

        var serverTimes: [Double] = []
        var plainTimes: [Double] = []
        var bareTimes: [Double] = []
        var bareWalls: [Double] = []
        print("")
        print("round  LOG-SEGMENT via server   bare INSERT…SELECT via psql   ratio   (LOG-SEGMENT without follow-up)")
        for round in 1...self.rounds {
            let segment = try await self.segment(client, no: nil, label: "round \(round) segment")
            let plainSegment = try await self.segment(client, no: nil, label: "round \(round) segment, no follow-up")
            var serverTime = 0.0
            var plainTime = 0.0
            var bareTime = Psql.Timing(statement: 0, wall: 0)
            let serverFirst = round % 2 == 0
            for turn in 0..<3 {
                try connection.execute("CHECKPOINT")
                switch (turn, serverFirst) {
                case (0, true), (1, false):
                    serverTime = try await self.logSegment(client, segment, connection, followUp: true)
                case (2, _):
                    plainTime = try await self.logSegment(client, plainSegment, connection, followUp: false)
                default:
                    bareTime = try Psql.time(bareSQL, cluster: cluster)
                }
            }
            serverTimes.append(serverTime)
            plainTimes.append(plainTime)
            bareTimes.append(bareTime.statement)
            bareWalls.append(bareTime.wall)
            print(
                Self.column(String(round), 7) + Self.column(Self.format(serverTime), 25)
                    + Self.column(Self.format(bareTime.statement) + " (psql wall \(Self.format(bareTime.wall)))", 30)
                    + Self.column(String(format: "%.2f×", serverTime / bareTime.statement), 8)
                    + "(\(Self.format(plainTime)), \(String(format: "%.2f×", plainTime / bareTime.statement)))"
                    + (serverFirst ? "   server first" : "   psql first")
            )
        }
        connection.close()
        let server = Self.median(serverTimes)
        let plain = Self.median(bareTimes)
        let withoutFollowUp = Self.median(plainTimes)
        print(
            Self.column("median", 7) + Self.column(Self.format(server), 25)
                + Self.column(Self.format(plain) + " (psql wall \(Self.format(Self.median(bareWalls))))", 30)
                + Self.column(String(format: "%.2f×", server / plain), 8)
                + "(\(Self.format(withoutFollowUp)), \(String(format: "%.2f×", withoutFollowUp / plain)))"
        )
        print("")
        print(
            "bar P3: ≤ 3 s \(server <= 3 ? "met" : "NOT met") (\(Self.format(server))); "
                + "≤ 1.5× bare \(server <= 1.5 * plain ? "met" : "NOT met") (\(String(format: "%.2f×", server / plain)))"
        )
    }

    static func column(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text.padding(toLength: width, withPad: " ", startingAt: 0)
    }

    /// A new segment with every contact (the template's content, campaign CP1), built through the server.
    private func segment(_ client: RapportConnection, no: String?, label: String) async throws -> String {
        var arguments: [Argument] = [
            .named("description", "Benchmark mailing"), .named("template", "BUSLETTER"), .named("campaign", "CP1"),
        ]
        if let no { arguments.append(.named("segment", no)) }
        let created = try await client.send("SEGMENT-CREATE", arguments).checked()
        guard let segment = Self.value(created, "segment") else { throw BenchError("no segment number") }
        let started = ContinuousClock.now
        let added = try await client.send("SEGMENT-ADD-CONTACTS", [.positional(segment)]).checked()
        let lines = Self.value(added, "lines") ?? "?"
        print(
            "\(label): \(segment) with \(lines) lines added by SEGMENT-ADD-CONTACTS in "
                + Self.format((ContinuousClock.now - started).seconds)
        )
        return segment
    }

    /// LOG-SEGMENT (with a follow-up segment unless told otherwise); checks what it wrote.
    private func logSegment(_ client: RapportConnection, _ segment: String, _ connection: PGConnection, followUp: Bool)
        async throws -> Double
    {
        let started = ContinuousClock.now
        let reply = try await client.send(
            "LOG-SEGMENT",
            [.positional(segment), .named("follow-up", String(followUp)), .named("deliver", "false")]
        ).checked()
        let elapsed = (ContinuousClock.now - started).seconds
        guard Self.value(reply, "entries") == String(self.contacts) else {
            throw BenchError("LOG-SEGMENT did not log \(self.contacts) entries: \(reply.dataLines)")
        }
        guard followUp else { return elapsed }
        guard let followUp = Self.value(reply, "follow-up") else { throw BenchError("no follow-up segment") }
        let lines = try connection.query(
            "SELECT count(*) FROM segment_lines WHERE segment_no = \(followUp)"
        )[0].decode(Int.self, at: 0)
        guard lines == self.contacts else { throw BenchError("follow-up \(followUp) has \(lines) lines") }
        return elapsed
    }

    /// The same entry rows the server writes, straight from the segment lines.
    static func bareInsert(segment: String, loggedSegment: Int64, campaignEntry: Int64) -> String {
        """
        INSERT INTO interaction_log_entries (contact_no, contact_company_no, date, description, information_flow,
            initiated_by, attachment_no, cost, duration, user_id, interaction_group_code, interaction_template_code,
            campaign_no, campaign_entry_no, campaign_response, campaign_target, segment_no, evaluation,
            time_of_interaction, attempt_failed, task_no, salesperson_code, correspondence_type,
            contact_alt_address_code, logged_segment_entry_no, document_type, document_no, version_no,
            doc_no_occurrence, contact_via, send_word_docs_as_attmt, interaction_language_code, subject,
            opportunity_no, word_template_code, merged)
        SELECT contact_no, contact_company_no, date, description, information_flow, initiated_by, attachment_no,
            cost, duration, 'BENCH', interaction_group_code, interaction_template_code, campaign_no, \(campaignEntry),
            campaign_response, campaign_target, segment_no, evaluation, time_of_interaction, attempt_failed, task_no,
            salesperson_code, correspondence_type, contact_alt_address_code, \(loggedSegment), document_type,
            document_no, version_no, doc_no_occurrence, contact_via, send_word_docs_as_attmt, language_code, subject,
            opportunity_no, word_template_code, merged
        FROM segment_lines WHERE segment_no = '\(segment)' ORDER BY line_no
        """
    }

    /// Master data: 10% companies, 90% persons of those companies, a letter template with two language
    /// variants (attachments), a campaign, Segment Nos.
    private func loadFixtures(_ cluster: BenchCluster) throws {
        let companies = max(1, self.contacts / 10)
        let persons = self.contacts - companies
        let connection = try cluster.connect()
        defer { connection.close() }
        try connection.executeScript(
            """
            INSERT INTO salespeople (code, name, email) VALUES ('AH', 'Annette Hill', 'ah@rapport.example'),
                ('BO', 'Bob Olsen', 'bo@rapport.example');
            INSERT INTO number_series (code, description, starting_no, allow_manual)
                VALUES ('SEG', 'Segments', 'SEG00001', true);
            UPDATE marketing_setup SET segment_nos = 'SEG';
            INSERT INTO languages (code, name) VALUES ('ENU', 'English'), ('DEU', 'German');
            INSERT INTO interaction_groups (code, description) VALUES ('LETTER', 'Letters');
            INSERT INTO campaigns (no, description) VALUES ('CP1', 'Spring fair');
            INSERT INTO interaction_templates (code, interaction_group_code, description, unit_cost, unit_duration,
                    information_flow, initiated_by, correspondence_type)
                VALUES ('BUSLETTER', 'LETTER', 'Business letter', 8, 30, 'outbound', 'us', 'hard_copy');
            INSERT INTO attachments (file_name, file_extension, size_bytes, content)
                VALUES ('letter-enu.docx', 'docx', 4096, decode(repeat('ab', 4096), 'hex')),
                       ('letter-deu.docx', 'docx', 4096, decode(repeat('cd', 4096), 'hex'));
            INSERT INTO interaction_template_languages (template_code, language_code, description, attachment_no)
                VALUES ('BUSLETTER', 'ENU', 'Letter (English)', 1), ('BUSLETTER', 'DEU', 'Letter (German)', 2);
            UPDATE interaction_templates SET language_code_default = 'ENU' WHERE code = 'BUSLETTER';
            INSERT INTO contacts (no, type, name, email, salesperson_code, correspondence_type, country_code, post_code)
                SELECT 'CO' || lpad(i::text, 7, '0'), 'company', 'Company ' || i, 'info' || i || '@co.example', 'AH',
                       'hard_copy', 'DK', (1000 + i % 8000)::text
                FROM generate_series(1, \(companies)) i;
            INSERT INTO contacts (no, type, company_no, name, email, salesperson_code, language_code)
                SELECT 'PE' || lpad(i::text, 7, '0'), 'person', 'CO' || lpad(((i - 1) % \(companies) + 1)::text, 7, '0'),
                       'Person ' || i, 'p' || i || '@pe.example', CASE WHEN i % 2 = 0 THEN 'AH' ELSE 'BO' END,
                       CASE WHEN i % 3 = 0 THEN 'DEU' END
                FROM generate_series(1, \(persons)) i;
            """
        )
        try connection.execute("VACUUM ANALYZE")
    }

    static func value(_ response: Response, _ key: String) -> String? {
        for line in response.dataLines {
            for case .named(let name, let value) in line.tokens where name == key { return value }
        }
        return nil
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        return sorted.count % 2 == 1
            ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    static func format(_ seconds: Double) -> String {
        String(format: "%.2f s", seconds)
    }
}
