import LibPQ
import RapportClient
import RapportProtocol
import RapportStore
import RapportTestSupport
import Testing

/// Sales cycles, opportunities, tasks and phone calls, linked to the interaction log, through the real
/// server and PostgreSQL (issue 13). Master data: InteractionKit's, plus a MEET template, phone numbers,
/// a segment SEG1 (ALICE's) with PE1 and CO2, and a sales cycle NEW with two stages.
@Suite("Opportunities and tasks", .serialized)
struct OpportunityTaskTests {
    static let extra = """
        BEGIN;
        INSERT INTO interaction_groups (code, description) VALUES ('MEETING', 'Meetings');
        INSERT INTO interaction_templates (code, interaction_group_code, description, unit_cost, unit_duration,
                information_flow, initiated_by, correspondence_type) VALUES
            ('MEET', 'MEETING', 'Meeting', 20, 60, 'outbound', 'us', NULL);
        UPDATE contacts SET phone_no = '+44 20 7946 0001' WHERE no = 'PE1';
        INSERT INTO contacts (no, type, name, privacy_blocked) VALUES ('PRIV', 'company', 'Private Ltd', true);
        INSERT INTO segment_headers (no, description, salesperson_code, created_by)
            VALUES ('SEG1', 'Golf fair', 'AH', 'ALICE');
        INSERT INTO segment_lines (segment_no, line_no, contact_no, contact_company_no, salesperson_code) VALUES
            ('SEG1', 10000, 'PE1', 'CO1', 'AH'), ('SEG1', 20000, 'CO2', 'CO2', 'AH');
        COMMIT;
        """

    static func start() async throws -> InteractionKit {
        let kit = try await InteractionKit.start()
        try await kit.sql(Self.extra)
        try await kit.manager.expectOK("SALES-CYCLE-ADD", [.positional("NEW"), .named("description", "New customers")])
        try await kit.manager.expectOK(
            "SALES-CYCLE-STAGE-SET",
            [.positional("NEW"), .named("stage", "1"), .named("description", "Contact"), .named("chances", "10")]
        )
        try await kit.manager.expectOK(
            "SALES-CYCLE-STAGE-SET",
            [.positional("NEW"), .named("stage", "2"), .named("description", "Offer"), .named("chances", "50")]
        )
        try await kit.manager.expectOK("SETUP-MARKETING", [.named("sales-cycle", "NEW")])
        return kit
    }

    static func setup(_ kit: InteractionKit, calls: Bool = true, meetings: Bool = true) async throws {
        if calls {
            try await kit.manager.expectOK("SETUP-SET", [.named("event", "outgoing_call"), .named("template", "CALL")])
        }
        if meetings {
            try await kit.manager.expectOK(
                "SETUP-SET",
                [.named("event", "meeting_invitation"), .named("template", "MEET")]
            )
        }
    }

    @Test func salesCyclesAreAManagersSetup() async throws {
        let kit = try await Self.start()
        try await kit.alice.expectRefused(.denied, "SALES-CYCLE-ADD", [.positional("MINE")])
        try await kit.manager.expectRefused(.conflict, "SALES-CYCLE-ADD", [.positional("NEW")])
        let stages = try await kit.alice.expectOK("SALES-CYCLE-STAGE-LIST", [.positional("NEW")])
        #expect(stages.fields("stage") == ["1", "2"])
        #expect(stages.fields("chances") == ["10.00", "50.00"])
        let bad = try await kit.manager.expectRefused(
            .invalid,
            "SALES-CYCLE-STAGE-SET",
            [.positional("NEW"), .named("stage", "3"), .named("chances", "101")]
        )
        #expect(bad.contains("chances must be from 0 to 100"))
        let setup = try await kit.alice.expectOK("SETUP-MARKETING")
        #expect(setup.field("sales-cycle") == "NEW")
        try await kit.manager.expectRefused(.invalid, "SETUP-MARKETING", [.named("task-date-formula", "soon")])
        try await kit.manager.expectOK("SETUP-MARKETING", [.named("task-date-formula", "1w")])
        #expect(try await kit.value("SELECT default_task_date_formula FROM marketing_setup") == "1W")
        // In use by the setup: cannot be deleted; blocked: no new opportunities.
        try await kit.manager.expectRefused(.conflict, "SALES-CYCLE-DELETE", [.positional("NEW")])
        try await kit.manager.expectOK("SALES-CYCLE-SET", [.positional("NEW"), .named("blocked", "true")])
        let blocked = try await kit.alice.expectRefused(
            .invalid,
            "OPPORTUNITY-CREATE",
            [.named("contact", "PE1"), .named("description", "Golf")]
        )
        #expect(blocked == "Sales cycle NEW is blocked: send another sales-cycle=")
        let list = try await kit.alice.expectOK("SALES-CYCLE-LIST")
        #expect(list.final == .ok("1 sales cycle total=1"))
        try await kit.stop()
    }

