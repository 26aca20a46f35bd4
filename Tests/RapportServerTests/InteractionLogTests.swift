import LibPQ
import RapportClient
import RapportProtocol
import RapportTestSupport
import Testing

/// The interaction log (reference 3.11, 3.12) through the real server and PostgreSQL.
@Suite("Interactions: the log", .serialized)
struct InteractionLogTests {
    /// Inserts `count` entries for CO1 / PE1 spread over five dates (so many share a date), by SQL.
    static func seed(_ kit: InteractionKit, count: Int, salesperson: String = "AH") async throws {
        try await kit.sql(
            """
            INSERT INTO interaction_log_entries (contact_no, contact_company_no, date, description, user_id,
                interaction_group_code, interaction_template_code, salesperson_code, cost, duration)
            SELECT CASE WHEN g % 2 = 0 THEN 'CO1' ELSE 'PE1' END, 'CO1', DATE '2025-01-01' + (g % 5),
                   'seeded ' || g, 'ALICE', 'PHONE', 'CALL', '\(salesperson)', 1, 15
            FROM generate_series(1, \(count)) AS g
            """
        )
    }

    @Test func keysetPagesNeitherOverlapNorSkip() async throws {
        let kit = try await InteractionKit.start()
        try await Self.seed(kit, count: 57)
        // Postponed entries are never listed.
        try await kit.sql("UPDATE interaction_log_entries SET postponed = true WHERE entry_no IN (3, 30)")
        let expected = try await kit.rows(
            """
            SELECT e.entry_no::text FROM interaction_log_entries e WHERE NOT e.postponed
            ORDER BY e.date DESC, e.entry_no DESC
            """
        ).map { $0[0] }
        for filter in [
            [Argument](), [.named("company", "CO1")], [.named("salesperson", "AH")], [.named("template", "CALL")],
        ] {
            var seen: [String?] = []
            var after: String?
            var pages = 0
            repeat {
                var arguments = filter + [.named("limit", "10")]
                if let after { arguments.append(.named("next", after)) }
                let page = try await kit.bob.expectOK("LOG-LIST", arguments)
                seen += page.fields("entry")
                after = page.replyText.split(separator: " ").first { $0.hasPrefix("next=") }.map {
                    String($0.dropFirst("next=".count))
                }
                pages += 1
            } while after != nil && pages < 20
            #expect(seen == expected, "\(filter)")
            #expect(pages == 6, "55 entries in pages of 10, the last one without a cursor")
        }
        // A person's filter: only PE1's entries.
        let person = try await kit.bob.expectOK("LOG-LIST", [.named("contact", "PE1"), .named("limit", "1000")])
        #expect(Set(person.fields("contact")) == ["PE1"])
        #expect(person.field("company-name") == "Lee & Co" && person.field("contact-name") == "Ann Lee")
        // Date range and canceled filters.
        try await kit.sql("UPDATE interaction_log_entries SET canceled = true WHERE entry_no IN (1, 2)")
        let canceled = try await kit.bob.expectOK("LOG-LIST", [.named("canceled", "yes")])
        #expect(canceled.fields("entry") == ["2", "1"])
        let day = try await kit.bob.expectOK(
            "LOG-LIST",
            [.named("from", "2025-01-02"), .named("to", "2025-01-02"), .named("limit", "1000")]
        )
        #expect(Set(day.fields("date")) == ["2025-01-02"])
        try await kit.bob.expectRefused(.invalid, "LOG-LIST", [.named("next", "yesterday")])
        try await kit.stop()
    }

