import RapportClient
import RapportProtocol
import RapportTestSupport
import Testing

/// Interaction templates through the real server: every validation message of reference §3.1
/// R2–R5 and R7, cascades and refusals on delete.
@Suite("Master data: templates and template setup", .serialized)
struct MasterDataTemplateServerTests {
    static func base(_ kit: MasterDataKit) async throws {
        try await kit.ok("GROUP-ADD", [.positional("letter"), .named("description", "Letters")])
        for language in ["ENU", "DEU"] { try await kit.ok("LANGUAGE-ADD", [.positional(language)]) }
    }

    /// Cost and duration travel as Decimal from the argument to numeric and back, printed by the one
    /// Amount formatter: no binary floating point on the way, so the largest amount stays exact.
    @Test func costAndDurationAreExactDecimals() async throws {
        let kit = try await MasterDataKit.start()
        try await Self.base(kit)
        let created = try await kit.ok(
            "TEMPLATE-ADD",
            [
                .positional("exact"), .named("group", "letter"), .named("unit-cost", "9999999999999999.99"),
                .named("unit-duration", "0.3"),
            ]
        )
        #expect(created.value("unit-cost") == "9999999999999999.99")
        #expect(created.value("unit-duration") == "0.30")
        #expect(
            try await kit.sql(
                "SELECT unit_cost::text, unit_duration::text FROM interaction_templates WHERE code = 'EXACT'"
            )
                == [["9999999999999999.99", "0.30"]]
        )
        let changed = try await kit.ok("TEMPLATE-SET", [.positional("exact"), .named("unit-cost", "0.1")])
        #expect(changed.value("unit-cost") == "0.10" && changed.value("unit-duration") == "0.30")
        let shown = try await kit.ok("TEMPLATE-SHOW", [.positional("exact")])
        #expect(shown.dataLines == changed.dataLines)
        try await kit.stop()
    }

    @Test func fieldRulesR2() async throws {
        let kit = try await MasterDataKit.start()
        try await Self.base(kit)
        let noGroup = try await kit.send("TEMPLATE-ADD", [.positional("t1")])
        // The group is required: the binder refuses the request before the reference's rule runs.
        #expect(noGroup.errorText(.badArguments) == "missing argument group")
        let badGroup = try await kit.send("TEMPLATE-ADD", [.positional("t1"), .named("group", "nope")])
        #expect(
            badGroup.errorText(.invalid)?.hasPrefix(
                "The field Interaction Group Code of table Interaction Template contains a value (NOPE) that "
                    + "cannot be found in the related table (Interaction Group)."
            ) == true
        )
        let cost = try await kit.send(
            "TEMPLATE-ADD",
            [.positional("t1"), .named("group", "letter"), .named("unit-cost", "-1")]
        )
        #expect(
            cost.errorText(.invalid)?.hasPrefix(
                "Unit Cost (LCY) must not be negative (-1)."
            ) == true
        )
        let duration = try await kit.send(
            "TEMPLATE-ADD",
            [.positional("t1"), .named("group", "letter"), .named("unit-duration", "-0.5")]
        )
        #expect(
            duration.errorText(.invalid)?.hasPrefix(
                "Unit Duration (Min.) must not be negative (-0.5)."
            ) == true
        )

        // Defaults: correspondence type email; an empty value makes it blank.
        let created = try await kit.ok(
            "TEMPLATE-ADD",
            [
                .positional("bus"), .named("group", "letter"), .named("description", "Business letter"),
                .named("unit-cost", "8"), .named("unit-duration", "30"), .named("information-flow", "outbound"),
                .named("initiated-by", "us"),
            ]
        )
        #expect(created.value("correspondence-type") == "email")
        #expect(created.value("unit-cost") == "8.00")
        let blank = try await kit.ok(
            "TEMPLATE-ADD",
            [.positional("inc"), .named("group", "letter"), .named("correspondence-type", "")]
        )
        #expect(blank.value("correspondence-type") == "")
        #expect(
            try await kit.sql(
                "SELECT code::text, unit_cost::text, unit_duration::text, information_flow::text, "
                    + "correspondence_type::text FROM interaction_templates ORDER BY code"
            ) == [["BUS", "8.00", "30.00", "outbound", "email"], ["INC", "0.00", "0.00", nil, nil]]
        )
        let negative = try await kit.send("TEMPLATE-SET", [.positional("bus"), .named("unit-cost", "-2")])
        #expect(
            negative.errorText(.invalid)?.hasPrefix(
                "Unit Cost (LCY) must not be negative (-2)."
            ) == true
        )
        #expect(negative.errorText(.invalid)?.hasSuffix(" Give unit-cost= of 0 or more.") == true)
        let changed = try await kit.ok(
            "TEMPLATE-SET",
            [.positional("bus"), .named("unit-cost", "9.5"), .named("initiated-by", "")]
        )
        #expect(changed.value("unit-cost") == "9.50")
        #expect(changed.value("initiated-by") == "")
        #expect(try await kit.ok("TEMPLATE-LIST", [.named("group", "letter")]).final == .ok("2 templates total=2"))
        try await kit.stop()
    }

    @Test func defaultLanguageR3() async throws {
        let kit = try await MasterDataKit.start()
        try await Self.base(kit)
        try await kit.ok(
            "TEMPLATE-ADD",
            [.positional("golf"), .named("group", "letter"), .named("description", "Golf event")]
        )
        let missing = try await kit.send("TEMPLATE-SET", [.positional("golf"), .named("language", "enu")])
        #expect(
            missing.errorText(.invalid)
                == "Interaction Tmpl. Language ENU does not exist for Interaction Template GOLF. Do you want to "
                + "create Interaction Tmpl. Language ENU? Send create-language=true to create it."
        )
        let created = try await kit.ok(
            "TEMPLATE-SET",
            [.positional("golf"), .named("language", "enu"), .named("create-language", "true")]
        )
        #expect(created.value("language") == "ENU")
        #expect(
            try await kit.sql("SELECT language_code::text, description FROM interaction_template_languages")
                == [["ENU", "Golf event"]]
        )
        // A row with an HTML layout makes the action merge and brings its Word template.
        try await kit.ok(
            "TEMPLATE-LANGUAGE-ADD",
            [
                .positional("golf"), .named("language", "deu"), .named("custom-layout", "L1"),
                .named("word-template", "W-DEU"),
            ]
        )
        let merge = try await kit.ok("TEMPLATE-SET", [.positional("golf"), .named("language", "deu")])
        #expect(merge.value("wizard-action") == "merge")
        #expect(merge.value("word-template") == "W-DEU")
        let back = try await kit.ok("TEMPLATE-SET", [.positional("golf"), .named("language", "enu")])
        #expect(back.value("wizard-action") == "")
        #expect(back.value("word-template") == "")
        // At creation too.
        let added = try await kit.ok(
            "TEMPLATE-ADD",
            [
                .positional("meet"), .named("group", "letter"), .named("language", "enu"),
                .named("create-language", "yes"),
            ]
        )
        #expect(added.value("language") == "ENU")
        #expect(
            try await kit.ok("TEMPLATE-LANGUAGE-LIST", [.positional("meet")]).final
                == .ok("1 template language total=1")
        )
        try await kit.stop()
    }

    @Test func wizardActionR4AndWordTemplateR5() async throws {
        let kit = try await MasterDataKit.start()
        try await Self.base(kit)
        try await kit.ok(
            "TEMPLATE-ADD",
            [
                .positional("golf"), .named("group", "letter"), .named("language", "enu"),
                .named("create-language", "true"),
            ]
        )
        // R4d: merging needs an attachment or a Word template on the default language.
        let refused = try await kit.send("TEMPLATE-SET", [.positional("golf"), .named("wizard-action", "merge")])
        #expect(
            refused.errorText(.invalid)?.hasPrefix(
                "Wizard Action = Merge can not be specified for Interaction Template GOLF."
            ) == true
        )
        try await kit.ok(
            "ATTACHMENT-UPLOAD",
            [.positional("golf"), .named("language", "enu"), .named("file-name", "golf.html")],
            payload: Array("<p>Hi</p>".utf8)
        )
        // R4b: without an HTML layout, merge is still refused; open is fine.
        #expect(
            try await kit.send("TEMPLATE-SET", [.positional("golf"), .named("wizard-action", "merge")])
                .errorText(.invalid)?.hasPrefix(
                    "Wizard Action = Merge can not be specified for Interaction Template GOLF."
                ) == true
        )
        #expect(
            try await kit.ok("TEMPLATE-SET", [.positional("golf"), .named("wizard-action", "import")])
                .value("wizard-action") == "import"
        )

        // R5b: a Word template with wizard action import.
        let withImport = try await kit.send("TEMPLATE-SET", [.positional("golf"), .named("word-template", "w1")])
        #expect(withImport.errorText(.invalid)?.hasPrefix("You cannot use a Word template when an attachment") == true)
        let importRefused = try await kit.send(
            "TEMPLATE-SET",
            [.positional("golf"), .named("word-template", "w1"), .named("remove-attachment", "true")]
        )
        #expect(
            importRefused.errorText(.invalid)?.hasPrefix(
                "Word Template Code = W1 can not be specified for Wizard Action Import"
            ) == true
        )
        // R5a: the attachment must go first, with consent; R5c: the code lands in the default row.
        try await kit.ok("TEMPLATE-SET", [.positional("golf"), .named("wizard-action", "open")])
        let noConsent = try await kit.send("TEMPLATE-SET", [.positional("golf"), .named("word-template", "w1")])
        #expect(
            noConsent.errorText(.invalid)
                == "You cannot use a Word template when an attachment is specified. Do you want to remove the "
                + "attachment? Send remove-attachment=true to remove it."
        )
        let word = try await kit.ok(
            "TEMPLATE-SET",
            [.positional("golf"), .named("word-template", "w1"), .named("remove-attachment", "true")]
        )
        #expect(word.value("word-template") == "W1")
        #expect(word.value("attachment") == "")
        #expect(
            try await kit.sql(
                "SELECT word_template_code::text, attachment_no::text FROM interaction_template_languages"
            ) == [["W1", nil]]
        )
        #expect(try await kit.scalar("SELECT count(*)::text FROM attachments") == "0")
        // R4c: a Word template excludes import; R6: no attachment under a Word template.
        #expect(
            try await kit.send("TEMPLATE-SET", [.positional("golf"), .named("wizard-action", "import")])
                .errorText(.invalid)?.hasPrefix(
                    "Wizard Action = Import can not be specified for Interaction Template GOLF."
                ) == true
        )
        #expect(
            try await kit.ok("TEMPLATE-SET", [.positional("golf"), .named("wizard-action", "merge")])
                .value("wizard-action") == "merge"
        )
        let upload = try await kit.send(
            "ATTACHMENT-UPLOAD",
            [.positional("golf"), .named("language", "enu"), .named("file-name", "x.docx")],
            payload: [1, 2, 3]
        )
        #expect(
            upload.errorText(.invalid)?.hasPrefix(
                "You cannot use an attachment when a Word template has been specified."
            ) == true
        )
        try await kit.stop()
    }

    @Test func templateSetupR7() async throws {
        let kit = try await MasterDataKit.start()
        try await Self.base(kit)
        for code in ["plain", "att", "lang"] {
            try await kit.ok("TEMPLATE-ADD", [.positional(code), .named("group", "letter")])
        }
        try await kit.ok("TEMPLATE-LANGUAGE-ADD", [.positional("att")])
        try await kit.ok(
            "ATTACHMENT-UPLOAD",
            [.positional("att"), .named("file-name", "a.pdf")],
            payload: [0x25, 0x50]
        )
        try await kit.ok("TEMPLATE-LANGUAGE-ADD", [.positional("lang"), .named("language", "enu")])

        let attachment = try await kit.send("SETUP-SET", [.named("event", "email"), .named("template", "att")])
        #expect(
            attachment.errorText(.invalid)
                == "Interaction Template ATT has an attachment. Only the Meeting Invitation template of the "
                + "Interaction Template Setup may have one."
        )
        #expect(
            try await kit.ok("SETUP-SET", [.named("event", "meeting_invitation"), .named("template", "att")]).final
                == .ok("meeting_invitation logs template ATT")
        )
        let languages = try await kit.send("SETUP-SET", [.named("event", "sales_invoice"), .named("template", "lang")])
        #expect(
            languages.errorText(.invalid)
                == "Interaction Template LANG has assigned Interaction Template Language ENU. It is not allowed to "
                + "have languages assigned to templates used for system document logging."
        )
        try await kit.ok("SETUP-SET", [.named("event", "email"), .named("template", "lang")])
        try await kit.ok("SETUP-SET", [.named("event", "sales_invoice"), .named("template", "plain")])
        let unknown = try await kit.send("SETUP-SET", [.named("event", "sales_quote"), .named("template", "nope")])
        #expect(unknown.errorText(.notFound) == "Interaction Template NOPE does not exist")
        #expect(
            try await kit.sql("SELECT event::text, template_code::text FROM interaction_template_setup ORDER BY event")
                == [["email", "LANG"], ["meeting_invitation", "ATT"], ["sales_invoice", "PLAIN"]]
        )
        try await kit.ok("SETUP-SET", [.named("event", "email"), .named("template", "")])
        let list = try await kit.ok("SETUP-LIST")
        #expect(list.final == .ok("30 events total=30"))
        #expect(
            list.dataLines.first { $0.tokens.contains(.named("event", "sales_invoice")) }?.tokens
                .contains(.named("template", "PLAIN")) == true
        )
        #expect(
            list.dataLines.first { $0.tokens.contains(.named("event", "email")) }?.tokens.contains(
                .named("template", "")
            )
                == true
        )
        // A template the setup uses cannot be deleted.
        let used = try await kit.send("TEMPLATE-DELETE", [.positional("plain")])
        #expect(
            used.errorText(.conflict)
                == "Interaction Template PLAIN cannot be deleted because the Interaction Template Setup uses it "
                + "(sales_invoice)"
        )
        try await kit.stop()
    }

    @Test func deletingTemplatesAndGroups() async throws {
        let kit = try await MasterDataKit.start()
        try await Self.base(kit)
        try await kit.ok(
            "TEMPLATE-ADD",
            [
                .positional("golf"), .named("group", "letter"), .named("language", "enu"),
                .named("create-language", "true"),
            ]
        )
        try await kit.ok("TEMPLATE-LANGUAGE-ADD", [.positional("golf"), .named("language", "deu")])
        for language in ["enu", "deu"] {
            try await kit.ok(
                "ATTACHMENT-UPLOAD",
                [.positional("golf"), .named("language", language), .named("file-name", "g.html")],
                payload: [60, 62]
            )
        }
        #expect(try await kit.scalar("SELECT count(*)::text FROM attachments") == "2")
        let groupInUse = try await kit.send("GROUP-DELETE", [.positional("letter")])
        #expect(
            groupInUse.errorText(.conflict)
                == "Interaction Group LETTER cannot be deleted because interaction templates, segments or interaction "
                + "log entries use it"
        )
        try await kit.ok("TEMPLATE-DELETE", [.positional("golf")])
        #expect(try await kit.scalar("SELECT count(*)::text FROM interaction_template_languages") == "0")
        #expect(try await kit.scalar("SELECT count(*)::text FROM attachments") == "0")

        // Used by a log entry: refused.
        try await kit.ok("TEMPLATE-ADD", [.positional("call"), .named("group", "letter")])
        try await kit.sql(
            """
            INSERT INTO interaction_log_entries (date, user_id, interaction_group_code, interaction_template_code)
            VALUES (current_date, 'MANAGER', 'LETTER', 'CALL') RETURNING entry_no::text
            """
        )
        let used = try await kit.send("TEMPLATE-DELETE", [.positional("call")])
        #expect(
            used.errorText(.conflict)
                == "Interaction Template CALL cannot be deleted because interaction log entries use it"
        )
        #expect(
            try await kit.send("TEMPLATE-DELETE", [.positional("none")]).errorText(.notFound)
                == "Interaction Template NONE does not exist"
        )
        try await kit.ok("GROUP-ADD", [.positional("spare")])
        #expect(try await kit.ok("GROUP-DELETE", [.positional("spare")]).final == .ok("group SPARE deleted"))
        try await kit.stop()
    }
}
