import LibPQ
import RapportClient
import RapportModel
import RapportProtocol
import RapportStore
import RapportTestSupport
import Testing

/// Issue 12: the running totals (sql/0016) commit with the ledger. After every write command (refusals,
/// rollbacks and group-committed batches included) a recomputation from the ledger finds no difference.
@Suite("Running totals", .serialized)
struct RunningTotalsTests {
    /// Fails the test with the differences, if any, and says after which step.
    private static func expectAgree(
        _ kit: SegmentKit,
        after step: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let differences = try await kit.sql(
            "SELECT kind, key, day::text, ledger, totals FROM rapport_totals_differences()"
        )
        #expect(differences.isEmpty, "after \(step): \(differences)", sourceLocation: sourceLocation)
    }

    private static func entry(_ response: Response) -> String? { SegmentKit.value(response, "entry") }

    @Test func everyWriteCommandKeepsTheTotalsEqualToTheLedger() async throws {
        let kit = try await SegmentKit.start()
        try await kit.script(
            "INSERT INTO interaction_template_setup (event, template_code) VALUES ('sales_quote', 'CALL')"
        )
        var step = 0
        func run(_ verb: String, _ arguments: [Argument], refused: Bool = false) async throws -> Response {
            step += 1
            let response = try await kit.send(verb, arguments + [.named("idem", "totals-\(step)")])
            if case .error(let code, let text) = response.final {
                #expect(refused, "\(verb): \(code) \(text)")
            } else {
                #expect(!refused, "\(verb) should have been refused")
            }
            try await Self.expectAgree(kit, after: "\(verb) \(arguments)")
            return response
        }

        let call = try await run("INTERACTION-CREATE", [.named("contact", "P11"), .named("template", "CALL")])
        let first = try #require(Self.entry(call))
        _ = try await run("INTERACTION-CREATE", [.named("contact", "P12"), .named("template", "CALL")])
        _ = try await run(
            "INTERACTION-CREATE",
            [
                .named("contact", "C1"), .named("template", "CALL"), .named("campaign", "CP1"),
                .named("campaign-response", "true"), .named("successful", "false"), .named("cost", "2.50"),
                .named("date", "2025-02-28"),
            ]
        )
        _ = try await run("INTERACTION-CREATE", [.named("contact", "NOPE"), .named("template", "CALL")], refused: true)
        _ = try await run(
            "INTERACTION-CREATE",
            [.named("contact", "P0"), .named("template", "CALL"), .named("cost", "-1")],
            refused: true
        )
        let postponed = try #require(
            Self.entry(
                try await run(
                    "INTERACTION-CREATE",
                    [.named("contact", "P0"), .named("template", "CALL"), .named("postpone", "true")]
                )
            )
        )
        _ = try await run("POSTPONED-RESUME", [.positional(postponed), .named("duration", "42")])
        let second = try #require(
            Self.entry(
                try await run(
                    "INTERACTION-CREATE",
                    [.named("contact", "C2"), .named("template", "CALL"), .named("postpone", "true")]
                )
            )
        )
        _ = try await run("POSTPONED-DELETE", [.named("entries", second)])
        _ = try await run("LOG-EVALUATE", [.named("entries", first), .named("evaluation", "positive")])
        _ = try await run("LOG-COMMENT-ADD", [.positional(first), .named("comment", "called back")])
        _ = try await run("LOG-CANCEL", [.named("entries", first)])
        _ = try await run("LOG-UNCANCEL", [.named("entries", first)])
        _ = try await run("LOG-CANCEL", [.named("entries", "\(first),\(postponed)")])
        _ = try await run("LOG-DELETE-CANCELED", [.named("entries", first)])
        _ = try await run(
            "DOCUMENT-LOG",
            [.named("document-type", "sales_quote"), .named("document-no", "Q-1"), .named("contact", "C2")]
        )

        // Phone calls and completed tasks log through the setup's templates (issue 13).
        _ = try await kit.ok("SETUP-SET", [.named("event", "outgoing_call"), .named("template", "CALL")])
        _ = try await run(
            "PHONE-CALL",
            [
                .named("contact", "P0"), .named("phone", "+45 1234 5678"), .named("successful", "false"),
                .named("new-opportunity", "Follow-up demo"),
            ]
        )
        let task = try #require(
            SegmentKit.value(
                try await run(
                    "TASK-CREATE",
                    [.named("type", "phone_call"), .named("contact", "P0"), .named("description", "Call back")]
                ),
                "task"
            )
        )
        _ = try await run("TASK-COMPLETE", [.positional(task), .named("duration", "7")])

        // A segment with a follow-up, its cancel, un-cancel and deletion.
        let seg = try await SegmentLoggingTests.letterSegment(kit)
        let logged = try #require(
            SegmentKit.value(
                try await run(
                    "LOG-SEGMENT",
                    [.positional(seg), .named("follow-up", "true"), .named("deliver", "false")]
                ),
                "logged-segment"
            )
        )
        let stats = try await kit.ok("STATS", [.named("contact", "C1")])
        // C1's failed call, P12's call, the segment's lines for C1 and P11.
        #expect(SegmentKit.value(stats, "count") == "4")
        _ = try await run("LOGGED-SEGMENT-CANCEL", [.named("logged-segments", logged)])
        _ = try await run("LOGGED-SEGMENT-UNCANCEL", [.named("logged-segments", logged)])
        _ = try await run("LOGGED-SEGMENT-CANCEL", [.named("logged-segments", logged)])
        _ = try await run("LOGGED-SEGMENT-DELETE-CANCELED", [.named("logged-segments", logged)])

        // A LOG-SEGMENT that fails part-way rolls its entries and their totals back together.
        let failing = try await SegmentLoggingTests.letterSegment(kit, description: "Refused")
        try await kit.script(
            """
            CREATE FUNCTION test_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'disk full (test)' USING ERRCODE = '53100'; END $$;
            CREATE TRIGGER test_refuse BEFORE INSERT ON segment_history
                FOR EACH STATEMENT EXECUTE FUNCTION test_refuse();
            """
        )
        _ = try await run("LOG-SEGMENT", [.positional(failing), .named("follow-up", "true")], refused: true)
        try await kit.script("DROP TRIGGER test_refuse ON segment_history")

        // Deleting a person re-points its entries to the company (reference 3.12 R7).
        _ = try await run("CONTACT-DELETE", [.positional("P12")])
        try await kit.stop()
    }

    /// Sessions logging at once share group-committed batches; one refused command in a batch rolls back
    /// alone, and all of them hit the same hot keys (template, group, salesperson, company).
    @Test func groupCommittedBatchesOnHotKeysKeepTheTotalsEqualToTheLedger() async throws {
        let kit = try await SegmentKit.start()
        let sessions = try await withThrowingTaskGroup(of: RapportConnection.self) { group in
            for _ in 0..<8 { group.addTask { try await kit.session() } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, session) in sessions.enumerated() {
                group.addTask {
                    for round in 0..<10 {
                        let contact = index == 3 && round % 3 == 0 ? "NOPE" : "P11"
                        let response = try await session.send(
                            "INTERACTION-CREATE",
                            [
                                .named("contact", contact), .named("template", "CALL"),
                                .named("idem", "hot-\(index)-\(round)"),
                            ]
                        )
                        if case .error(let code, let text) = response.final {
                            #expect(contact == "NOPE", "\(code) \(text)")
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        try await Self.expectAgree(kit, after: "80 concurrent INTERACTION-CREATE")
        let stats = try await kit.ok("STATS", [.named("template", "CALL")])
        #expect(SegmentKit.value(stats, "count") == "76")
        for session in sessions { await session.close() }
        try await kit.stop()
    }

    /// `rapportd stats` through the library: a damaged total is found, a rebuild repairs it, a compaction
    /// folds the slots of past days into one row and changes no sum.
    @Test func verifyFindsADamagedTotalAndRebuildAndCompactRepairIt() async throws {
        let kit = try await SegmentKit.start()
        for contact in ["P11", "C2", "C1"] {
            try await kit.ok(
                "INTERACTION-CREATE",
                [.named("contact", contact), .named("template", "CALL"), .named("date", "2025-01-10")]
            )
        }
        // a second backend writes its own slot of the same keys
        try await kit.script(
            """
            INSERT INTO interaction_log_entries (contact_no, contact_company_no, date, user_id, interaction_group_code,
                interaction_template_code, salesperson_code, cost, duration)
            VALUES ('P11', 'C1', '2025-01-10', 'MANAGER', 'PHONE', 'CALL', 'AH', 3, 4);
            UPDATE interaction_totals SET entries = entries + 5 WHERE kind = 'template-month';
            """
        )
        let damaged = try await kit.sql("SELECT kind, key FROM rapport_totals_differences()")
        #expect(damaged == [["template-month", "CALL"]])
        let database = kit.server.database
        try await TestPostgres.blocking {
            let connection = try database.connect()
            defer { connection.close() }
            let found = try RunningTotalsStore.differences(connection)
            #expect(found.map(\.kind) == ["template-month"])
        }
        let pool = PGPool(configuration: .init(connection: database.configuration(), size: 1))
        for family in RunningTotalsStore.Family.allCases {
            try await RunningTotalsStore.rebuild(pool, family) { _, _, _ in }
        }
        await pool.shutdown()
        try await Self.expectAgree(kit, after: "rebuild")
        // another backend, likely another slot of the same day's keys
        try await kit.script(
            """
            INSERT INTO interaction_log_entries (contact_no, contact_company_no, date, user_id, interaction_group_code,
                interaction_template_code, salesperson_code, cost, duration)
            VALUES ('C2', 'C2', '2025-01-10', 'MANAGER', 'PHONE', 'CALL', 'AH', 1, 1);
            """
        )
        try await TestPostgres.blocking {
            let connection = try database.connect()
            defer { connection.close() }
            _ = try RunningTotalsStore.compact(connection, before: "2025-02-01")
        }
        try await Self.expectAgree(kit, after: "compact")
        #expect(
            try await kit.scalar(
                "SELECT count(*)::text FROM interaction_totals WHERE kind = 'template' AND key = 'CALL' AND day = '2025-01-10'::date"
            ) == "1"
        )
        try await kit.stop()
    }

    /// sql/0023: a LOG-SEGMENT appends its contact and company totals as deltas in its own transaction;
    /// statistics, verify and rebuild see them, a compaction folds them into the totals, and every other
    /// write keeps upserting.
    @Test func aLogSegmentsContactTotalsAreDeltasUntilACompactionFoldsThem() async throws {
        let kit = try await SegmentKit.start()
        let deltas = "SELECT count(*)::text FROM interaction_totals_deltas"
        let before = try await kit.ok("STATS", [.named("contact", "C1")])
        let seg = try await SegmentLoggingTests.letterSegment(kit)
        let logged = try #require(
            SegmentKit.value(
                try await kit.ok(
                    "LOG-SEGMENT",
                    [.positional(seg), .named("follow-up", "true"), .named("deliver", "false")]
                ),
                "logged-segment"
            )
        )
        // C1 (a company), P11 (its person) and P0 (a person without company): one company row for C1 with
        // P11, one contact row per person, nothing else.
        #expect(
            try await kit.sql("SELECT kind, key FROM interaction_totals_deltas ORDER BY kind, key")
                == [["company", "C1"], ["contact", "P0"], ["contact", "P11"]]
        )
        #expect(
            try await kit.scalar(
                "SELECT count(*)::text FROM interaction_totals WHERE kind IN ('contact', 'company') AND day = '2025-03-14'"
            ) == "0"
        )
        try await Self.expectAgree(kit, after: "LOG-SEGMENT")
        let after = try await kit.ok("STATS", [.named("contact", "C1")])
        let counted = { (response: Response) in Int(SegmentKit.value(response, "count") ?? "") ?? -1 }
        #expect(counted(after) == counted(before) + 2)  // C1's own line and P11's
        #expect(
            try await kit.scalar("SELECT no_of_interactions::text FROM contact_statistics WHERE contact_no = 'P11'")
                == "1"
        )

        // Cancel (an UPDATE: upserted into the slots while the deltas hold the logging) and un-cancel.
        try await kit.ok("LOGGED-SEGMENT-CANCEL", [.named("logged-segments", logged)])
        try await Self.expectAgree(kit, after: "cancel")
        #expect(counted(try await kit.ok("STATS", [.named("contact", "C1")])) == counted(before))
        try await kit.ok("LOGGED-SEGMENT-UNCANCEL", [.named("logged-segments", logged)])
        try await Self.expectAgree(kit, after: "un-cancel")

        // Every other write upserts: no new deltas.
        try await kit.ok("INTERACTION-CREATE", [.named("contact", "P11"), .named("template", "CALL")])
        #expect(try await kit.scalar(deltas) == "3")
        try await Self.expectAgree(kit, after: "INTERACTION-CREATE")

        // A rebuild of the contacts replaces their deltas too; a second logging adds new ones.
        let database = kit.server.database
        let pool = PGPool(configuration: .init(connection: database.configuration(), size: 1))
        try await RunningTotalsStore.rebuild(pool, .contact) { _, _, _ in }
        await pool.shutdown()
        #expect(try await kit.sql("SELECT DISTINCT kind FROM interaction_totals_deltas") == [["company"]])
        try await Self.expectAgree(kit, after: "rebuild of the contacts")
        let second = try await SegmentLoggingTests.letterSegment(kit, description: "Second mailing")
        try await kit.ok("LOG-SEGMENT", [.positional(second), .named("deliver", "false")])
        try await Self.expectAgree(kit, after: "second LOG-SEGMENT")

        // A compaction folds every delta (whatever its day) into slot 0; no sum changes.
        try await TestPostgres.blocking {
            let connection = try database.connect()
            defer { connection.close() }
            _ = try RunningTotalsStore.compact(connection, before: "2025-01-01")
        }
        #expect(try await kit.scalar(deltas) == "0")
        try await Self.expectAgree(kit, after: "compact")
        // P11's call and the second mailing's two lines.
        #expect(counted(try await kit.ok("STATS", [.named("contact", "C1")])) == counted(after) + 3)
        try await kit.stop()
    }
}
