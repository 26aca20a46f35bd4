import RapportClient
import RapportProtocol
import RapportTestSupport
import Testing

/// INTERACTION-CREATE through the real server and PostgreSQL (reference 3.2, 3.3, 3.5, 3.12 R6).
@Suite("Interactions: create", .serialized)
struct InteractionCreateTests {
    @Test func templateDefaultsAreCopiedToTheEntry() async throws {
        let kit = try await InteractionKit.start()
        let reply = try await kit.alice.expectOK(
            "INTERACTION-CREATE",
            [.named("contact", "co1"), .named("template", "letter")]
        )
        #expect(reply.final == .ok("interaction \(reply.field("entry") ?? "") logged"))
        let entry = reply.field("entry")!
        let row = try await kit.entry(
            entry,
            """
            interaction_group_code, description, cost::text, duration::text, information_flow, initiated_by,
            campaign_no, campaign_target::text, campaign_response::text, correspondence_type, salesperson_code,
            user_id, (date = CURRENT_DATE)::text, to_char(time_of_interaction, 'SS'), subject, contact_company_no,
            postponed::text, attempt_failed::text, campaign_entry_no::text
            """
        )
        #expect(
            Array(row.prefix(18)) == [
                "LETTER", "Business letter", "8.00", "30.00", "outbound", "us", "CP01", "true", "true",
                "hard_copy", "AH", "ALICE", "true", "00", "Business letter", "CO1", "false", "false",
            ]
        )
        // The campaign entry is shared by every manual interaction of the campaign.
        let second = try await kit.alice.logInteraction([
            .named("contact", "PE1"), .named("template", "LETTER"), .named("description", "Second letter"),
        ])
        let campaignEntries = try await kit.rows(
            "SELECT entry_no::text, description, user_id, document_type, segment_no FROM campaign_entries"
        )
        #expect(campaignEntries.count == 1)
        #expect(campaignEntries.first?.dropFirst() == ["Interactions", "ALICE", nil, nil])
        #expect(try await kit.entry(second, "campaign_entry_no::text, description") == [row[18], "Second letter"])
        try await kit.stop()
    }

    @Test func theFourCasesOfCorrespondenceTypePrecedence() async throws {
        let kit = try await InteractionKit.start()
        func type(_ contact: String, _ template: String, _ extra: [Argument] = []) async throws -> String? {
            let entry = try await kit.manager.logInteraction(
                [.named("contact", contact), .named("template", template), .named("salesperson", "AH")] + extra
            )
            return try await kit.entry(entry, "correspondence_type").first ?? nil
        }
        // 1. The template ignores the contact's preference (PE1 prefers hard copy): the template's e-mail.
        #expect(try await type("PE1", "MAIL") == "email")
        // 2. The contact has no preference: the template default.
        #expect(try await type("CO1", "LETTER") == "hard_copy")
        // 3. The contact's own type wins over a template that does not ignore it.
        #expect(try await type("PE1", "PLAIN") == "hard_copy")
        #expect(try await type("PE1", "CALL") == "hard_copy")
        // 4. Neither has one: blank.
        #expect(try await type("CO1", "CALL") == nil)
        // What the request gives wins over all of them.
        #expect(try await type("PE1", "LETTER", [.named("correspondence-type", "")]) == nil)
        #expect(try await type("CO1", "CALL", [.named("correspondence-type", "hard_copy")]) == "hard_copy")
        try await kit.stop()
    }

    @Test func languageChoiceAndTheTemplateContent() async throws {
        let kit = try await InteractionKit.start()
        // PE1 speaks German and the template has a German row: German content.
        let german = try await kit.alice.logInteraction([.named("contact", "PE1"), .named("template", "MAIL")])
        // CO1 has no language: the template's default (English).
        let english = try await kit.alice.logInteraction([.named("contact", "CO1"), .named("template", "MAIL")])
        // Asked for explicitly.
        let chosen = try await kit.alice.logInteraction([
            .named("contact", "PE1"), .named("template", "MAIL"), .named("language", "enu"),
        ])
        let content = """
            interaction_language_code, (SELECT convert_from(a.content, 'UTF8') FROM attachments a
            WHERE a.no = attachment_no), (SELECT a.read_only::text FROM attachments a WHERE a.no = attachment_no)
            """
        #expect(try await kit.entry(german, content) == ["DEU", "hallo", "true"])
        #expect(try await kit.entry(english, content) == ["ENU", "hello", "true"])
        #expect(try await kit.entry(chosen, content) == ["ENU", "hello", "true"])
        // Entries get copies: the template's own attachments stay as they were.
        #expect(try await kit.count("SELECT count(*) FROM attachments") == 5)
        #expect(try await kit.count("SELECT count(*) FROM attachments WHERE read_only") == 3)
        try await kit.stop()
    }

    @Test func everyValidationMessageOfTheGuideInOrder() async throws {
        let kit = try await InteractionKit.start()
        let manager = kit.manager
        var fixes: [String] = []
        /// The reference's sentence (the refusal's text up to the first ": "; what resolves it follows).
        func message(_ arguments: [Argument]) async throws -> String {
            let text = try await manager.expectRefused(.invalid, "INTERACTION-CREATE", arguments)
            guard let colon = text.firstRange(of: ": ") else { return text }
            fixes.append(String(text[colon.upperBound...]))
            return text[..<colon.lowerBound] + "."
        }
        // Contact and template are required arguments.
        try await manager.expectRefused(.badArguments, "INTERACTION-CREATE", [.named("description", "x")])
        try await manager.expectRefused(.badArguments, "INTERACTION-CREATE", [.named("contact", "CO1")])
        #expect(
            try await message([.named("contact", "CO1"), .named("template", "CALL"), .named("salesperson", "")])
                == "You must fill in the Salesperson Code field."
        )
        #expect(
            try await message([.named("contact", "CO1"), .named("template", "CALL"), .named("date", "")])
                == "You must fill in the Date field."
        )
        #expect(
            try await message([.named("contact", "CO1"), .named("template", "NODESC")])
                == "You must fill in the Description field."
        )
        #expect(
            try await message([.named("contact", "CO1"), .named("template", "CALL"), .named("description", "")])
                == "You must fill in the Description field."
        )
        #expect(
            try await message([.named("contact", "CO1"), .named("template", "OPENER")])
                == "No attachment found. You must either add an attachment or choose a template in the Word Template Code field on the Interaction Template page."
        )
        #expect(
            try await message([.named("contact", "CO1"), .named("template", "PLAIN")])
                == "The correspondence type for this interaction is Email, which requires an interaction template with an attachment or Word template. To continue, you can either change the correspondence type for the contact, select an interaction template that has a different correspondence type, or select a template that ignores the contact correspondence type."
        )
        // Each names what resolves it.
        #expect(fixes.first?.contains("salesperson=<code>, or link your user to a salesperson") == true)
        #expect(
            fixes.last?.contains("correspondence-type=") == true && fixes.last?.contains("ATTACHMENT-UPLOAD") == true
        )
        // Postponing runs the same checks.
        #expect(
            try await message([
                .named("contact", "CO1"), .named("template", "CALL"), .named("date", ""), .named("postpone", "true"),
            ])
                == "You must fill in the Date field."
        )
        // Content makes the last two pass.
        let opened = try await manager.send(
            "INTERACTION-CREATE",
            [.named("contact", "CO1"), .named("template", "OPENER"), .named("attachment-name", "a.txt")],
            payload: Array("text".utf8)
        )
        #expect(opened.field("attachment") != nil)
        // Unknown references are named the way BC names them.
        #expect(
            try await manager.expectRefused(
                .notFound,
                "INTERACTION-CREATE",
                [.named("contact", "NOPE"), .named("template", "CALL")]
            ).hasPrefix(
                "The Contact does not exist. Identification fields and values: No.='NOPE': send another contact="
            )
        )
        #expect(
            try await manager.expectRefused(
                .notFound,
                "INTERACTION-CREATE",
                [.named("contact", "CO1"), .named("template", "CALL"), .named("campaign", "CP99")]
            ).hasPrefix(
                "The Campaign does not exist. Identification fields and values: No.='CP99': send another campaign="
            )
        )
        #expect(try await kit.count("SELECT count(*) FROM interaction_log_entries") == 1)
        try await kit.stop()
    }

    @Test func emailWithoutAnAddressIsDowngradedOrRefusedWhenSending() async throws {
        let kit = try await InteractionKit.start()
        // CO2 has no e-mail; MAIL forces e-mail. Without delivery the type silently becomes blank (3.5 R1).
        let entry = try await kit.alice.logInteraction([.named("contact", "CO2"), .named("template", "MAIL")])
        #expect(try await kit.entry(entry, "correspondence_type, delivery_status") == [nil, nil])
        #expect(
            try await kit.alice.expectRefused(
                .invalid,
                "INTERACTION-CREATE",
                [.named("contact", "CO2"), .named("template", "MAIL"), .named("deliver", "true")]
            )
            .hasPrefix(
                "Make sure that the Email field is specified for either contact no. CO2 or the contact alternative address: "
            )
        )
        // An active alternative address with an e-mail keeps it e-mail.
        try await kit.sql(
            "INSERT INTO contact_alt_addresses (contact_no, code, email) VALUES ('CO2', 'HQ', 'hq@nomail.example')"
        )
        let delivered = try await kit.alice.logInteraction([
            .named("contact", "CO2"), .named("template", "MAIL"), .named("deliver", "true"),
        ])
        #expect(
            try await kit.entry(delivered, "correspondence_type, delivery_status, contact_alt_address_code")
                == ["email", "in_progress", "HQ"]
        )
        #expect(try await kit.count("SELECT count(*) FROM delivery_outbox WHERE entry_no = \(delivered)") == 1)
        try await kit.stop()
    }

    @Test func attachmentCommentsAndDelivery() async throws {
        let kit = try await InteractionKit.start()
        // An opportunity and a task the entry may name (open, of PE1's company CO1 and salesperson AH).
        try await kit.sql(
            """
            INSERT INTO opportunities (no, description, contact_no, contact_company_no, salesperson_code)
                VALUES ('OP1', 'Offer', 'PE1', 'CO1', 'AH');
            INSERT INTO tasks (no, description, contact_no, salesperson_code, date) VALUES ('TD1', 'Offer', 'PE1', 'AH', CURRENT_DATE);
            """
        )
        let reply = try await kit.alice.expectOK(
            "INTERACTION-CREATE",
            [
                .named("contact", "PE1"), .named("template", "MAIL"), .named("description", "Offer"),
                .named("attachment-name", "offer.html"), .named("content-type", "text/html"),
                .named("comment", "first line\nsecond line"), .named("deliver", "true"), .named("successful", "no"),
                .named("cost", "2.5"), .named("duration", "7"), .named("evaluation", "positive"),
                .named("contact-via", "+49 30 123"), .named("opportunity", "op1"), .named("task", "td1"),
                .named("date", "2025-01-31"), .named("time", "08:15"),
            ],
            payload: Array("<p>offer</p>".utf8)
        )
        let entry = reply.field("entry")!
        #expect(reply.field("delivery-status") == "in_progress")
        #expect(
            try await kit.entry(
                entry,
                """
                (SELECT convert_from(content, 'UTF8') || ' ' || file_name || ' ' || file_extension || ' '
                 || content_type || ' ' || read_only::text FROM attachments WHERE no = attachment_no),
                attempt_failed::text, cost::text, duration::text, evaluation, contact_via, opportunity_no, task_no,
                date::text, time_of_interaction::text, subject, delivery_status
                """
            ) == [
                "<p>offer</p> offer.html html text/html true", "true", "2.50", "7.00", "positive", "+49 30 123",
                "OP1", "TD1", "2025-01-31", "08:15:00", "Offer", "in_progress",
            ]
        )
        #expect(
            try await kit.rows(
                "SELECT line_no::text, comment FROM interaction_log_entry_comments WHERE entry_no = \(entry) ORDER BY 1"
            ) == [["10000", "first line"], ["20000", "second line"]]
        )
        #expect(try await kit.value("SELECT status FROM delivery_outbox WHERE entry_no = \(entry)") == "pending")
        // The attachment comes back as sent; an entry without one is answered NOT_FOUND.
        let download = try await kit.bob.expectOK("LOG-ATTACHMENT", [.positional(entry)])
        #expect(download.dataLines.first?.payload == Array("<p>offer</p>".utf8))
        #expect(download.field("file-name") == "offer.html" && download.field("content-type") == "text/html")
        let call = try await kit.alice.logInteraction([.named("contact", "CO1"), .named("template", "CALL")])
        try await kit.alice.expectRefused(.notFound, "LOG-ATTACHMENT", [.positional(call)])
        try await kit.stop()
    }

    @Test func aRetriedCreateWithTheSameKeyReturnsTheSameEntryAndWritesOnce() async throws {
        let kit = try await InteractionKit.start()
        let request: [Argument] = [
            .named("contact", "CO1"), .named("template", "LETTER"), .named("comment", "hello"), .named("idem", "k-1"),
        ]
        let first = try await kit.alice.expectOK("INTERACTION-CREATE", request)
        // The client lost its connection and retries on a new one.
        let again = try await InteractionKit.login(kit.server, "alice")
        let retried = try await again.expectOK("INTERACTION-CREATE", request)
        #expect(retried == first)
        #expect(try await kit.count("SELECT count(*) FROM interaction_log_entries") == 1)
        #expect(try await kit.count("SELECT count(*) FROM interaction_log_entry_comments") == 1)
        #expect(try await kit.count("SELECT count(*) FROM campaign_entries") == 1)
        // The same key for another request is refused.
        try await again.expectRefused(
            .conflict,
            "INTERACTION-CREATE",
            [.named("contact", "CO2"), .named("template", "LETTER"), .named("idem", "k-1")]
        )
        await again.close()
        try await kit.stop()
    }

    @Test func aSalespersonLogsOnlyForTheirOwnSalespersonCode() async throws {
        let kit = try await InteractionKit.start()
        // PE1's salesperson is BB, but Alice's own code comes first.
        let own = try await kit.alice.logInteraction([.named("contact", "PE1"), .named("template", "CALL")])
        #expect(try await kit.entry(own, "salesperson_code") == ["AH"])
        let text = try await kit.alice.expectRefused(
            .denied,
            "INTERACTION-CREATE",
            [.named("contact", "PE1"), .named("template", "CALL"), .named("salesperson", "BB")]
        )
        #expect(text.contains("own salesperson code"))
        // A manager without a salesperson of their own: the contact's; or anyone's when given.
        let forContact = try await kit.manager.logInteraction([.named("contact", "PE1"), .named("template", "CALL")])
        #expect(try await kit.entry(forContact, "salesperson_code, user_id") == ["BB", "MANAGER"])
        let forBob = try await kit.manager.logInteraction([
            .named("contact", "CO1"), .named("template", "CALL"), .named("salesperson", "bb"),
        ])
        #expect(try await kit.entry(forBob, "salesperson_code") == ["BB"])
        // A blocked salesperson cannot be chosen.
        try await kit.sql("UPDATE salespeople SET blocked = true WHERE code = 'CC'")
        try await kit.manager.expectRefused(
            .invalid,
            "INTERACTION-CREATE",
            [.named("contact", "CO1"), .named("template", "CALL"), .named("salesperson", "CC")]
        )
        try await kit.stop()
    }
}
