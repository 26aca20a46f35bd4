import LibPQ
import RapportClient
import RapportProtocol
import RapportStore
import RapportTestSupport
import Testing

/// The write path's costs, counted where they arise (LibPQ's counters of the server's pool): round
/// trips per command and statements parsed per connection; and the reply built without reading the
/// entry back, compared with what LOG-SHOW reads.
@Suite("Write path", .serialized)
struct WritePathTests {
    /// INTERACTION-CREATE with `idem=`: BEGIN, the claim and every read in one round trip, the entry,
    /// its attachment copy, comments, the reply's record and COMMIT in the second. Nothing is parsed
    /// again once the connection has seen the statement.
    @Test func interactionCreateWithAKeyCostsTwoRoundTripsAndParsesNothingTwice() async throws {
        let kit = try await InteractionKit.start(poolSize: 1)
        let counters = kit.server.store.pool.counters
        let shapes: [[Argument]] = [
            [.named("contact", "CO1"), .named("template", "CALL")],
            // A template language's attachment is copied for the entry (a number drawn in advance).
            [.named("contact", "CO1"), .named("template", "MAIL")],
            [.named("contact", "PE1"), .named("template", "CALL"), .named("comment", "asked for a quote")],
        ]
        var key = 0
        for shape in shapes {
            // The first of each shape prepares its statements on the pool's one connection.
            key += 1
            try await kit.alice.expectOK("INTERACTION-CREATE", shape + [.named("idem", "warm-\(key)")])
            let before = counters.values
            try await kit.alice.expectOK("INTERACTION-CREATE", shape + [.named("idem", "measured-\(key)")])
            let after = counters.values
            #expect(after.roundTrips - before.roundTrips == 2, "round trips for \(shape)")
            #expect(after.prepares == before.prepares, "statements parsed again for \(shape)")
        }
        #expect(counters.values.preparesByText.values.allSatisfy { $0 == 1 }, "a statement was parsed twice")
        #expect(try await kit.count("SELECT count(*) FROM interaction_log_entries") == 6)
        try await kit.stop()
    }

    /// The log's short writes with `idem=`: the entries' check and lock with the key's look-up, the change
    /// with the key and COMMIT.
    @Test func logWritesWithAKeyCostTwoRoundTrips() async throws {
        let kit = try await InteractionKit.start(poolSize: 1)
        let counters = kit.server.store.pool.counters
        var entries: [String] = []
        for _ in 0..<4 {
            entries.append(try await kit.alice.logInteraction([.named("contact", "CO1"), .named("template", "CALL")]))
        }
        let commands: [(String, [Argument])] = [
            ("LOG-EVALUATE", [.named("entries", entries[0]), .named("evaluation", "positive")]),
            ("LOG-CANCEL", [.named("entries", entries[1])]),
            ("LOG-UNCANCEL", [.named("entries", entries[1])]),
            ("LOG-COMMENT-ADD", [.positional(entries[2]), .named("comment", "called back")]),
        ]
        var key = 0
        for (verb, arguments) in commands {
            key += 1
            try await kit.alice.expectOK(verb, arguments + [.named("idem", "warm-\(key)")])
            let before = counters.values
            try await kit.alice.expectOK(verb, arguments + [.named("idem", "measured-\(key)")])
            let after = counters.values
            #expect(after.roundTrips - before.roundTrips == 2, "round trips of \(verb)")
            #expect(after.prepares == before.prepares, "statements parsed again for \(verb)")
        }
        try await kit.stop()
    }

    /// The reply is built from what was written; it must say exactly what LOG-SHOW reads back.
    @Test func theReplyIsTheEntryAsStored() async throws {
        let kit = try await InteractionKit.start()
        try await kit.sql(
            """
            INSERT INTO contact_alt_addresses (contact_no, code, email, starting_date)
            VALUES ('PE1', 'HOME', 'ann@home.example', DATE '2000-01-01');
            """
        )
        let requests: [[Argument]] = [
            [.named("contact", "CO1"), .named("template", "CALL")],
            [.named("contact", "PE1"), .named("template", "MAIL"), .named("deliver", "true")],
            [.named("contact", "PE1"), .named("template", "LETTER"), .named("comment", "one\ntwo")],
            [
                .named("contact", "CO2"), .named("template", "NODESC"), .named("description", "Note"),
                .named("cost", "1.005"),
                .named("duration", "2.004"), .named("date", "2025-03-14"), .named("salesperson", "AH"),
            ],
            [.named("contact", "CO1"), .named("template", "CALL"), .named("postpone", "true")],
        ]
        for arguments in requests {
            let created = try await kit.alice.expectOK("INTERACTION-CREATE", arguments)
            let entry = try #require(created.field("entry"))
            let shown = try await kit.alice.expectOK("LOG-SHOW", [.positional(entry)])
            #expect(created.dataLines.first == shown.dataLines.first, "\(arguments)")
        }
        try await kit.stop()
    }

    /// DOCUMENT-LOG: the event's template and the account's contact, then every read of the checks, then
    /// the entry with the key and COMMIT; its line is the entry as LOG-SHOW reads it.
    @Test func documentLoggingCostsThreeRoundTripsAndRepliesTheStoredEntry() async throws {
        let kit = try await InteractionKit.start(poolSize: 1)
        try await kit.sql(
            "INSERT INTO interaction_template_setup (event, template_code) VALUES ('sales_invoice', 'S_INV')"
        )
        let counters = kit.server.store.pool.counters
        func log(_ number: Int) async throws -> Response {
            try await kit.manager.expectOK(
                "DOCUMENT-LOG",
                [
                    .named("document-type", "sales_invoice"), .named("document-no", "PSI-\(number)"),
                    .named("customer", "C10000"), .named("salesperson", "AH"), .named("idem", "doc-\(number)"),
                ]
            )
        }
        _ = try await log(1)
        let before = counters.values
        let logged = try await log(2)
        let after = counters.values
        #expect(after.roundTrips - before.roundTrips == 3)
        #expect(after.prepares == before.prepares)
        let entry = try #require(logged.field("entry"))
        let shown = try await kit.manager.expectOK("LOG-SHOW", [.positional(entry)])
        #expect(logged.dataLines.first == shown.dataLines.first)
        try await kit.stop()
    }

    /// A used key: the body's statements ran in the claim's round trip, but are rolled back; the
    /// first reply comes back and nothing is written twice.
    @Test func aReplayedKeyWritesNothing() async throws {
        let kit = try await InteractionKit.start()
        let arguments: [Argument] = [.named("contact", "CO1"), .named("template", "LETTER"), .named("idem", "r-1")]
        let first = try await kit.alice.expectOK("INTERACTION-CREATE", arguments)
        let again = try await kit.alice.expectOK("INTERACTION-CREATE", arguments)
        #expect(first == again)
        #expect(try await kit.count("SELECT count(*) FROM interaction_log_entries") == 1)
        #expect(try await kit.count("SELECT count(*) FROM campaign_entries") == 1)
        try await kit.stop()
    }
}