    @Test func cancelAndUncancelWithTheirGuards() async throws {
        let kit = try await InteractionKit.start()
        let first = try await kit.alice.logInteraction([.named("contact", "CO1"), .named("template", "CALL")])
        let second = try await kit.alice.logInteraction([.named("contact", "PE1"), .named("template", "LETTER")])
        // Bob may not cancel Alice's entries; nothing changes.
        let denied = try await kit.bob.expectRefused(.denied, "LOG-CANCEL", [.named("entries", "\(first),\(second)")])
        #expect(denied.contains("belongs to salesperson AH"))
        #expect(try await kit.count("SELECT count(*) FROM interaction_log_entries WHERE canceled") == 0)
        let canceled = try await kit.alice.expectOK("LOG-CANCEL", [.named("entries", "\(first),\(second)")])
        #expect(canceled.final == .ok("2 entries canceled"))
        #expect(try await kit.count("SELECT count(*) FROM interaction_log_entries WHERE canceled") == 2)
        // Canceling an entry leaves its campaign entry alone.
        #expect(try await kit.count("SELECT count(*) FROM campaign_entries WHERE canceled") == 0)
        let uncanceled = try await kit.alice.expectOK("LOG-UNCANCEL", [.named("entries", first)])
        #expect(uncanceled.final == .ok("1 entry uncanceled"))
        #expect(try await kit.entry(first, "canceled::text") == ["false"])

        // A canceled logged segment blocks un-canceling its entries.
        try await kit.sql(
            """
            INSERT INTO logged_segments (segment_no, description, user_id, canceled)
                VALUES ('SEG01', 'Mailing', 'ALICE', true);
            UPDATE interaction_log_entries SET logged_segment_entry_no = (SELECT entry_no FROM logged_segments),
                canceled = true WHERE entry_no = \(first);
            """
        )
        let segment = try await kit.value("SELECT entry_no::text FROM logged_segments")!
        #expect(
            try await kit.manager.expectRefused(.invalid, "LOG-UNCANCEL", [.named("entries", first)])
                .hasPrefix(
                    "Canceled must be equal to 'No' in Logged Segment: Entry No.=\(segment). Current value is 'Yes': un-cancel"
                )
        )
        // So does a canceled campaign entry (the second entry has the LETTER campaign's entry).
        let campaignEntry = try await kit.entry(second, "campaign_entry_no::text")[0]!
        try await kit.sql("UPDATE campaign_entries SET canceled = true")
        #expect(
            try await kit.manager.expectRefused(.invalid, "LOG-UNCANCEL", [.named("entries", second)])
                .hasPrefix(
                    "Canceled must be equal to 'No' in Campaign Entry: Entry No.=\(campaignEntry). Current value is 'Yes': un-cancel"
                )
        )
        #expect(try await kit.count("SELECT count(*) FROM interaction_log_entries WHERE canceled") == 2)
        try await kit.sql("UPDATE campaign_entries SET canceled = false; UPDATE logged_segments SET canceled = false")
        try await kit.manager.expectOK("LOG-UNCANCEL", [.named("entries", "\(first),\(second)")])
        #expect(try await kit.count("SELECT count(*) FROM interaction_log_entries WHERE canceled") == 0)
        try await kit.alice.expectRefused(.notFound, "LOG-CANCEL", [.named("entries", "424242")])
        try await kit.stop()
    }

    @Test func cancelingCanRemoveUniqueAttachments() async throws {
        let kit = try await InteractionKit.start()
        let unique = try await kit.alice.logInteraction([.named("contact", "CO1"), .named("template", "MAIL")])
        let shared = try await kit.alice.logInteraction([.named("contact", "PE1"), .named("template", "MAIL")])
        let other = try await kit.alice.logInteraction([.named("contact", "CO1"), .named("template", "CALL")])
        // Make the third entry share the second one's attachment.
        try await kit.sql(
            """
            UPDATE interaction_log_entries SET attachment_no = (SELECT attachment_no FROM interaction_log_entries
                WHERE entry_no = \(shared)) WHERE entry_no = \(other)
            """
        )
        let uniqueAttachment = try await kit.entry(unique, "attachment_no::text")[0]!
        let reply = try await kit.alice.expectOK(
            "LOG-CANCEL",
            [.named("entries", "\(unique),\(shared)"), .named("remove-attachments", "true")]
        )
        #expect(reply.field("attachments-removed") == "1")
        #expect(try await kit.entry(unique, "attachment_no, canceled::text") == [nil, "true"])
        #expect(try await kit.count("SELECT count(*) FROM attachments WHERE no = \(uniqueAttachment)") == 0)
        #expect(try await kit.entry(shared, "(attachment_no IS NOT NULL)::text")[0] == "true", "shared: kept")
        try await kit.stop()
    }

    @Test func deleteCanceledRemovesOnlyCanceledEntries() async throws {
        let kit = try await InteractionKit.start()
        try await Self.seed(kit, count: 6)
        try await kit.sql(
            """
            UPDATE interaction_log_entries SET canceled = true WHERE entry_no IN (1, 2, 3);
            INSERT INTO interaction_log_entry_comments (entry_no, line_no, comment) VALUES (1, 10000, 'bye'),
                (4, 10000, 'stays');
            """
        )
        // Salespeople may not run it.
        try await kit.alice.expectRefused(.denied, "LOG-DELETE-CANCELED", [.named("dry-run", "true")])
        // Entry 1 and 3 are PE1's (odd), 2 is CO1's.
        let dry = try await kit.manager.expectOK(
            "LOG-DELETE-CANCELED",
            [.named("contact", "PE1"), .named("dry-run", "true")]
        )
        #expect(dry.field("matching") == "2" && dry.field("deleted") == "0")
        #expect(try await kit.count("SELECT count(*) FROM interaction_log_entries") == 6, "a dry run deletes nothing")
        let filtered = try await kit.manager.expectOK("LOG-DELETE-CANCELED", [.named("entries", "1,4,5")])
        #expect(filtered.final == .ok("1 entry deleted"))
        let rest = try await kit.manager.expectOK("LOG-DELETE-CANCELED", [.named("idem", "del-1")])
        #expect(rest.final == .ok("2 entries deleted"))
        #expect(
            try await kit.rows("SELECT entry_no::text, canceled::text FROM interaction_log_entries ORDER BY 1")
                == [["4", "false"], ["5", "false"], ["6", "false"]]
        )
        #expect(try await kit.rows("SELECT entry_no::text FROM interaction_log_entry_comments") == [["4"]])
        try await kit.stop()
    }

    @Test func showEvaluateAndComments() async throws {
        let kit = try await InteractionKit.start()
        let entry = try await kit.alice.logInteraction([
            .named("contact", "PE1"), .named("template", "LETTER"), .named("comment", "first"),
        ])
        let evaluated = try await kit.alice.expectOK(
            "LOG-EVALUATE",
            [.named("entries", entry), .named("evaluation", "very_negative")]
        )
        #expect(evaluated.final == .ok("1 entry evaluated"))
        try await kit.bob.expectRefused(
            .denied,
            "LOG-EVALUATE",
            [.named("entries", entry), .named("evaluation", "neutral")]
        )
        try await kit.bob.expectRefused(.denied, "LOG-COMMENT-ADD", [.positional(entry), .named("comment", "mine")])
        let added = try await kit.alice.expectOK(
            "LOG-COMMENT-ADD",
            [
                .positional(entry), .named("comment", "second"), .named("comment-code", "info"),
                .named("date", "2025-02-03"),
            ]
        )
        #expect(
            added.field("line") == "20000" && added.field("date") == "2025-02-03"
                && added.field("comment-code") == "INFO"
        )
        // Everyone may read the log.
        let shown = try await kit.bob.expectOK("LOG-SHOW", [.positional(entry)])
        #expect(shown.field("evaluation") == "very_negative")
        #expect(shown.field("contact-name") == "Ann Lee" && shown.field("company") == "CO1")
        #expect(shown.field("campaign") == "CP01" && shown.field("has-comments") == "true")
        #expect(shown.dataLines.count == 1 && shown.final == .ok("1 entry"))
        // The display title: template description, by the salesperson (outbound) or from the contact (inbound).
        #expect(shown.field("title") == "Business letter - by Annette Hill")
        try await kit.sql("UPDATE interaction_templates SET information_flow = 'inbound' WHERE code = 'LETTER'")
        let listed = try await kit.bob.expectOK("LOG-LIST", [.named("contact", "PE1")])
        #expect(listed.field("title") == "Business letter - from Ann Lee")
        #expect(listed.dataLines[0].tokens.count == shown.dataLines[0].tokens.count)
        let comments = try await kit.bob.expectOK("LOG-COMMENT-LIST", [.named("entry", entry)])
        #expect(comments.fields("line") == ["10000", "20000"])
        #expect(comments.fields("comment") == ["first", "second"])
        try await kit.bob.expectRefused(.notFound, "LOG-SHOW", [.positional("99999")])
        try await kit.stop()
    }
    /// Later pages start inside the index: the keyset row comparison is an index condition of the contact,
    /// company, salesperson and whole-log indexes (the query has the shape of InteractionLogReader.page).
    @Test func laterPagesSeekInTheIndex() async throws {
        let kit = try await InteractionKit.start()
        try await Self.seed(kit, count: 5000)
        try await kit.sql("ANALYZE interaction_log_entries")
        let cases = [
            ("e.contact_no = 'PE1' AND ", "interaction_log_entries_contact_idx"),
            ("e.contact_company_no = 'CO1' AND ", "interaction_log_entries_company_idx"),
            ("e.salesperson_code = 'AH' AND ", "interaction_log_entries_salesperson_idx"),
            ("", "interaction_log_entries_date_idx"),
        ]
        let database = kit.server.database
        for (filter, index) in cases {
            let plan = try await TestPostgres.blocking {
                let connection = try database.connect()
                defer { connection.close() }
                try connection.execute("SET enable_seqscan = off")
                return try connection.query(
                    PGQuery(
                        sql: """
                            EXPLAIN SELECT e.entry_no FROM interaction_log_entries e
                            WHERE NOT e.postponed AND \(filter)(e.date, e.entry_no) < ('2025-01-03'::date, 2000::bigint)
                            ORDER BY e.date DESC, e.entry_no DESC LIMIT 51
                            """
                    )
                ).map { try $0.decode(String.self, at: 0) }.joined(separator: "\n")
            }
            #expect(plan.contains("Scan using \(index)"), "\(plan)")
            #expect(plan.contains("ROW(date, entry_no) < ROW("), "\(plan)")
            #expect(!plan.contains("Sort"), "\(plan)")
        }
        try await kit.stop()
    }
}
