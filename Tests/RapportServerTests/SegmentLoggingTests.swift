import LibPQ
import RapportClient
import RapportModel
import RapportProtocol
import RapportTestSupport
import Testing

/// Reference 3.8 and 3.10 through the real server: Log Segment (all or nothing, races, dry run, follow-up)
/// and logged segments (cancel, un-cancel, delete canceled).
@Suite("Segment logging", .serialized)
struct SegmentLoggingTests {
    /// A segment for the letter template and campaign CP1 with lines for C1, P11 and P0.
    static func letterSegment(_ kit: SegmentKit, description: String = "Spring mailing") async throws -> String {
        let seg = try await kit.segment([
            .named("description", description), .named("template", "BUSLETTER"), .named("campaign", "CP1"),
            .named("date", "2025-03-14"),
        ])
        try await kit.ok("SEGMENT-ADD-CONTACTS", [.positional(seg), .named("contact", "C1|P11|P0")])
        return seg
    }

    @Test func loggingWritesEntriesWithOverridesCampaignEntryAndFollowUp() async throws {
        let kit = try await SegmentKit.start()
        let seg = try await Self.letterSegment(kit)
        #expect(try await kit.contacts(seg) == ["P0", "C1", "P11"])
        try await kit.ok(
            "SEGMENT-LINE-SET",
            [.positional(seg), .positional("10000"), .named("cost", "3.25"), .named("evaluation", "neutral")]
        )
        try await kit.ok(
            "SEGMENT-LINE-SET",
            [
                .positional(seg), .positional("20000"), .named("description", "For Alpha"),
                .named("salesperson", "BO"), .named("duration", "45"),
            ]
        )
        try await kit.ok(
            "SEGMENT-LINE-SET",
            [.positional(seg), .positional("30000"), .named("template", "CALL"), .named("campaign", "CP2")]
        )
        let reply = try await kit.ok(
            "LOG-SEGMENT",
            [.positional(seg), .named("follow-up", "true"), .named("deliver", "false")]
        )
        #expect(reply.final == .ok(SegmentMessages.logged(seg)))
        let logged = try #require(SegmentKit.value(reply, "logged-segment"))
        #expect(SegmentKit.value(reply, "entries") == "3")
        #expect(SegmentKit.value(reply, "cost") == "12.25")
        #expect(SegmentKit.value(reply, "campaign-entries") == "2")
        let followUp = try #require(SegmentKit.value(reply, "follow-up"))

        #expect(
            try await kit.sql("SELECT segment_no, description, user_id, canceled::text FROM logged_segments")
                == [[seg, "Spring mailing", "MANAGER", "false"]]
        )
        let entries = try await kit.sql(
            """
            SELECT e.contact_no, e.contact_company_no, e.date::text, e.description, e.cost::text, e.duration::text,
                   e.salesperson_code, e.interaction_template_code, e.interaction_group_code, e.evaluation,
                   e.campaign_no, ce.register_no::text, e.segment_no, e.logged_segment_entry_no::text,
                   e.correspondence_type, e.interaction_language_code, (e.attachment_no IS NOT NULL)::text,
                   e.user_id, e.delivery_status
            FROM interaction_log_entries e
            LEFT JOIN campaign_entries ce ON ce.entry_no = e.campaign_entry_no
            ORDER BY e.entry_no
            """
        )
        #expect(
            entries == [
                [
                    "P0", nil, "2025-03-14", "Spring mailing", "3.25", "30.00", "AH", "BUSLETTER", "LETTER", "neutral",
                    "CP1", logged, seg, logged, "hard_copy", "ENU", "true", "MANAGER", nil,
                ],
                [
                    "C1", "C1", "2025-03-14", "For Alpha", "8.00", "45.00", "BO", "BUSLETTER", "LETTER", nil, "CP1",
                    logged, seg, logged, "hard_copy", "ENU", "true", "MANAGER", nil,
                ],
                [
                    "P11", "C1", "2025-03-14", "Outgoing call", "1.00", "15.00", "AH", "CALL", "PHONE", nil, "CP2",
                    logged, seg, logged, nil, nil, "false", "MANAGER", nil,
                ],
            ]
        )
        #expect(
            try await kit.sql(
                """
                SELECT campaign_no, description, date::text, segment_no, register_no::text, user_id
                FROM campaign_entries ORDER BY campaign_no
                """
            ) == [
                ["CP1", "Spring mailing", "2025-03-14", seg, logged, "MANAGER"],
                ["CP2", "Spring mailing", "2025-03-14", seg, logged, "MANAGER"],
            ]
        )
        // The segment is gone; its logged attachments are read-only and still there.
        #expect(try await kit.scalar("SELECT count(*)::text FROM segment_headers WHERE no = '\(seg)'") == "0")
        #expect(
            try await kit.scalar(
                """
                SELECT bool_and(a.read_only)::text FROM interaction_log_entries e JOIN attachments a ON a.no = e.attachment_no
                """
            ) == "true"
        )
        // The follow-up: same contacts, one line per logged entry, the old campaign, recorded as reuse.
        #expect(try await kit.contacts(followUp) == ["P0", "C1", "P11"])
        #expect(
            try await kit.sql(
                "SELECT description, campaign_no, created_by FROM segment_headers WHERE no = '\(followUp)'"
            )
                == [["Follow-up on segment \(seg)", "CP1", "MANAGER"]]
        )
        #expect(
            try await kit.sql(
                "SELECT campaign_no FROM segment_lines WHERE segment_no = '\(followUp)' ORDER BY line_no"
            ) == [["CP1"], ["CP1"], ["CP2"]]
        )
        let criteria = try await kit.ok("SEGMENT-CRITERIA", [.positional(followUp)])
        #expect(
            SegmentKit.values(criteria, "text") == [
                "Add Contacts (Allow Existing Contacts)", "Interaction Log Entry: Logged Segment Entry No. = \(logged)",
            ]
        )
        // The logged segment shows its counts and campaign entries.
        let shown = try await kit.ok("LOGGED-SEGMENT-SHOW", [.positional(logged)])
        #expect(SegmentKit.value(shown, "interactions") == "3")
        #expect(SegmentKit.value(shown, "campaigns") == "CP1,CP2")
        try await kit.stop()
    }

    @Test func twoSessionsLoggingTheSameSegmentAtOnceExactlyOneWins() async throws {
        let kit = try await SegmentKit.start()
        let first = try await kit.session()
        let second = try await kit.session()
        for round in 0..<20 {
            let seg = try await Self.letterSegment(kit, description: "Race \(round)")
            async let a = first.send("LOG-SEGMENT", [.positional(seg), .named("deliver", "false")])
            async let b = second.send("LOG-SEGMENT", [.positional(seg), .named("deliver", "false")])
            let replies = try await [a, b]
            let wins = replies.filter { $0.final == .ok(SegmentMessages.logged(seg)) }
            let losses = replies.compactMap { SegmentKit.error($0, .conflict) }
            #expect(wins.count == 1, "round \(round): \(replies.map(\.final))")
            #expect(losses == [SegmentMessages.alreadyLogged(seg)], "round \(round): \(replies.map(\.final))")
            #expect(
                try await kit.sql(
                    """
                    SELECT (SELECT count(*) FROM logged_segments WHERE segment_no = '\(seg)')::text,
                           (SELECT count(*) FROM interaction_log_entries WHERE segment_no = '\(seg)')::text
                    """
                ) == [["1", "3"]]
            )
        }
        await first.close()
        await second.close()
        try await kit.stop()
    }

    @Test func aLoggingThatFailsPartWayLeavesNothingBehind() async throws {
        let kit = try await SegmentKit.start()
        let seg = try await Self.letterSegment(kit)
        // The follow-up is the last step: make its history insert fail after everything else was written.
        try await kit.script(
            """
            CREATE FUNCTION test_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'disk full (test)' USING ERRCODE = '53100'; END $$;
            CREATE TRIGGER test_refuse BEFORE INSERT ON segment_history
                FOR EACH STATEMENT EXECUTE FUNCTION test_refuse();
            """
        )
        let failed = try await kit.send("LOG-SEGMENT", [.positional(seg), .named("follow-up", "true")])
        guard case .error = failed.final else {
            Issue.record("logging should have failed: \(failed.final)")
            return
        }
        #expect(
            try await kit.sql(
                """
                SELECT (SELECT count(*) FROM logged_segments)::text, (SELECT count(*) FROM interaction_log_entries)::text,
                       (SELECT count(*) FROM campaign_entries)::text, (SELECT count(*) FROM delivery_outbox)::text,
                       (SELECT count(*) FROM segment_headers)::text, (SELECT last_no_used FROM number_series WHERE code = 'SEG')
                """
            ) == [["0", "0", "0", "0", "1", seg]]
        )
        #expect(try await kit.contacts(seg) == ["P0", "C1", "P11"])
        #expect(try await kit.scalar("SELECT bool_or(read_only)::text FROM attachments") == "false")
        try await kit.script("DROP TRIGGER test_refuse ON segment_history;")
        try await kit.ok("LOG-SEGMENT", [.positional(seg), .named("follow-up", "true")])
        #expect(try await kit.scalar("SELECT count(*)::text FROM interaction_log_entries") == "3")
        try await kit.stop()
    }

    /// Issue 13: nothing is logged for a contact blocked due to privacy; the dry run names it.
    @Test func aContactBlockedDueToPrivacyStopsTheLogging() async throws {
        let kit = try await SegmentKit.start()
        let seg = try await Self.letterSegment(kit)
        try await kit.script("UPDATE contacts SET privacy_blocked = true WHERE no = 'P11'")
        let reply = try await kit.send("LOG-SEGMENT", [.positional(seg), .named("deliver", "false")])
        #expect(SegmentKit.error(reply, .invalid) == InteractionValidation.privacyBlocked("P11"))
        #expect(try await kit.scalar("SELECT count(*)::text FROM interaction_log_entries") == "0")
        #expect(try await kit.scalar("SELECT count(*)::text FROM logged_segments") == "0")
        let dry = try await kit.ok("LOG-SEGMENT", [.positional(seg), .named("dry-run", "true")])
        #expect(SegmentKit.values(dry, "error").contains(InteractionValidation.privacyBlocked("P11")))
        try await kit.script("UPDATE contacts SET privacy_blocked = false WHERE no = 'P11'")
        try await kit.ok("LOG-SEGMENT", [.positional(seg), .named("deliver", "false")])
        try await kit.stop()
    }

    @Test func refusalsAndDryRun() async throws {
        let kit = try await SegmentKit.start()
        let empty = try await kit.segment([.named("description", "Nothing yet")])
        var reply = try await kit.send("LOG-SEGMENT", [.positional(empty)])
        #expect(SegmentKit.error(reply, .invalid) == SegmentMessages.empty(empty))

        let nameless = try await kit.segment()
        try await kit.ok("SEGMENT-ADD-CONTACTS", [.positional(nameless), .named("contact", "C1")])
        reply = try await kit.send("LOG-SEGMENT", [.positional(nameless)])
        #expect(SegmentKit.error(reply, .invalid) == SegmentMessages.descriptionMissing(nameless))

        // No template on the lines, one without salesperson: the first failing line is reported.
        let seg = try await kit.segment([.named("description", "Checks"), .named("salesperson", "")])
        try await kit.script("UPDATE contacts SET salesperson_code = NULL WHERE no = 'P11'")
        try await kit.ok("SEGMENT-ADD-CONTACTS", [.positional(seg), .named("contact", "P0|P11")])
        reply = try await kit.send("LOG-SEGMENT", [.positional(seg)])
        #expect(
            SegmentKit.error(reply, .invalid)
                == SegmentMessages.lineFieldMissing("Interaction Template Code", segmentNo: seg, lineNo: 10000)
        )
        let dry = try await kit.ok(
            "LOG-SEGMENT",
            [.positional(seg), .named("dry-run", "true"), .named("follow-up", "true")]
        )
        #expect(SegmentKit.value(dry, "entries") == "2")
        #expect(SegmentKit.value(dry, "failing-lines") == "2")
        #expect(
            SegmentKit.values(dry, "error") == [
                SegmentMessages.lineFieldMissing("Interaction Template Code", segmentNo: seg, lineNo: 10000),
                SegmentMessages.lineFieldMissing("Salesperson Code", segmentNo: seg, lineNo: 20000),
            ]
        )

        // Sending needs an e-mail address for e-mail lines: P21 has none.
        let mail = try await kit.segment([.named("description", "Mail"), .named("template", "BUSLETTER")])
        try await kit.ok("SEGMENT-ADD-CONTACTS", [.positional(mail), .named("contact", "C2|P21")])
        try await kit.ok(
            "SEGMENT-LINE-SET",
            [.positional(mail), .positional("20000"), .named("correspondence-type", "email")]
        )
        let check = try await kit.ok("LOG-SEGMENT", [.positional(mail), .named("dry-run", "true")])
        #expect(SegmentKit.value(check, "cost") == "16.00")
        #expect(SegmentKit.value(check, "duration") == "60.00")
        #expect(SegmentKit.value(check, "queued") == "2")
        #expect(SegmentKit.values(check, "error") == [SegmentMessages.emailMissing(contactNo: "P21")])
        // Without sending, the e-mail line is logged with a blank correspondence type.
        try await kit.ok("LOG-SEGMENT", [.positional(mail), .named("deliver", "false")])
        #expect(
            try await kit.sql("SELECT contact_no, correspondence_type FROM interaction_log_entries ORDER BY entry_no")
                == [["C2", "hard_copy"], ["P21", nil]]
        )
        reply = try await kit.send("LOG-SEGMENT", [.positional(mail)])
        #expect(SegmentKit.error(reply, .conflict) == SegmentMessages.alreadyLogged(mail))
        // Nothing but that one logging was written.
        #expect(try await kit.scalar("SELECT count(*)::text FROM logged_segments") == "1")
        try await kit.stop()
    }

    @Test func cancelingALoggedSegmentCancelsItsEntriesAndTakesThemOutOfTheStatistics() async throws {
        let kit = try await SegmentKit.start()
        let seg = try await Self.letterSegment(kit)
        let reply = try await kit.ok("LOG-SEGMENT", [.positional(seg), .named("deliver", "false")])
        let logged = try #require(SegmentKit.value(reply, "logged-segment"))
        let statistics = """
            SELECT count(*)::text, coalesce(sum(cost), 0)::text FROM interaction_log_entries
            WHERE salesperson_code = 'AH' AND NOT canceled AND NOT postponed
            """
        #expect(try await kit.sql(statistics) == [["3", "24.00"]])
        // One entry canceled on its own before.
        try await kit.script("UPDATE interaction_log_entries SET canceled = true WHERE contact_no = 'P0'")

        // A salesperson may not cancel a logging of someone else.
        let sally = try await kit.session("SALLY", role: .salesperson, salesperson: "BO")
        let denied = try await sally.send("LOGGED-SEGMENT-CANCEL", [.named("logged-segments", logged)])
        #expect(SegmentKit.error(denied, .denied) != nil)

        let canceled = try await kit.ok("LOGGED-SEGMENT-CANCEL", [.named("logged-segments", logged)])
        #expect(SegmentKit.value(canceled, "entries") == "2")
        #expect(SegmentKit.value(canceled, "campaign-entries") == "1")
        #expect(try await kit.sql(statistics) == [["0", "0"]])
        #expect(try await kit.scalar("SELECT bool_and(canceled)::text FROM interaction_log_entries") == "true")
        #expect(try await kit.scalar("SELECT bool_and(canceled)::text FROM campaign_entries") == "true")
        let list = try await kit.ok("LOGGED-SEGMENT-LIST", [.named("canceled", "true")])
        #expect(SegmentKit.value(list, "interactions") == "3")
        #expect(list.final == .ok("1 logged segment total=1"))
        let active = try await kit.ok("LOGGED-SEGMENT-LIST", [.named("canceled", "false")])
        #expect(active.final == .ok("0 logged segments total=0"), "the total counts the filtered list")

        // Un-canceling clears every entry, also the one canceled on its own (BC, reference 6.1).
        try await kit.ok("LOGGED-SEGMENT-UNCANCEL", [.named("logged-segments", logged)])
        #expect(try await kit.scalar("SELECT count(*)::text FROM interaction_log_entries WHERE canceled") == "0")
        #expect(try await kit.sql(statistics) == [["3", "24.00"]])
        await sally.close()
        try await kit.stop()
    }

    @Test func deletingCanceledLoggedSegmentsKeepsTheEntries() async throws {
        let kit = try await SegmentKit.start()
        let first = try await Self.letterSegment(kit, description: "First")
        let second = try await Self.letterSegment(kit, description: "Second")
        let one = try #require(
            SegmentKit.value(try await kit.ok("LOG-SEGMENT", [.positional(first)]), "logged-segment")
        )
        let two = try #require(
            SegmentKit.value(try await kit.ok("LOG-SEGMENT", [.positional(second)]), "logged-segment")
        )
        try await kit.ok("LOGGED-SEGMENT-CANCEL", [.named("logged-segments", one)])

        let dry = try await kit.ok("LOGGED-SEGMENT-DELETE-CANCELED", [.named("dry-run", "true")])
        #expect(SegmentKit.value(dry, "matching") == "1")
        #expect(SegmentKit.value(dry, "entries-unlinked") == "3")
        #expect(try await kit.scalar("SELECT count(*)::text FROM logged_segments") == "2")

        let deleted = try await kit.ok("LOGGED-SEGMENT-DELETE-CANCELED")
        #expect(deleted.final == .ok(SegmentMessages.loggedSegmentsDeleted(1)))
        #expect(try await kit.sql("SELECT entry_no::text FROM logged_segments") == [[two]])
        #expect(
            try await kit.sql(
                """
                SELECT segment_no, count(*)::text, count(logged_segment_entry_no)::text, bool_and(canceled)::text
                FROM interaction_log_entries GROUP BY segment_no ORDER BY segment_no
                """
            ) == [[first, "3", "0", "true"], [second, "3", "3", "false"]]
        )
        #expect(
            try await kit.sql(
                "SELECT segment_no, (register_no IS NULL)::text FROM campaign_entries ORDER BY segment_no"
            )
                == [[first, "true"], [second, "false"]]
        )
        try await kit.stop()
    }
}
