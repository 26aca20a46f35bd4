import LibPQ
import RapportClient
import RapportProtocol
import RapportTestSupport
import Testing

/// Document logging (reference 3.15) and statistics (section 4) through the real server and PostgreSQL.
@Suite("Interactions: documents and statistics", .serialized)
struct InteractionDocumentAndStatisticsTests {
    @Test func documentLoggingWithAndWithoutATemplateInTheSetup() async throws {
        let kit = try await InteractionKit.start()
        let invoice: [Argument] = [
            .named("document-type", "sales_invoice"), .named("document-no", "PSI-1"), .named("customer", "C10000"),
            .named("campaign", "CP02"), .named("occurrence", "1"), .named("version", "2"),
        ]
        // No template for the event: nothing logged, no error.
        let skipped = try await kit.manager.expectOK("DOCUMENT-LOG", invoice)
        #expect(
            skipped.final
                == .ok("nothing logged: no template is set up for sales_invoice in the interaction template setup")
        )
        #expect(try await kit.count("SELECT count(*) FROM interaction_log_entries") == 0)

        try await kit.sql(
            "INSERT INTO interaction_template_setup (event, template_code) VALUES ('sales_invoice', 'S_INV')"
        )
        let logged = try await kit.manager.expectOK("DOCUMENT-LOG", invoice)
        let entry = logged.field("entry")!
        #expect(
            try await kit.entry(
                entry,
                """
                contact_no, contact_company_no, interaction_template_code, interaction_group_code, description,
                (date = CURRENT_DATE)::text, salesperson_code, cost::text, document_type, document_no,
                doc_no_occurrence::text, version_no::text, campaign_no, delivery_status, postponed::text, user_id
                """
            ) == [
                "CO1", "CO1", "S_INV", "DOC", "Invoice", "true", nil, "8.00", "sales_invoice", "PSI-1", "1", "2",
                "CP02", nil, "false", "MANAGER",
            ]
        )
        #expect(
            try await kit.rows("SELECT description, document_type FROM campaign_entries")
                == [["Sales Invoices", "sales_invoice"]]
        )
        // A contact account: its salesperson when none is passed; a description passed wins.
        let forPerson = try await kit.manager.expectOK(
            "DOCUMENT-LOG",
            [
                .named("document-type", "sales_invoice"), .named("document-no", "PSI-2"), .named("contact", "PE1"),
                .named("description", "Invoice PSI-2"), .named("campaign", "CP02"),
            ]
        )
        #expect(
            try await kit.entry(forPerson.field("entry")!, "salesperson_code, description, campaign_entry_no::text")
                == ["BB", "Invoice PSI-2", try await kit.entry(entry, "campaign_entry_no::text")[0]]
        )
        // An account without a contact: nothing logged.
        let unknown = try await kit.manager.expectOK(
            "DOCUMENT-LOG",
            [.named("document-type", "sales_invoice"), .named("customer", "C99999")]
        )
        #expect(unknown.final == .ok("nothing logged: no contact is linked to customer C99999"))
        // A template with language rows is refused.
        try await kit.sql(
            "INSERT INTO interaction_template_setup (event, template_code) VALUES ('sales_quote', 'S_QTE')"
        )
        #expect(
            try await kit.manager.expectRefused(
                .invalid,
                "DOCUMENT-LOG",
                [.named("document-type", "sales_quote"), .named("document-no", "SQ-1"), .named("vendor", "V20000")]
            )
            .hasPrefix(
                "Interaction Template S_QTE has assigned Interaction Template Language ENU. It is not allowed to have languages assigned to templates used for system document logging: "
            )
        )
        try await kit.manager.expectRefused(
            .badArguments,
            "DOCUMENT-LOG",
            [.named("document-type", "sales_invoice"), .named("contact", "PE1"), .named("customer", "C10000")]
        )
        try await kit.alice.expectRefused(.denied, "DOCUMENT-LOG", invoice)
        #expect(try await kit.count("SELECT count(*) FROM interaction_log_entries") == 2)
        try await kit.stop()
    }

    @Test func statisticsFollowTheReference() async throws {
        let kit = try await InteractionKit.start()
        // CO1 and its person PE1; CALL costs 1 / 15 minutes, LETTER 8 / 30.
        try await kit.sql(
            """
            INSERT INTO interaction_log_entries (contact_no, contact_company_no, date, user_id, interaction_group_code,
                interaction_template_code, salesperson_code, cost, duration, initiated_by, canceled, postponed,
                attempt_failed) VALUES
              ('CO1', 'CO1', '2025-01-10', 'ALICE', 'PHONE', 'CALL', 'AH', 1, 15, 'us', false, false, false),
              ('PE1', 'CO1', '2025-02-10', 'ALICE', 'LETTER', 'LETTER', 'AH', 8, 30, 'them', false, false, false),
              ('PE1', 'CO1', '2025-03-10', 'ALICE', 'PHONE', 'CALL', 'BB', 1, 15, 'us', true, false, false),
              ('PE1', 'CO1', '2025-04-10', 'ALICE', 'PHONE', 'CALL', 'BB', 1, 15, 'us', false, false, true),
              ('PE1', 'CO1', '2025-05-10', 'ALICE', 'PHONE', 'CALL', 'BB', 1, 15, 'us', false, true, false);
            """
        )
        func stats(_ arguments: [Argument]) async throws -> [String?] {
            let reply = try await kit.bob.expectOK("STATS", arguments)
            return ["count", "cost", "duration", "last-interaction", "last-attempted"].map { reply.field($0) }
        }
        // The company includes its person; canceled and postponed do not count; the failed attempt does.
        // Last interaction: canceled counts, the failed attempt and the postponed one do not.
        // Last attempted: initiated by us, failed and canceled included, postponed not.
        #expect(
            try await stats([.named("contact", "CO1")])
                == ["3", "10.00", "60.00", "2025-03-10", "2025-04-10"]
        )
        #expect(try await stats([.named("contact", "PE1")]) == ["2", "9.00", "45.00", "2025-03-10", "2025-04-10"])
        #expect(
            try await stats([.named("contact", "CO1"), .named("from", "2025-02-01"), .named("to", "2025-12-31")])
                == ["2", "9.00", "45.00", "2025-03-10", "2025-04-10"]
        )
        #expect(try await stats([.named("template", "CALL")]) == ["2", "2.00", "30.00", nil, nil])
        #expect(try await stats([.named("group", "LETTER")]) == ["1", "8.00", "30.00", nil, nil])
        #expect(try await stats([.named("salesperson", "BB")]) == ["1", "1.00", "15.00", nil, nil])
        #expect(try await stats([.named("salesperson", "CC")]) == ["0", "0.00", "0.00", nil, nil])
        try await kit.bob.expectRefused(.badArguments, "STATS", [])
        try await kit.bob.expectRefused(.notFound, "STATS", [.named("template", "NOPE")])
        try await kit.stop()
    }

    /// STATS reads the running totals (month rows for whole months, day rows for the ends of a range): for
    /// every subject and every kind of range it answers exactly what a scan of the ledger answers.
    @Test func statisticsFromTheTotalsMatchTheLedgerForAnyRange() async throws {
        let kit = try await InteractionKit.start()
        try await kit.sql(
            """
            INSERT INTO contacts (no, type, name) SELECT 'X' || g, 'company', 'Company ' || g
            FROM generate_series(1, 20) AS g;
            INSERT INTO contacts (no, type, name, company_no) SELECT 'XP' || g, 'person', 'Person ' || g, 'X7'
            FROM generate_series(1, 5) AS g;
            INSERT INTO interaction_log_entries (contact_no, contact_company_no, date, user_id, interaction_group_code,
                interaction_template_code, salesperson_code, cost, duration, canceled, postponed, attempt_failed,
                initiated_by)
            SELECT CASE WHEN g % 7 = 0 THEN 'XP' || (g % 5 + 1) ELSE 'X' || (g % 20 + 1) END,
                   CASE WHEN g % 7 = 0 THEN 'X7' ELSE 'X' || (g % 20 + 1) END,
                   DATE '2024-01-01' + (g % 700), 'ALICE',
                   (ARRAY['PHONE', 'LETTER', 'DOC'])[g % 3 + 1],
                   (ARRAY['CALL', 'LETTER', 'MAIL', 'PLAIN', 'OPENER', 'NODESC', 'S_INV', 'S_QTE'])[g % 8 + 1],
                   (ARRAY['AH', 'BB', 'CC'])[g % 3 + 1], g % 13, g % 17, g % 10 = 0, g % 50 = 0, g % 11 = 0,
                   (ARRAY['us', 'them'])[g % 2 + 1]::enum_initiated_by
            FROM generate_series(1, 5000) AS g;
            """
        )
        let subjects = [
            ("template", "CALL", "interaction_template_code = 'CALL'"),
            ("group", "PHONE", "interaction_group_code = 'PHONE'"),
            ("salesperson", "AH", "salesperson_code = 'AH'"),
            ("contact", "X7", "contact_company_no = 'X7'"),
            ("contact", "XP3", "contact_no = 'XP3'"),
        ]
        let ranges: [(String?, String?)] = [
            (nil, nil), ("2024-03-01", "2024-09-30"), ("2024-03-15", "2025-02-10"), ("2024-02-29", nil),
            (nil, "2024-12-31"), (nil, "2025-01-30"), ("2024-05-07", "2024-05-07"), ("2024-05-10", "2024-05-20"),
            ("2024-06-01", "2024-06-30"), ("2025-03-01", "2024-03-01"),
        ]
        let database = kit.server.database
        for (name, key, condition) in subjects {
            for (from, to) in ranges {
                var arguments: [Argument] = [.named(name, key)]
                var range = ""
                if let from {
                    arguments.append(.named("from", from))
                    range += " AND date >= '\(from)'"
                }
                if let to {
                    arguments.append(.named("to", to))
                    range += " AND date <= '\(to)'"
                }
                let reply = try await kit.bob.expectOK("STATS", arguments)
                let dates = range
                let expected = try await TestPostgres.blocking {
                    let connection = try database.connect()
                    defer { connection.close() }
                    let row = try connection.query(
                        PGQuery(
                            sql: """
                                SELECT count(*)::text, coalesce(sum(cost), 0)::numeric(18,2)::text,
                                       coalesce(sum(duration), 0)::numeric(18,2)::text
                                FROM interaction_log_entries
                                WHERE \(condition) AND NOT canceled AND NOT postponed\(dates)
                                """
                        )
                    )[0]
                    return try (0..<3).map { try row.decode(String.self, at: $0) }
                }
                #expect(
                    [reply.field("count"), reply.field("cost"), reply.field("duration")] == expected,
                    "\(name)=\(key) from \(from ?? "-") to \(to ?? "-")"
                )
            }
        }
        try await kit.stop()
    }
}