    @Test func opportunitiesAreCreatedChangedListedAndClosed() async throws {
        let kit = try await Self.start()
        let created = try await kit.alice.expectOK(
            "OPPORTUNITY-CREATE",
            [
                .named("contact", "PE1"), .named("description", "Golf equipment"),
                .named("estimated-value", "12000"), .named("closing-date", "2030-06-30"), .named("idem", "o-1"),
            ]
        )
        #expect(created.final == .ok("opportunity OP000001 created"))
        #expect(created.field("company") == "CO1")
        #expect(created.field("salesperson") == "AH")
        #expect(created.field("sales-cycle") == "NEW")
        #expect(created.field("status") == "not_started")
        // The same idempotency key answers the same, without a second opportunity.
        let again = try await kit.alice.expectOK(
            "OPPORTUNITY-CREATE",
            [
                .named("contact", "PE1"), .named("description", "Golf equipment"),
                .named("estimated-value", "12000"), .named("closing-date", "2030-06-30"), .named("idem", "o-1"),
            ]
        )
        #expect(again.field("opportunity") == "OP000001")
        #expect(try await kit.count("SELECT count(*) FROM opportunities") == 1)
        // Refusals.
        let privacy = try await kit.alice.expectRefused(
            .invalid,
            "OPPORTUNITY-CREATE",
            [.named("contact", "PRIV"), .named("description", "x")]
        )
        #expect(privacy == "You cannot use contact PRIV because they are marked as blocked due to privacy.")
        try await kit.bob.expectRefused(
            .denied,
            "OPPORTUNITY-CREATE",
            [.named("contact", "PE1"), .named("description", "x"), .named("salesperson", "AH")]
        )
        try await kit.alice.expectRefused(
            .notFound,
            "OPPORTUNITY-CREATE",
            [.named("contact", "NOPE"), .named("description", "x")]
        )
        try await kit.manager.expectOK("SETUP-MARKETING", [.named("opportunity-nos", "")])
        let series = try await kit.alice.expectRefused(
            .invalid,
            "OPPORTUNITY-CREATE",
            [.named("contact", "CO2"), .named("description", "x")]
        )
        #expect(series.hasPrefix("Opportunity Nos. must have a value in Marketing Setup"))
        try await kit.manager.expectOK("SETUP-MARKETING", [.named("opportunity-nos", "OPPORTUNITY")])
        try await kit.manager.expectOK(
            "OPPORTUNITY-CREATE",
            [.named("contact", "CO2"), .named("description", "Boats"), .named("salesperson", "BB")]
        )
        // A stage moves it into progress with the stage's chances; only its salesperson or a manager.
        let staged = try await kit.alice.expectOK("OPPORTUNITY-SET", [.positional("OP000001"), .named("stage", "2")])
        #expect(staged.field("status") == "in_progress")
        #expect(staged.field("chances") == "50.00")
        try await kit.alice.expectRefused(
            .notFound,
            "OPPORTUNITY-SET",
            [.positional("OP000001"), .named("stage", "9")]
        )
        try await kit.bob.expectRefused(.denied, "OPPORTUNITY-SET", [.positional("OP000001"), .named("stage", "1")])
        // Lists: filters and pages.
        let first = try await kit.alice.expectOK("OPPORTUNITY-LIST", [.named("limit", "1")])
        #expect(first.fields("opportunity") == ["OP000001"])
        guard case .ok(let text) = first.final, let next = text.split(separator: " ").last, next.hasPrefix("next=")
        else {
            Issue.record("no next= cursor: \(first.final)")
            try await kit.stop()
            return
        }
        let second = try await kit.alice.expectOK(
            "OPPORTUNITY-LIST",
            [.named("limit", "1"), .named("next", String(next.dropFirst(5)))]
        )
        #expect(second.fields("opportunity") == ["OP000002"])
        let bobs = try await kit.alice.expectOK("OPPORTUNITY-LIST", [.named("salesperson", "BB")])
        #expect(bobs.fields("opportunity") == ["OP000002"])
        let shown = try await kit.bob.expectOK("OPPORTUNITY-SHOW", [.positional("OP000001")])
        #expect(shown.field("estimated-value") == "12000.00")
        // Closing: lost needs a reason; a closed one does not change.
        let reason = try await kit.alice.expectRefused(
            .invalid,
            "OPPORTUNITY-CLOSE",
            [.positional("OP000001"), .named("outcome", "lost")]
        )
        #expect(reason == "A lost opportunity needs a reason: send reason=")
        let lost = try await kit.alice.expectOK(
            "OPPORTUNITY-CLOSE",
            [.positional("OP000001"), .named("outcome", "lost"), .named("reason", "Too expensive")]
        )
        #expect(lost.final == .ok("opportunity OP000001 lost"))
        #expect(lost.field("chances") == "0.00")
        #expect(lost.field("date-closed") != nil)
        let closed = try await kit.alice.expectRefused(
            .conflict,
            "OPPORTUNITY-SET",
            [.positional("OP000001"), .named("description", "x")]
        )
        #expect(closed == "Opportunity OP000001 is closed (lost)")
        let open = try await kit.alice.expectOK("OPPORTUNITY-LIST", [.named("open", "true")])
        #expect(open.fields("opportunity") == ["OP000002"])
        // The DBA's view.
        #expect(
            try await kit.rows(
                "SELECT salesperson_code, no_of_opportunities::text FROM open_opportunities_by_stage"
            ) == [["BB", "1"]]
        )
        try await kit.stop()
    }

    @Test func interactionsLinkOnlyOpenOpportunitiesOfTheContactsCompany() async throws {
        let kit = try await Self.start()
        try await kit.alice.expectOK("OPPORTUNITY-CREATE", [.named("contact", "CO1"), .named("description", "Golf")])
        try await kit.manager.expectOK(
            "OPPORTUNITY-CREATE",
            [.named("contact", "CO2"), .named("description", "Boats"), .named("salesperson", "AH")]
        )
        // Of the contact's company (a person of CO1 counts), and of the entry's salesperson.
        let linked = try await kit.alice.logInteraction([
            .named("contact", "PE1"), .named("template", "CALL"), .named("opportunity", "OP000001"),
        ])
        #expect(try await kit.entry(linked, "opportunity_no") == ["OP000001"])
        let other = try await kit.alice.expectRefused(
            .invalid,
            "INTERACTION-CREATE",
            [.named("contact", "PE1"), .named("template", "CALL"), .named("opportunity", "OP000002")]
        )
        #expect(other == "Opportunity OP000002 belongs to company CO2, not to the company of contact PE1 (CO1)")
        let salesperson = try await kit.manager.expectRefused(
            .invalid,
            "INTERACTION-CREATE",
            [
                .named("contact", "CO1"), .named("template", "CALL"), .named("opportunity", "OP000001"),
                .named("salesperson", "BB"),
            ]
        )
        #expect(salesperson == "Opportunity OP000001 belongs to salesperson AH, not to BB")
        let missing = try await kit.alice.expectRefused(
            .notFound,
            "INTERACTION-CREATE",
            [.named("contact", "CO1"), .named("template", "CALL"), .named("opportunity", "OP999")]
        )
        #expect(missing.hasPrefix("The Opportunity does not exist. Identification fields and values: No.='OP999'"))
        let task = try await kit.alice.expectRefused(
            .notFound,
            "INTERACTION-CREATE",
            [.named("contact", "CO1"), .named("template", "CALL"), .named("task", "TD999")]
        )
        #expect(task.hasPrefix("The Task does not exist. Identification fields and values: No.='TD999'"))
        let privacy = try await kit.alice.expectRefused(
            .invalid,
            "INTERACTION-CREATE",
            [.named("contact", "PRIV"), .named("template", "CALL")]
        )
        #expect(privacy == "You cannot use contact PRIV because they are marked as blocked due to privacy.")
        // Document logging skips such a contact rather than failing the ERP's document.
        try await kit.manager.expectOK("SETUP-SET", [.named("event", "sales_invoice"), .named("template", "S_INV")])
        let document = try await kit.manager.expectOK(
            "DOCUMENT-LOG",
            [.named("document-type", "sales_invoice"), .named("document-no", "SI-1"), .named("contact", "PRIV")]
        )
        #expect(document.final == .ok("nothing logged: contact PRIV is blocked due to privacy"))
        // Segment lines likewise.
        let line = try await kit.alice.expectRefused(
            .invalid,
            "SEGMENT-LINE-SET",
            [.positional("SEG1"), .positional("10000"), .named("opportunity", "OP000002")]
        )
        #expect(line == "Opportunity OP000002 belongs to company CO2, not to the company of contact PE1 (CO1)")
        try await kit.alice.expectOK(
            "SEGMENT-LINE-SET",
            [.positional("SEG1"), .positional("20000"), .named("opportunity", "OP000002")]
        )
        #expect(
            try await kit.rows("SELECT line_no::text, opportunity_no FROM segment_lines ORDER BY line_no")
                == [["10000", nil], ["20000", "OP000002"]]
        )
        // The log by opportunity.
        _ = try await kit.alice.logInteraction([.named("contact", "PE1"), .named("template", "CALL")])
        let log = try await kit.bob.expectOK("LOG-LIST", [.named("opportunity", "OP000001")])
        #expect(log.fields("entry") == [linked])
        // From an entry: refused when it has one, or is canceled; otherwise the entry gets the number.
        let has = try await kit.alice.expectRefused(.conflict, "OPPORTUNITY-FROM-ENTRY", [.positional(linked)])
        #expect(has == "Opportunity No. must be blank in Interaction Log Entry: Entry No.=\(linked) (it is OP000001)")
        let plain = try await kit.alice.logInteraction([
            .named("contact", "PE1"), .named("template", "LETTER"), .named("description", "Catalogue"),
        ])
        let canceledEntry = try await kit.alice.logInteraction([.named("contact", "PE1"), .named("template", "CALL")])
        try await kit.sql("UPDATE interaction_log_entries SET canceled = true WHERE entry_no = \(canceledEntry)")
        let canceled = try await kit.alice.expectRefused(
            .conflict,
            "OPPORTUNITY-FROM-ENTRY",
            [.positional(canceledEntry)]
        )
        #expect(canceled == "Canceled must be equal to 'No' in Interaction Log Entry: Entry No.=\(canceledEntry)")
        try await kit.bob.expectRefused(.denied, "OPPORTUNITY-FROM-ENTRY", [.positional(plain)])
        let made = try await kit.alice.expectOK("OPPORTUNITY-FROM-ENTRY", [.positional(plain)])
        #expect(made.final == .ok("opportunity OP000003 created from entry \(plain)"))
        #expect(made.field("description") == "Catalogue")
        #expect(made.field("campaign") == "CP01")
        #expect(made.field("contact") == "PE1")
        #expect(try await kit.entry(plain, "opportunity_no") == ["OP000003"])
        // INTERACTION-CREATE new-opportunity=: both in one transaction.
        let withNew = try await kit.alice.expectOK(
            "INTERACTION-CREATE",
            [.named("contact", "CO1"), .named("template", "CALL"), .named("new-opportunity", "Clubs")]
        )
        #expect(withNew.field("opportunity") == "OP000004")
        #expect(try await kit.entry(withNew.field("entry")!, "opportunity_no") == ["OP000004"])
        // A closed opportunity takes no more interactions.
        try await kit.alice.expectOK(
            "OPPORTUNITY-CLOSE",
            [.positional("OP000001"), .named("outcome", "won"), .named("reason", "Signed")]
        )
        let closed = try await kit.alice.expectRefused(
            .invalid,
            "INTERACTION-CREATE",
            [.named("contact", "PE1"), .named("template", "CALL"), .named("opportunity", "OP000001")]
        )
        #expect(
            closed == "Opportunity OP000001 is closed (won): an interaction can be linked to an open opportunity only"
        )
        let stats = try await kit.bob.expectOK("OPPORTUNITY-STATS", [.positional("OP000001")])
        #expect(stats.field("interactions") == "1")
        #expect(stats.field("cost") == "1.00")
        #expect(stats.field("duration") == "15.00")
        // The ledger's guard: an entry cannot name a missing opportunity or task, even written directly.
        await #expect(throws: (any Error).self) {
            try await kit.sql("UPDATE interaction_log_entries SET opportunity_no = 'OP999' WHERE entry_no = \(plain)")
        }
        await #expect(throws: (any Error).self) {
            try await kit.sql("DELETE FROM opportunities WHERE no = 'OP000003'")
        }
        try await kit.stop()
    }

    @Test func tasksAreCreatedChangedCompletedAndCanceled() async throws {
        let kit = try await Self.start()
        try await kit.manager.expectOK("SETUP-MARKETING", [.named("task-date-formula", "3D")])
        let needsContact = try await kit.alice.expectRefused(
            .invalid,
            "TASK-CREATE",
            [.named("type", "meeting"), .named("description", "Lunch")]
        )
        #expect(needsContact.hasPrefix("A meeting task needs a contact"))
        let noDescription = try await kit.alice.expectRefused(.invalid, "TASK-CREATE", [.named("contact", "CO1")])
        #expect(noDescription == "You must fill in the Description field: send description=")
        let privacy = try await kit.alice.expectRefused(
            .invalid,
            "TASK-CREATE",
            [.named("contact", "PRIV"), .named("description", "x")]
        )
        #expect(privacy == "You cannot use contact PRIV because they are marked as blocked due to privacy.")
        let todo = try await kit.alice.expectOK("TASK-CREATE", [.named("description", "Tidy the desk")])
        #expect(todo.final == .ok("task TD000001 created"))
        #expect(
            try await kit.value("SELECT (date = CURRENT_DATE + 3)::text FROM tasks WHERE no = 'TD000001'") == "true"
        )
        let meeting = try await kit.alice.expectOK(
            "TASK-CREATE",
            [
                .named("type", "meeting"), .named("description", "Present the offer"), .named("contact", "PE1"),
                .named("date", "2030-03-10"), .named("start-time", "10:00"), .named("location", "Their office"),
                .named("comment", "bring the catalogue\nand the prices"),
            ]
        )
        let no = meeting.field("task")!
        #expect(meeting.field("company") == "CO1")
        #expect(meeting.field("salesperson") == "AH")
        // Changes: own tasks only; completed only by TASK-COMPLETE.
        try await kit.bob.expectRefused(.denied, "TASK-SET", [.positional(no), .named("status", "waiting")])
        let waiting = try await kit.alice.expectOK("TASK-SET", [.positional(no), .named("status", "waiting")])
        #expect(waiting.field("status") == "waiting")
        try await kit.alice.expectRefused(.invalid, "TASK-SET", [.positional(no), .named("status", "completed")])
        // Completing without the setup's meeting template: refused, nothing logged, the task stays open.
        let noSetup = try await kit.alice.expectRefused(.invalid, "TASK-COMPLETE", [.positional(no)])
        #expect(noSetup.hasPrefix("Meeting Invitation must have a value in Interaction Template Setup"))
        #expect(try await kit.count("SELECT count(*) FROM interaction_log_entries") == 0)
        #expect(try await kit.value("SELECT status FROM tasks WHERE no = '\(no)'") == "waiting")
        // An entry the completion would log is refused (blocked salesperson): the same.
        try await Self.setup(kit)
        try await kit.sql("UPDATE salespeople SET blocked = true WHERE code = 'AH'")
        try await kit.alice.expectRefused(.invalid, "TASK-COMPLETE", [.positional(no)])
        #expect(try await kit.count("SELECT count(*) FROM interaction_log_entries") == 0)
        #expect(try await kit.value("SELECT status FROM tasks WHERE no = '\(no)'") == "waiting")
        try await kit.sql("UPDATE salespeople SET blocked = false WHERE code = 'AH'")
        // Completed: the meeting is logged with the task's comments and those given.
        let done = try await kit.alice.expectOK(
            "TASK-COMPLETE",
            [.positional(no), .named("comment", "they liked it"), .named("evaluation", "positive")]
        )
        let entry = try await kit.value("SELECT max(entry_no)::text FROM interaction_log_entries")!
        #expect(done.final == .ok("task \(no) completed, interaction \(entry) logged"))
        #expect(done.field("status") == "completed")
        #expect(
            try await kit.entry(entry, "interaction_template_code, task_no, contact_no, description, evaluation")
                == ["MEET", no, "PE1", "Present the offer", "positive"]
        )
        #expect(
            try await kit.rows(
                "SELECT comment FROM interaction_log_entry_comments WHERE entry_no = \(entry) ORDER BY line_no"
            ) == [["bring the catalogue"], ["and the prices"], ["they liked it"]]
        )
        let again = try await kit.alice.expectRefused(.conflict, "TASK-COMPLETE", [.positional(no)])
        #expect(again == "Task \(no) is already completed")
        let byTask = try await kit.bob.expectOK("LOG-LIST", [.named("task", no)])
        #expect(byTask.fields("entry") == [entry])
        // A plain to-do logs nothing; a canceled task takes no interaction.
        let plain = try await kit.alice.expectOK("TASK-COMPLETE", [.positional("TD000001")])
        #expect(plain.final == .ok("task TD000001 completed"))
        let other = try await kit.alice.expectOK(
            "TASK-CREATE",
            [.named("type", "phone_call"), .named("description", "Call back"), .named("contact", "CO1")]
        )
        let canceled = try await kit.alice.expectOK("TASK-CANCEL", [.positional(other.field("task")!)])
        #expect(canceled.field("canceled") == "true")
        let link = try await kit.alice.expectRefused(
            .invalid,
            "INTERACTION-CREATE",
            [.named("contact", "CO1"), .named("template", "CALL"), .named("task", other.field("task")!)]
        )
        #expect(link == "Task \(other.field("task")!) is canceled: an interaction cannot fulfil it")
        let open = try await kit.alice.expectOK("TASK-LIST", [.named("open", "false")])
        #expect(open.final == .ok("3 tasks total=3"))
        try await kit.stop()
    }

    @Test func tasksFromAnEntryAndPerSegmentLine() async throws {
        let kit = try await Self.start()
        try await kit.alice.expectOK("OPPORTUNITY-CREATE", [.named("contact", "CO1"), .named("description", "Golf")])
        let entry = try await kit.alice.logInteraction([
            .named("contact", "PE1"), .named("template", "LETTER"), .named("opportunity", "OP000001"),
        ])
        let task = try await kit.alice.expectOK(
            "TASK-FROM-ENTRY",
            [.positional(entry), .named("type", "phone_call"), .named("date", "2030-01-02")]
        )
        #expect(task.field("contact") == "PE1")
        #expect(task.field("salesperson") == "AH")
        #expect(task.field("campaign") == "CP01")
        #expect(task.field("opportunity") == "OP000001")
        #expect(task.field("description") == "Business letter")
        try await kit.sql("UPDATE contacts SET privacy_blocked = true WHERE no = 'PE1'")
        let privacy = try await kit.alice.expectRefused(.invalid, "TASK-FROM-ENTRY", [.positional(entry)])
        #expect(privacy == "You cannot use contact PE1 because they are marked as blocked due to privacy.")
        try await kit.sql("UPDATE contacts SET privacy_blocked = false WHERE no = 'PE1'")
        // One per segment line; the lines keep the numbers.
        let made = try await kit.alice.expectOK(
            "TASK-FROM-SEGMENT",
            [.positional("SEG1"), .named("type", "phone_call"), .named("date", "2030-01-03")]
        )
        #expect(made.final == .ok("2 tasks created"))
        #expect(made.fields("contact") == ["PE1", "CO2"])
        #expect(made.fields("segment") == ["SEG1", "SEG1"])
        #expect(made.fields("description") == ["Golf fair", "Golf fair"])
        #expect(
            try await kit.rows("SELECT task_no FROM segment_lines WHERE segment_no = 'SEG1' ORDER BY line_no")
                == [[made.field("task", line: 0)], [made.field("task", line: 1)]]
        )
        // Removing CO2's line removes the task made only for it.
        try await kit.manager.expectOK("SEGMENT-LINE-REMOVE", [.positional("SEG1"), .named("lines", "20000")])
        #expect(
            try await kit.rows("SELECT no FROM tasks WHERE segment_no = 'SEG1' ORDER BY no")
                == [[made.field("task", line: 0)]]
        )
        #expect(try await kit.count("SELECT count(*) FROM tasks WHERE contact_no = 'CO2'") == 0)
        try await kit.stop()
    }

    /// A segment's opportunities and tasks are made set-based: the same round trips for 2 lines as for 40,
    /// and a refused line refuses the whole command, drawing no number.
    @Test func perLineWorkCostsTheSameRoundTripsForAnySegment() async throws {
        let kit = try await InteractionKit.start(poolSize: 1)
        try await kit.sql(Self.extra)
        try await kit.sql(
            """
            INSERT INTO contacts (no, type, name)
                SELECT 'BULK' || lpad(n::text, 3, '0'), 'company', 'Bulk ' || n FROM generate_series(1, 40) n;
            INSERT INTO segment_headers (no, description, salesperson_code, created_by) VALUES
                ('SEG2', 'Small', 'AH', 'ALICE'), ('SEG3', 'Large', 'AH', 'ALICE');
            INSERT INTO segment_lines (segment_no, line_no, contact_no, contact_company_no)
                SELECT 'SEG2', n * 10000, 'BULK' || lpad(n::text, 3, '0'), 'BULK' || lpad(n::text, 3, '0')
                FROM generate_series(1, 2) n
                UNION ALL
                SELECT 'SEG3', n * 10000, 'BULK' || lpad(n::text, 3, '0'), 'BULK' || lpad(n::text, 3, '0')
                FROM generate_series(1, 40) n;
            """
        )
        let counters = kit.server.store.pool.counters
        var trips: [String: Int] = [:]
        for (verb, arguments) in [
            ("OPPORTUNITY-FROM-SEGMENT", [Argument]()),
            ("TASK-FROM-SEGMENT", [.named("type", "phone_call"), .named("date", "2030-01-03")]),
        ] {
            for segment in ["SEG2", "SEG3"] {
                let before = counters.values
                let made = try await kit.alice.expectOK(
                    verb,
                    [.positional(segment)] + arguments + [.named("idem", "\(verb)-\(segment)")]
                )
                trips["\(verb) \(segment)"] = counters.values.roundTrips - before.roundTrips
                #expect(made.dataLines.count == (segment == "SEG2" ? 2 : 40))
            }
            #expect(trips["\(verb) SEG2"] == trips["\(verb) SEG3"], "round trips of \(verb): \(trips)")
        }
        let large = try await kit.alice.expectOK("TASK-LIST", [.named("contact", "BULK040")])
        #expect(large.field("segment") == "SEG3")
        #expect(
            try await kit.rows(
                "SELECT count(*) FILTER (WHERE opportunity_no IS NOT NULL)::text, count(*) FILTER (WHERE task_no IS NOT NULL)::text "
                    + "FROM segment_lines WHERE segment_no = 'SEG3'"
            ) == [["40", "40"]]
        )
        // The opportunity numbers follow the line order.
        #expect(
            try await kit.rows(
                "SELECT opportunity_no FROM segment_lines WHERE segment_no = 'SEG3' AND line_no IN (10000, 400000) "
                    + "ORDER BY line_no"
            ) == [["OP000003"], ["OP000042"]]
        )
        // One privacy-blocked contact refuses the whole segment; no number is drawn.
        try await kit.sql(
            """
            INSERT INTO segment_headers (no, description, salesperson_code, created_by) VALUES ('SEG4', 'Mixed', 'AH', 'ALICE');
            INSERT INTO segment_lines (segment_no, line_no, contact_no, contact_company_no) VALUES
                ('SEG4', 10000, 'BULK001', 'BULK001'), ('SEG4', 20000, 'PRIV', 'PRIV');
            """
        )
        let refused = try await kit.alice.expectRefused(.invalid, "OPPORTUNITY-FROM-SEGMENT", [.positional("SEG4")])
        #expect(refused == "You cannot use contact PRIV because they are marked as blocked due to privacy.")
        #expect(try await kit.count("SELECT count(*) FROM opportunities WHERE segment_no = 'SEG4'") == 0)
        try await kit.alice.expectOK(
            "OPPORTUNITY-CREATE",
            [.named("contact", "BULK001"), .named("description", "Next")]
        )
        #expect(try await kit.count("SELECT count(*) FROM opportunities WHERE no = 'OP000043'") == 1)
        try await kit.stop()
    }

    @Test func phoneCallsFromAContactATaskOrASegmentLine() async throws {
        let kit = try await Self.start()
        let noSetup = try await kit.alice.expectRefused(.invalid, "PHONE-CALL", [.named("contact", "PE1")])
        #expect(noSetup.hasPrefix("Outg. Calls must have a value in Interaction Template Setup"))
        try await Self.setup(kit, meetings: false)
        let noNumber = try await kit.alice.expectRefused(.invalid, "PHONE-CALL", [.named("contact", "CO1")])
        #expect(noNumber == "You must fill in the phone number: contact CO1 has none, send phone=")
        try await kit.alice.expectRefused(.badArguments, "PHONE-CALL", [])
        try await kit.alice.expectRefused(
            .badArguments,
            "PHONE-CALL",
            [.named("contact", "CO1"), .named("task", "TD000001")]
        )
        let privacy = try await kit.alice.expectRefused(
            .invalid,
            "PHONE-CALL",
            [.named("contact", "PRIV"), .named("phone", "1")]
        )
        #expect(privacy == "You cannot use contact PRIV because they are marked as blocked due to privacy.")
        // A failed attempt, with the contact's number.
        let failed = try await kit.alice.expectOK(
            "PHONE-CALL",
            [.named("contact", "PE1"), .named("successful", "false"), .named("comment", "no answer")]
        )
        let entry = failed.field("entry")!
        #expect(
            try await kit.entry(entry, "interaction_template_code, contact_via, attempt_failed::text, salesperson_code")
                == ["CALL", "+44 20 7946 0001", "true", "AH"]
        )
        // A number typed, for a company without one.
        let typed = try await kit.alice.expectOK("PHONE-CALL", [.named("contact", "CO1"), .named("phone", "555-0100")])
        #expect(typed.field("contact-via") == "555-0100")
        #expect(typed.field("attempt-failed") == "false")
        // From a task: the entry names it.
        let task = try await kit.alice.expectOK(
            "TASK-CREATE",
            [.named("type", "phone_call"), .named("description", "Call back"), .named("contact", "PE1")]
        )
        let fromTask = try await kit.alice.expectOK("PHONE-CALL", [.named("task", task.field("task")!)])
        #expect(
            try await kit.entry(fromTask.field("entry")!, "task_no, description") == [task.field("task"), "Call back"]
        )
        try await kit.bob.expectRefused(.denied, "PHONE-CALL", [.named("task", task.field("task")!)])
        // From a segment line, with a new opportunity that remembers the segment.
        try await kit.alice.expectRefused(.badArguments, "PHONE-CALL", [.named("segment", "SEG1")])
        let fromLine = try await kit.alice.expectOK(
            "PHONE-CALL",
            [.named("segment", "SEG1"), .named("line", "10000"), .named("new-opportunity", "Golf set")]
        )
        #expect(fromLine.final == .ok("interaction \(fromLine.field("entry")!) logged, opportunity OP000001 created"))
        #expect(fromLine.field("opportunity") == "OP000001")
        #expect(
            try await kit.rows("SELECT segment_no, contact_no, description FROM opportunities")
                == [["SEG1", "PE1", "Golf set"]]
        )
        #expect(
            try await kit.value(
                "SELECT opportunity_no FROM segment_lines WHERE segment_no = 'SEG1' AND line_no = 10000"
            )
                == "OP000001"
        )
        try await kit.stop()
    }

    @Test func contactsWithOpenWorkAreNotDeleted() async throws {
        let kit = try await Self.start()
        try await kit.sql("INSERT INTO contacts (no, type, name) VALUES ('GONE', 'company', 'Gone Ltd')")
        try await kit.alice.expectOK("TASK-CREATE", [.named("contact", "GONE"), .named("description", "Visit")])
        let tasks = try await kit.manager.expectRefused(.conflict, "CONTACT-DELETE", [.positional("GONE")])
        #expect(tasks.hasPrefix("You cannot delete contact GONE because there are one or more tasks open (TD000001)"))
        try await kit.alice.expectOK("TASK-CANCEL", [.positional("TD000001")])
        try await kit.alice.expectOK("OPPORTUNITY-CREATE", [.named("contact", "GONE"), .named("description", "x")])
        let opportunities = try await kit.manager.expectRefused(.conflict, "CONTACT-DELETE", [.positional("GONE")])
        #expect(opportunities.hasPrefix("You cannot delete contact GONE because there are one or more opportunities"))
        try await kit.alice.expectOK(
            "OPPORTUNITY-CLOSE",
            [.positional("OP000001"), .named("outcome", "lost"), .named("reason", "Closed down")]
        )
        try await kit.manager.expectOK("CONTACT-DELETE", [.positional("GONE")])
        #expect(try await kit.rows("SELECT contact_no FROM opportunities") == [[nil]])
        // Overdue tasks for the DBA.
        try await kit.alice.expectOK(
            "TASK-CREATE",
            [.named("contact", "CO1"), .named("description", "Late"), .named("date", "2020-01-01")]
        )
        #expect(try await kit.rows("SELECT task_no, salesperson_code FROM overdue_tasks") == [["TD000002", "AH"]])
        try await kit.stop()
    }

    @Test func moreRefusalsAndRetries() async throws {
        let kit = try await Self.start()
        try await Self.setup(kit)
        // One opportunity per segment line; the lines keep the numbers; not twice.
        let made = try await kit.alice.expectOK("OPPORTUNITY-FROM-SEGMENT", [.positional("SEG1")])
        #expect(made.final == .ok("2 opportunities created"))
        #expect(made.fields("contact") == ["PE1", "CO2"])
        #expect(made.fields("company") == ["CO1", "CO2"])
        #expect(made.fields("segment") == ["SEG1", "SEG1"])
        #expect(made.fields("description") == ["Golf fair", "Golf fair"])
        #expect(
            try await kit.rows("SELECT opportunity_no FROM segment_lines WHERE segment_no = 'SEG1' ORDER BY line_no")
                == [["OP000001"], ["OP000002"]]
        )
        let twice = try await kit.alice.expectRefused(.conflict, "OPPORTUNITY-FROM-SEGMENT", [.positional("SEG1")])
        #expect(
            twice == "Opportunity No. must be blank in Segment Line: Segment No.=SEG1, Line No.=10000 (it is OP000001)"
        )
        #expect(try await kit.count("SELECT count(*) FROM opportunities") == 2)
        try await kit.alice.expectRefused(.notFound, "OPPORTUNITY-FROM-SEGMENT", [.positional("NOSEG")])
        // A postponed entry is not an interaction yet.
        let postponed = try await kit.alice.logInteraction([
            .named("contact", "PE1"), .named("template", "CALL"), .named("postpone", "true"),
        ])
        let notYet = try await kit.alice.expectRefused(.conflict, "OPPORTUNITY-FROM-ENTRY", [.positional(postponed)])
        #expect(notYet == "Interaction log entry \(postponed) is postponed: resume it with POSTPONED-RESUME first")
        try await kit.alice.expectRefused(.conflict, "TASK-FROM-ENTRY", [.positional(postponed)])
        try await kit.alice.expectRefused(.notFound, "TASK-FROM-ENTRY", [.positional("999999")])
        // new-opportunity= and opportunity= together: refused, nothing logged.
        let entries = try await kit.count("SELECT count(*) FROM interaction_log_entries")
        let both = try await kit.alice.expectRefused(
            .invalid,
            "PHONE-CALL",
            [.named("contact", "PE1"), .named("opportunity", "OP000001"), .named("new-opportunity", "x")]
        )
        #expect(
            both
                == "The call is already linked to opportunity OP000001: send new-opportunity= or opportunity=, not both"
        )
        let create = try await kit.alice.expectRefused(
            .conflict,
            "INTERACTION-CREATE",
            [
                .named("contact", "PE1"), .named("template", "CALL"), .named("opportunity", "OP000001"),
                .named("new-opportunity", "x"),
            ]
        )
        #expect(create.hasPrefix("Opportunity No. must be blank in Interaction Log Entry"))
        #expect(try await kit.count("SELECT count(*) FROM interaction_log_entries") == entries)
        // Task dates; closed tasks; others' tasks.
        let ending = try await kit.alice.expectRefused(
            .invalid,
            "TASK-CREATE",
            [
                .named("description", "x"), .named("date", "2030-01-10"), .named("ending-date", "2030-01-09"),
            ]
        )
        #expect(ending == "Ending Date 2030-01-09 must not be before Date 2030-01-10: change ending-date=")
        let task = try await kit.alice.expectOK(
            "TASK-CREATE",
            [.named("type", "phone_call"), .named("description", "Call"), .named("contact", "PE1")]
        )
        let no = task.field("task")!
        try await kit.bob.expectRefused(.denied, "TASK-COMPLETE", [.positional(no)])
        try await kit.bob.expectRefused(.denied, "TASK-CANCEL", [.positional(no)])
        // A retried completion (same idem=) answers the same and logs once; the call dials the contact.
        let first = try await kit.alice.expectOK("TASK-COMPLETE", [.positional(no), .named("idem", "done-1")])
        let retry = try await kit.alice.expectOK("TASK-COMPLETE", [.positional(no), .named("idem", "done-1")])
        #expect(first.final == retry.final)
        #expect(try await kit.count("SELECT count(*) FROM interaction_log_entries WHERE task_no = '\(no)'") == 1)
        #expect(
            try await kit.value("SELECT contact_via FROM interaction_log_entries WHERE task_no = '\(no)'")
                == "+44 20 7946 0001"
        )
        let closed = try await kit.alice.expectRefused(.conflict, "TASK-CANCEL", [.positional(no)])
        #expect(closed == "Task \(no) is already completed")
        try await kit.alice.expectRefused(.conflict, "TASK-SET", [.positional(no), .named("description", "y")])
        // A manager works on anyone's.
        let other = try await kit.manager.expectOK(
            "TASK-CREATE",
            [.named("description", "Visit"), .named("contact", "CO2"), .named("salesperson", "BB")]
        )
        try await kit.manager.expectOK("TASK-CANCEL", [.positional(other.field("task")!)])
        // More messages.
        let line = try await kit.alice.expectRefused(.badArguments, "PHONE-CALL", [.named("segment", "SEG1")])
        #expect(line == "segment= needs line=: the segment line to call")
        let lineAlone = try await kit.alice.expectRefused(
            .badArguments,
            "PHONE-CALL",
            [.named("contact", "PE1"), .named("line", "10000")]
        )
        #expect(lineAlone == "line= goes with segment=")
        let noContact = try await kit.alice.expectOK("TASK-CREATE", [.named("description", "Think")])
        let meeting = try await kit.alice.expectRefused(
            .invalid,
            "TASK-SET",
            [.positional(noContact.field("task")!), .named("type", "meeting")]
        )
        #expect(meeting == "A meeting task needs a contact; task \(noContact.field("task")!) has none")
        let complete = try await kit.alice.expectRefused(
            .invalid,
            "TASK-SET",
            [.positional(noContact.field("task")!), .named("status", "completed")]
        )
        #expect(complete == "A task is completed with TASK-COMPLETE, which logs its interaction")
        let callNobody = try await kit.alice.expectRefused(
            .invalid,
            "PHONE-CALL",
            [.named("task", noContact.field("task")!)]
        )
        #expect(callNobody == "Task \(noContact.field("task")!) has no contact to call")
        try await kit.bob.expectRefused(
            .denied,
            "OPPORTUNITY-CLOSE",
            [.positional("OP000001"), .named("outcome", "won")]
        )
        try await kit.manager.expectOK("SETUP-MARKETING", [.named("sales-cycle", "")])
        let cycleless = try await kit.alice.expectOK(
            "OPPORTUNITY-CREATE",
            [.named("contact", "CO2"), .named("description", "No cycle")]
        )
        #expect(cycleless.field("sales-cycle") == nil)
        let noStages = try await kit.alice.expectRefused(
            .invalid,
            "OPPORTUNITY-SET",
            [.positional(cycleless.field("opportunity")!), .named("stage", "1")]
        )
        #expect(noStages == "Opportunity \(cycleless.field("opportunity")!) has no sales cycle: it has no stages")
        try await kit.manager.expectRefused(.notFound, "SALES-CYCLE-SET", [.positional("NONE")])
        // Persons without a company share no opportunity.
        try await kit.sql(
            "INSERT INTO contacts (no, type, name) VALUES ('LONE1', 'person', 'One'), ('LONE2', 'person', 'Two')"
        )
        let lone = try await kit.alice.expectOK(
            "OPPORTUNITY-CREATE",
            [.named("contact", "LONE1"), .named("description", "Solo")]
        )
        let opportunity = lone.field("opportunity")!
        _ = try await kit.alice.logInteraction([
            .named("contact", "LONE1"), .named("template", "CALL"), .named("opportunity", opportunity),
        ])
        let stranger = try await kit.alice.expectRefused(
            .invalid,
            "INTERACTION-CREATE",
            [.named("contact", "LONE2"), .named("template", "CALL"), .named("opportunity", opportunity)]
        )
        #expect(
            stranger.hasPrefix(
                "Opportunity \(opportunity) belongs to company (none), not to the company of contact LONE2"
            )
        )
        try await kit.stop()
    }

    /// The issue's "sales manager's day", end to end.
    @Test func aSalesManagersDay() async throws {
        let kit = try await Self.start()
        try await Self.setup(kit)
        // A call from a segment line creates an opportunity that remembers the segment.
        let call = try await kit.alice.expectOK(
            "PHONE-CALL",
            [
                .named("segment", "SEG1"), .named("line", "10000"), .named("new-opportunity", "Golf equipment"),
                .named("comment", "interested in clubs"),
            ]
        )
        let callEntry = call.field("entry")!
        let opportunity = call.field("opportunity")!
        let shown = try await kit.manager.expectOK("OPPORTUNITY-SHOW", [.positional(opportunity)])
        #expect(shown.field("segment") == "SEG1")
        #expect(shown.field("contact") == "PE1")
        // A follow-up task from the entry.
        let task = try await kit.alice.expectOK(
            "TASK-FROM-ENTRY",
            [
                .positional(callEntry), .named("type", "meeting"), .named("description", "Show the clubs"),
                .named("comment", "bring the 2030 range"),
            ]
        )
        #expect(task.field("opportunity") == opportunity)
        // Completing it logs the meeting with its comments.
        let done = try await kit.alice.expectOK(
            "TASK-COMPLETE",
            [.positional(task.field("task")!), .named("comment", "order promised")]
        )
        let meetingEntry = try await kit.value("SELECT max(entry_no)::text FROM interaction_log_entries")!
        #expect(done.final == .ok("task \(task.field("task")!) completed, interaction \(meetingEntry) logged"))
        #expect(
            try await kit.rows(
                "SELECT comment FROM interaction_log_entry_comments WHERE entry_no = \(meetingEntry) ORDER BY line_no"
            ) == [["bring the 2030 range"], ["order promised"]]
        )
        // The opportunity is won; its statistics show both interactions.
        try await kit.manager.expectOK(
            "OPPORTUNITY-CLOSE",
            [.positional(opportunity), .named("outcome", "won"), .named("reason", "Order signed")]
        )
        let stats = try await kit.manager.expectOK("OPPORTUNITY-STATS", [.positional(opportunity)])
        #expect(stats.field("interactions") == "2")
        #expect(stats.field("cost") == "21.00")
        #expect(stats.field("duration") == "75.00")
        let log = try await kit.manager.expectOK("LOG-LIST", [.named("opportunity", opportunity)])
        #expect(Set(log.fields("entry").compactMap { $0 }) == [callEntry, meetingEntry])
        try await kit.stop()
    }
}
