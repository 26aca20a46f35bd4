import LibPQ
import RapportClient
import RapportModel
import RapportProtocol
import RapportTestSupport
import Testing

/// Issue 14 through the real server: campaign entries (list, show with statistics from the running totals,
/// cancel / un-cancel, delete, delete canceled), and what builds on them.
@Suite("Campaigns", .serialized)
struct CampaignTests {
    /// Logs a letter segment for CP1 with C1, P11 and P0 (8.00 and 30 minutes each); returns the logged
    /// segment and the campaign entry numbers.
    static func loggedLetters(_ kit: SegmentKit, description: String = "Spring mailing") async throws
        -> (loggedSegment: String, campaignEntry: String)
    {
        let seg = try await SegmentLoggingTests.letterSegment(kit, description: description)
        let reply = try await kit.ok("LOG-SEGMENT", [.positional(seg), .named("deliver", "false")])
        let logged = try #require(SegmentKit.value(reply, "logged-segment"))
        let entry = try #require(
            try await kit.scalar("SELECT entry_no::text FROM campaign_entries WHERE register_no = \(logged)")
        )
        return (logged, entry)
    }

    static func stats(_ response: Response) -> [String?] {
        ["campaign-entry", "canceled", "interactions", "cost", "duration"].map { SegmentKit.value(response, $0) }
    }

    @Test func campaignEntriesShowStatisticsAndCancelWithTheirEntries() async throws {
        let kit = try await SegmentKit.start()
        let (logged, entry) = try await Self.loggedLetters(kit)

        let listed = try await kit.ok("CAMPAIGN-ENTRY-LIST", [.named("campaign", "CP1")])
        #expect(listed.final == .ok("1 campaign entry total=1"))
        #expect(Self.stats(listed) == [entry, "false", "3", "24.00", "90.00"])
        #expect(SegmentKit.value(listed, "logged-segment") == logged)
        #expect(SegmentKit.value(listed, "description") == "Spring mailing")
        #expect(
            try await kit.ok("CAMPAIGN-ENTRY-LIST", [.named("campaign", "CP2")]).final
                == .ok("0 campaign entries total=0")
        )

        // One entry canceled by hand leaves the statistics.
        let first = try #require(try await kit.scalar("SELECT min(entry_no)::text FROM interaction_log_entries"))
        try await kit.ok("LOG-CANCEL", [.named("entries", first)])
        #expect(
            Self.stats(try await kit.ok("CAMPAIGN-ENTRY-SHOW", [.positional(entry)])) == [
                entry, "false", "2", "16.00", "60.00",
            ]
        )

        // Canceling the campaign entry cancels every entry; it then shows what it canceled.
        let canceled = try await kit.ok(
            "CAMPAIGN-ENTRY-CANCEL",
            [.named("campaign-entries", entry), .named("idem", "ce-1")]
        )
        #expect(canceled.final == .ok("1 campaign entry canceled"))
        #expect(SegmentKit.value(canceled, "entries") == "2")
        #expect(try await kit.scalar("SELECT count(*)::text FROM interaction_log_entries WHERE NOT canceled") == "0")
        #expect(
            Self.stats(try await kit.ok("CAMPAIGN-ENTRY-SHOW", [.positional(entry)])) == [
                entry, "true", "3", "24.00", "90.00",
            ]
        )
        // The campaign's statistics drop.
        #expect(
            try await kit.scalar(
                "SELECT coalesce(sum(entries), 0)::text FROM interaction_totals WHERE kind = 'campaign' AND key = 'CP1'"
            ) == "0"
        )
        // An entry of a canceled campaign entry cannot be un-canceled alone.
        let refused = try await kit.send("LOG-UNCANCEL", [.named("entries", first)])
        #expect(
            SegmentKit.error(refused, .invalid)
                == "Canceled must be equal to 'No' in Campaign Entry: Entry No.=\(entry). Current value is 'Yes': "
                + "un-cancel the campaign entry with CAMPAIGN-ENTRY-UNCANCEL"
        )

        // Un-cancel: every entry is active again, also the one canceled by hand.
        let uncanceled = try await kit.ok("CAMPAIGN-ENTRY-UNCANCEL", [.named("campaign-entries", entry)])
        #expect(uncanceled.final == .ok("1 campaign entry uncanceled"))
        #expect(SegmentKit.value(uncanceled, "entries") == "3")
        #expect(
            Self.stats(try await kit.ok("CAMPAIGN-ENTRY-SHOW", [.positional(entry)])) == [
                entry, "false", "3", "24.00", "90.00",
            ]
        )

        // Refusals.
        #expect(
            SegmentKit.error(try await kit.send("CAMPAIGN-ENTRY-SHOW", [.positional("999")]), .notFound)
                == "Campaign Entry 999 does not exist."
        )
        #expect(
            SegmentKit.error(try await kit.send("CAMPAIGN-ENTRY-LIST", [.named("campaign", "NOPE")]), .notFound)
                == "Campaign NOPE does not exist."
        )
        #expect(
            SegmentKit.error(
                try await kit.send("CAMPAIGN-ENTRY-CANCEL", [.named("campaign-entries", "\(entry),999")]),
                .notFound
            ) == "Campaign Entry 999 does not exist."
        )
        #expect(
            SegmentKit.error(
                try await kit.send("CAMPAIGN-ENTRY-CANCEL", [.named("campaign-entries", "x")]),
                .badArguments
            )
                == "argument campaign-entries must be entry numbers separated by commas"
        )
        #expect(try await kit.scalar("SELECT count(*)::text FROM campaign_entries WHERE canceled") == "0")
        // Salespeople: only the campaign entries they created; no deletion.
        let sally = try await kit.session("SALLY", role: .salesperson, salesperson: "BO")
        #expect(
            SegmentKit.error(
                try await sally.send("CAMPAIGN-ENTRY-CANCEL", [.named("campaign-entries", entry)]),
                .denied
            )
                == "campaign entry \(entry) was created by another user"
        )
        #expect(SegmentKit.error(try await sally.send("CAMPAIGN-ENTRY-DELETE", [.positional(entry)]), .denied) != nil)
        await sally.close()
        try await kit.stop()
    }

    @Test func cancelingACampaignEntryOfACanceledLoggedSegmentRefusesAndChangesNothing() async throws {
        let kit = try await SegmentKit.start()
        let (logged, entry) = try await Self.loggedLetters(kit)
        try await kit.ok("LOGGED-SEGMENT-CANCEL", [.named("logged-segments", logged)])
        // Un-cancel one entry by SQL so that a change would show.
        try await kit.script("UPDATE campaign_entries SET canceled = false WHERE entry_no = \(entry)")
        let before = try await kit.sql(
            "SELECT entry_no::text, canceled::text FROM interaction_log_entries ORDER BY entry_no"
        )
        for verb in ["CAMPAIGN-ENTRY-CANCEL", "CAMPAIGN-ENTRY-UNCANCEL"] {
            let refused = try await kit.send(verb, [.named("campaign-entries", entry)])
            #expect(
                SegmentKit.error(refused, .invalid)
                    == "Canceled must be equal to 'No' in Logged Segment: Entry No.=\(logged). Current value is 'Yes'. "
                    + "Campaign entry \(entry) belongs to that canceled logged segment; "
                    + "un-cancel it with LOGGED-SEGMENT-UNCANCEL."
            )
        }
        #expect(
            try await kit.scalar("SELECT canceled::text FROM campaign_entries WHERE entry_no = \(entry)") == "false"
        )
        #expect(
            try await kit.sql("SELECT entry_no::text, canceled::text FROM interaction_log_entries ORDER BY entry_no")
                == before
        )
        try await kit.stop()
    }

    @Test func deletingCampaignEntriesDeletesTheirEntries() async throws {
        let kit = try await SegmentKit.start()
        let (_, first) = try await Self.loggedLetters(kit)
        let (_, second) = try await Self.loggedLetters(kit, description: "Second mailing")
        #expect(try await kit.scalar("SELECT count(*)::text FROM interaction_log_entries") == "6")

        // Nothing canceled: the batch matches nothing.
        let none = try await kit.ok("CAMPAIGN-ENTRY-DELETE-CANCELED", [.named("campaign", "CP1")])
        #expect(none.final == .ok("0 campaign entries deleted with 0 entries"))

        try await kit.ok("CAMPAIGN-ENTRY-CANCEL", [.named("campaign-entries", first)])
        let dry = try await kit.ok(
            "CAMPAIGN-ENTRY-DELETE-CANCELED",
            [.named("campaign", "CP1"), .named("from", "2025-03-01"), .named("dry-run", "true")]
        )
        #expect(dry.final == .ok("dry run: 1 campaign entry matches, nothing deleted"))
        #expect(SegmentKit.value(dry, "entries") == "3")
        #expect(SegmentKit.value(dry, "deleted") == "0")
        #expect(try await kit.scalar("SELECT count(*)::text FROM interaction_log_entries") == "6")
        let filteredOut = try await kit.ok(
            "CAMPAIGN-ENTRY-DELETE-CANCELED",
            [.named("to", "2025-03-01"), .named("dry-run", "true")]
        )
        #expect(SegmentKit.value(filteredOut, "matching") == "0")

        let deleted = try await kit.ok(
            "CAMPAIGN-ENTRY-DELETE-CANCELED",
            [.named("campaign", "CP1"), .named("idem", "d-1")]
        )
        #expect(deleted.final == .ok("1 campaign entry deleted with 3 entries"))
        #expect(try await kit.scalar("SELECT count(*)::text FROM interaction_log_entries") == "3")
        #expect(try await kit.scalar("SELECT count(*)::text FROM campaign_entries WHERE entry_no = \(first)") == "0")
        // The same idem= key replays the answer and deletes nothing more.
        let replay = try await kit.ok(
            "CAMPAIGN-ENTRY-DELETE-CANCELED",
            [.named("campaign", "CP1"), .named("idem", "d-1")]
        )
        #expect(replay.final == deleted.final)

        // CAMPAIGN-ENTRY-DELETE needs no cancel; the totals follow.
        let gone = try await kit.ok("CAMPAIGN-ENTRY-DELETE", [.positional(second)])
        #expect(gone.final == .ok("campaign entry \(second) deleted with 3 entries"))
        #expect(try await kit.scalar("SELECT count(*)::text FROM interaction_log_entries") == "0")
        #expect(
            try await kit.scalar(
                "SELECT coalesce(sum(entries + canceled_entries), 0)::text FROM interaction_totals WHERE kind = 'campaign-entry'"
            ) == "0"
        )
        #expect(
            SegmentKit.error(try await kit.send("CAMPAIGN-ENTRY-DELETE", [.positional(second)]), .notFound)
                == "Campaign Entry \(second) does not exist."
        )
        try await kit.stop()
    }

    // MARK: Alternative addresses and contacts by name

    @Test func alternativeAddressesAreKeptPerContactAndPickedByDate() async throws {
        let kit = try await SegmentKit.start()
        let summer: [Argument] = [
            .positional("C1"), .positional("summer"), .named("address", "1 Beach Road"), .named("city", "Brighton"),
            .named("email", "summer@alpha.example"), .named("phone", "+44 1"), .named("starting-date", "2025-06-01"),
            .named("ending-date", "2025-08-31"), .named("idem", "alt-1"),
        ]
        let added = try await kit.ok("CONTACT-ALT-ADDRESS-ADD", summer)
        #expect(added.final == .ok("alternative address SUMMER of contact C1 created"))
        #expect(SegmentKit.value(added, "email") == "summer@alpha.example")
        #expect(SegmentKit.value(added, "ending-date") == "2025-08-31")
        // Refusals, each changing nothing.
        #expect(
            SegmentKit.error(try await kit.send("CONTACT-ALT-ADDRESS-ADD", Array(summer.dropLast())), .conflict)
                == "Alternative address SUMMER of contact C1 already exists"
        )
        #expect(
            SegmentKit.error(
                try await kit.send(
                    "CONTACT-ALT-ADDRESS-ADD",
                    [.positional("C1"), .positional("AUTUMN"), .named("starting-date", "2025-08-15")]
                ),
                .conflict
            ) == "Alternative address SUMMER of contact C1 is active from 2025-06-01 to 2025-08-31: the date ranges "
                + "of a contact's alternative addresses must not overlap"
        )
        #expect(
            SegmentKit.error(
                try await kit.send(
                    "CONTACT-ALT-ADDRESS-ADD",
                    [
                        .positional("C1"), .positional("AUTUMN"), .named("starting-date", "2025-10-01"),
                        .named("ending-date", "2025-09-01"),
                    ]
                ),
                .invalid
            )
                == "Starting Date 2025-10-01 must not be after Ending Date 2025-09-01: change starting-date= or ending-date="
        )
        #expect(
            SegmentKit.error(
                try await kit.send("CONTACT-ALT-ADDRESS-ADD", [.positional("NOPE"), .positional("X")]),
                .notFound
            ) == "Contact NOPE does not exist."
        )
        try await kit.ok(
            "CONTACT-ALT-ADDRESS-ADD",
            [.positional("C1"), .positional("AUTUMN"), .named("starting-date", "2025-09-01"), .named("city", "Leeds")]
        )
        let listed = try await kit.ok("CONTACT-ALT-ADDRESS-LIST", [.positional("C1")])
        #expect(listed.final == .ok("2 alternative addresses total=2"))
        #expect(SegmentKit.values(listed, "alt-address") == ["AUTUMN", "SUMMER"])
        let changed = try await kit.ok(
            "CONTACT-ALT-ADDRESS-SET",
            [.positional("C1"), .positional("AUTUMN"), .named("city", ""), .named("phone", "+44 2")]
        )
        #expect(SegmentKit.value(changed, "city") == nil)
        #expect(SegmentKit.value(changed, "phone") == "+44 2")
        #expect(
            SegmentKit.error(
                try await kit.send(
                    "CONTACT-ALT-ADDRESS-SET",
                    [.positional("C1"), .positional("AUTUMN"), .named("starting-date", "2025-08-01")]
                ),
                .conflict
            )?.hasPrefix("Alternative address SUMMER of contact C1 is active") == true
        )
        #expect(
            SegmentKit.error(
                try await kit.send("CONTACT-ALT-ADDRESS-SET", [.positional("C1"), .positional("NONE")]),
                .notFound
            ) == "Alternative address NONE of contact C1 does not exist."
        )

        // Interactions take the address active on their date, found by the contact's name.
        let july = try await kit.ok(
            "INTERACTION-CREATE",
            [.named("contact-name", "alpha LTD"), .named("template", "CALL"), .named("date", "2025-07-01")]
        )
        #expect(SegmentKit.value(july, "contact") == "C1")
        #expect(SegmentKit.value(july, "alt-address") == "SUMMER")
        let october = try await kit.ok(
            "INTERACTION-CREATE",
            [.named("contact", "C1"), .named("template", "CALL"), .named("date", "2025-10-01")]
        )
        #expect(SegmentKit.value(october, "alt-address") == "AUTUMN")
        let may = try await kit.ok(
            "INTERACTION-CREATE",
            [.named("contact", "C1"), .named("template", "CALL"), .named("date", "2025-05-01")]
        )
        #expect(SegmentKit.value(may, "alt-address") == nil)

        // Segment lines too, and they show the contact's phone, mobile phone and e-mail.
        try await kit.script("UPDATE contacts SET phone_no = '+45 1000', mobile_phone_no = '+45 2000' WHERE no = 'C1'")
        let seg = try await kit.segment([.named("description", "Summer"), .named("date", "2025-07-15")])
        try await kit.ok("SEGMENT-ADD-CONTACTS", [.positional(seg), .named("contact", "C1")])
        let lines = try await kit.ok("SEGMENT-LINE-LIST", [.positional(seg)])
        #expect(SegmentKit.value(lines, "alt-address") == "SUMMER")
        #expect(SegmentKit.value(lines, "phone") == "+45 1000")
        #expect(SegmentKit.value(lines, "mobile-phone") == "+45 2000")
        #expect(SegmentKit.value(lines, "email") == "info@alpha.example")

        // Delivery of an entry with the address goes to the address's e-mail.
        let mail = try await kit.segment([
            .named("description", "Summer mail"), .named("template", "BUSLETTER"), .named("date", "2025-07-20"),
        ])
        try await kit.ok("SEGMENT-ADD-CONTACTS", [.positional(mail), .named("contact", "C1")])
        try await kit.ok(
            "SEGMENT-LINE-SET",
            [.positional(mail), .positional("10000"), .named("correspondence-type", "email")]
        )
        try await kit.ok("LOG-SEGMENT", [.positional(mail), .named("deliver", "true")])
        let claimed = try await kit.ok("DELIVERY-CLAIM", [.named("worker", "w1")])
        #expect(SegmentKit.value(claimed, "email") == "summer@alpha.example")

        // Deleting the address takes it from the unlogged line.
        let deleted = try await kit.ok("CONTACT-ALT-ADDRESS-DELETE", [.positional("C1"), .positional("SUMMER")])
        #expect(deleted.final == .ok("alternative address SUMMER of contact C1 deleted"))
        #expect(SegmentKit.value(try await kit.ok("SEGMENT-LINE-LIST", [.positional(seg)]), "alt-address") == nil)
        #expect(
            SegmentKit.error(
                try await kit.send("CONTACT-ALT-ADDRESS-DELETE", [.positional("C1"), .positional("SUMMER")]),
                .notFound
            ) == "Alternative address SUMMER of contact C1 does not exist."
        )
        try await kit.stop()
    }

    @Test func contactsByNameAreUniqueOrRefusedWithTheCandidates() async throws {
        let kit = try await SegmentKit.start()
        try await kit.script("INSERT INTO contacts (no, type, name) VALUES ('C9', 'company', 'Beta GmbH')")
        let call: [Argument] = [.named("template", "CALL"), .named("date", "2025-07-01")]
        #expect(
            SegmentKit.error(
                try await kit.send("INTERACTION-CREATE", [.named("contact-name", "beta gmbh")] + call),
                .invalid
            )
                == "The name \"beta gmbh\" matches several contacts: C2 (Beta GmbH), C9 (Beta GmbH); give the contact's No."
        )
        #expect(
            SegmentKit.error(
                try await kit.send("INTERACTION-CREATE", [.named("contact-name", "Alp")] + call),
                .notFound
            )
                == "There is no contact named \"Alp\"; names that start so: C1 (Alpha Ltd)."
        )
        #expect(
            SegmentKit.error(
                try await kit.send("INTERACTION-CREATE", [.named("contact-name", "Nobody")] + call),
                .notFound
            )
                == "There is no contact named \"Nobody\"."
        )
        #expect(
            SegmentKit.error(
                try await kit.send(
                    "INTERACTION-CREATE",
                    [.named("contact", "C1"), .named("contact-name", "Alpha Ltd")] + call
                ),
                .badArguments
            ) == "give contact= or contact-name=, not both"
        )
        #expect(
            SegmentKit.error(try await kit.send("INTERACTION-CREATE", call), .badArguments)
                == "missing argument contact: give contact= or contact-name="
        )
        #expect(try await kit.scalar("SELECT count(*)::text FROM interaction_log_entries") == "0")
        let logged = try await kit.ok("INTERACTION-CREATE", [.named("contact-name", " otto solo ")] + call)
        #expect(SegmentKit.value(logged, "contact") == "P0")
        // The other commands that take a contact take its name too.
        let postponed = try await kit.ok(
            "INTERACTION-CREATE",
            [.named("contact", "P0"), .named("postpone", "true")] + call
        )
        let entry = try #require(SegmentKit.value(postponed, "entry"))
        let resumed = try await kit.ok("POSTPONED-RESUME", [.positional(entry), .named("contact-name", "ann alpha")])
        #expect(SegmentKit.value(resumed, "contact") == "P11")
        let seg = try await kit.segment([.named("description", "By name")])
        let line = try await kit.ok("SEGMENT-LINE-ADD", [.positional(seg), .named("contact-name", "ANN ALPHA")])
        #expect(SegmentKit.value(line, "contact") == "P11")
        #expect(
            SegmentKit.error(
                try await kit.send("SEGMENT-LINE-ADD", [.positional(seg), .named("contact-name", "Beta GmbH")]),
                .invalid
            )?
            .hasPrefix("The name \"Beta GmbH\" matches several contacts") == true
        )
        try await kit.script(Self.invoiceSetup)
        let document = try await kit.ok(
            "DOCUMENT-LOG",
            [
                .named("document-type", "sales_invoice"), .named("document-no", "INV9"),
                .named("contact-name", "otto solo"),
            ]
        )
        #expect(SegmentKit.value(document, "contact") == "P0")
        #expect(
            SegmentKit.error(
                try await kit.send(
                    "DOCUMENT-LOG",
                    [
                        .named("document-type", "sales_invoice"), .named("contact-name", "otto solo"),
                        .named("contact", "P0"),
                    ]
                ),
                .badArguments
            ) == "give exactly one of contact=, contact-name=, customer=, vendor="
        )
        try await kit.stop()
    }

    // MARK: Business relations and mailing groups

    static let invoiceSetup = """
        INSERT INTO interaction_templates (code, interaction_group_code, description, unit_cost, unit_duration,
                information_flow, initiated_by)
            VALUES ('S_INV', 'LETTER', 'Sales invoice', 2, 5, 'outbound', 'us');
        INSERT INTO interaction_template_setup (event, template_code) VALUES ('sales_invoice', 'S_INV');
        """

    @Test func businessRelationsLinkCompaniesForDocumentLoggingAndCriteria() async throws {
        let kit = try await SegmentKit.start()
        try await kit.script(Self.invoiceSetup)
        let added = try await kit.ok(
            "BUSINESS-RELATION-ADD",
            [.positional("cust"), .named("description", "Customer"), .named("idem", "br-1")]
        )
        #expect(added.final == .ok("business relation CUST created"))
        try await kit.ok("BUSINESS-RELATION-ADD", [.positional("BANK")])
        #expect(
            SegmentKit.error(try await kit.send("BUSINESS-RELATION-ADD", [.positional("CUST")]), .conflict)
                == "Business relation CUST already exists"
        )
        let link: [Argument] = [
            .positional("C1"), .named("link-to", "customer"), .named("account", "C10000"),
            .named("business-relation", "CUST"),
        ]
        let linked = try await kit.ok("CONTACT-RELATION-LINK", link)
        #expect(linked.final == .ok("contact C1 linked to customer C10000"))
        #expect(SegmentKit.value(linked, "contact-name") == "Alpha Ltd")
        // Refusals.
        #expect(
            SegmentKit.error(
                try await kit.send(
                    "CONTACT-RELATION-LINK",
                    [.positional("P11")] + link.dropFirst()
                ),
                .invalid
            ) == "Contact P11 is a person: business relations link company contacts; link its company"
        )
        #expect(
            SegmentKit.error(
                try await kit.send("CONTACT-RELATION-LINK", [.positional("C2")] + link.dropFirst()),
                .conflict
            )
                == "The customer C10000 is already linked to contact C1"
        )
        #expect(
            SegmentKit.error(
                try await kit.send(
                    "CONTACT-RELATION-LINK",
                    [
                        .positional("C1"), .named("link-to", "customer"), .named("account", "C20000"),
                        .named("business-relation", "CUST"),
                    ]
                ),
                .conflict
            ) == "Contact C1 is already linked to customer C10000: unlink it first"
        )
        #expect(
            SegmentKit.error(
                try await kit.send(
                    "CONTACT-RELATION-LINK",
                    [
                        .positional("C2"), .named("link-to", "vendor"), .named("account", "V1"),
                        .named("business-relation", "NOPE"),
                    ]
                ),
                .notFound
            ) == "Business relation NOPE does not exist."
        )
        try await kit.ok(
            "CONTACT-RELATION-LINK",
            [
                .positional("C2"), .named("link-to", "bank_account"), .named("account", "DK5000400440116243"),
                .named("business-relation", "BANK"),
            ]
        )
        let links = try await kit.ok("CONTACT-RELATION-LIST")
        #expect(links.final == .ok("2 links total=2"))
        #expect(SegmentKit.values(links, "link-to") == ["customer", "bank_account"])
        #expect(
            SegmentKit.error(try await kit.send("BUSINESS-RELATION-DELETE", [.positional("CUST")]), .conflict)
                == "Business relation CUST cannot be deleted because contacts are linked with it"
        )
        let sally = try await kit.session("SALLY", role: .salesperson, salesperson: "BO")
        #expect(SegmentKit.error(try await sally.send("CONTACT-RELATION-LINK", link), .denied) != nil)
        #expect(try await sally.send("CONTACT-RELATION-LIST").final == .ok("2 links total=2"))
        await sally.close()

        // DOCUMENT-LOG customer= finds the contact through the link.
        let invoice: [Argument] = [
            .named("document-type", "sales_invoice"), .named("document-no", "INV1"), .named("customer", "C10000"),
        ]
        let logged = try await kit.ok("DOCUMENT-LOG", invoice)
        #expect(SegmentKit.value(logged, "contact") == "C1")
        #expect(SegmentKit.value(logged, "document-no") == "INV1")

        // Segment criteria by business relation match the contact's company.
        let seg = try await kit.segment([.named("description", "Customers")])
        try await kit.ok("SEGMENT-ADD-CONTACTS", [.positional(seg), .named("business-relation", "CUST")])
        #expect(try await kit.contacts(seg) == ["C1", "P11"])
        try await kit.ok("SEGMENT-ADD-CONTACTS", [.positional(seg), .named("business-relation", "BANK")])
        #expect(try await kit.contacts(seg) == ["C1", "P11", "C2", "P21"])
        try await kit.ok("SEGMENT-REFINE", [.positional(seg), .named("business-relation", "BANK")])
        #expect(try await kit.contacts(seg) == ["C2", "P21"])
        let criteria = try await kit.ok("SEGMENT-CRITERIA", [.positional(seg)])
        #expect(SegmentKit.values(criteria, "text").contains("Business Relation: Business Relation Code = BANK"))

        // Unlinked, the customer's documents are no longer logged.
        let unlinked = try await kit.ok("CONTACT-RELATION-UNLINK", [.positional("C1"), .named("link-to", "customer")])
        #expect(unlinked.final == .ok("contact C1 unlinked from customer C10000"))
        let skipped = try await kit.ok("DOCUMENT-LOG", invoice)
        #expect(skipped.final == .ok("nothing logged: no contact is linked to customer C10000"))
        #expect(
            SegmentKit.error(
                try await kit.send("CONTACT-RELATION-UNLINK", [.positional("C1"), .named("link-to", "customer")]),
                .notFound
            ) == "Contact C1 is not linked to a customer."
        )
        #expect(
            try await kit.ok("BUSINESS-RELATION-DELETE", [.positional("CUST")]).final
                == .ok("business relation CUST deleted")
        )
        try await kit.stop()
    }

    @Test func mailingGroupsGatherContactsForSegmentCriteria() async throws {
        let kit = try await SegmentKit.start()
        try await kit.ok("MAILING-GROUP-ADD", [.positional("XMAS"), .named("description", "Christmas cards")])
        let joined = try await kit.ok(
            "MAILING-GROUP-JOIN",
            [.positional("XMAS"), .named("contacts", "p11,P0"), .named("idem", "m-1")]
        )
        #expect(joined.final == .ok("2 contacts joined mailing group XMAS"))
        #expect(
            try await kit.ok("MAILING-GROUP-JOIN", [.positional("XMAS"), .named("contacts", "P11")]).final
                == .ok("0 contacts joined mailing group XMAS")
        )
        #expect(
            SegmentKit.error(
                try await kit.send("MAILING-GROUP-JOIN", [.positional("XMAS"), .named("contacts", "P11,NOPE")]),
                .notFound
            )
                == "Contact NOPE does not exist."
        )
        #expect(
            SegmentKit.error(
                try await kit.send("MAILING-GROUP-JOIN", [.positional("NOPE"), .named("contacts", "P11")]),
                .notFound
            )
                == "Mailing group NOPE does not exist."
        )
        #expect(
            SegmentKit.error(try await kit.send("MAILING-GROUP-JOIN", [.positional("XMAS")]), .badArguments)
                == "missing argument contacts: give contacts= or segment="
        )
        let members = try await kit.ok("MAILING-GROUP-CONTACT-LIST", [.positional("XMAS")])
        #expect(members.final == .ok("2 contacts total=2"))
        #expect(SegmentKit.values(members, "contact") == ["P0", "P11"])

        // Add by mailing group; with related companies the persons' companies come too.
        let seg = try await kit.segment([.named("description", "Cards")])
        try await kit.ok("SEGMENT-ADD-CONTACTS", [.positional(seg), .named("mailing-group", "XMAS")])
        #expect(try await kit.contacts(seg) == ["P0", "P11"])
        let related = try await kit.segment([.named("description", "Cards and companies")])
        try await kit.ok(
            "SEGMENT-ADD-CONTACTS",
            [.positional(related), .named("mailing-group", "XMAS"), .named("allow-related-companies", "true")]
        )
        #expect(try await kit.contacts(related).sorted() == ["C1", "P0", "P11"])
        // Reduce and refine.
        try await kit.ok("SEGMENT-REDUCE", [.positional(related), .named("mailing-group", "XMAS")])
        #expect(try await kit.contacts(related) == ["C1"])
        try await kit.ok("SEGMENT-ADD-CONTACTS", [.positional(related), .named("contact", "C2|P0")])
        try await kit.ok("SEGMENT-REFINE", [.positional(related), .named("mailing-group", "XMAS")])
        #expect(try await kit.contacts(related) == ["P0"])
        let criteria = try await kit.ok("SEGMENT-CRITERIA", [.positional(seg)])
        #expect(SegmentKit.values(criteria, "text").contains("Mailing Group: Mailing Group Code = XMAS"))

        // Reduce with entire companies: P11 is in the group, so all of Alpha (C1, P11, P12) goes.
        let whole = try await kit.segment([.named("description", "Whole companies")])
        try await kit.ok(
            "SEGMENT-ADD-CONTACTS",
            [.positional(whole), .named("contact", "C1|P12|C2"), .named("ignore-exclusion", "true")]
        )
        try await kit.ok(
            "SEGMENT-REDUCE",
            [.positional(whole), .named("mailing-group", "XMAS"), .named("entire-companies", "true")]
        )
        #expect(try await kit.contacts(whole) == ["C2"])
        // Saved criteria replay the mailing group filter.
        try await kit.ok("CRITERIA-SAVE", [.positional(seg), .named("criteria", "CARDS")])
        let reused = try await kit.segment([.named("description", "Reused")])
        try await kit.ok("CRITERIA-REUSE", [.positional(reused), .named("criteria", "CARDS")])
        #expect(try await kit.contacts(reused) == ["P0", "P11"])

        // A segment's contacts join a group at once; leaving and deleting.
        try await kit.ok("MAILING-GROUP-ADD", [.positional("PRESS")])
        try await kit.ok("SEGMENT-ADD-CONTACTS", [.positional(seg), .named("contact", "C2")])
        let fromSegment = try await kit.ok("MAILING-GROUP-JOIN", [.positional("PRESS"), .named("segment", seg)])
        #expect(fromSegment.final == .ok("3 contacts joined mailing group PRESS"))
        let left = try await kit.ok("MAILING-GROUP-LEAVE", [.positional("PRESS"), .named("contacts", "C2,C1")])
        #expect(left.final == .ok("1 contact left mailing group PRESS"))
        #expect(
            try await kit.ok("MAILING-GROUP-DELETE", [.positional("XMAS")]).final == .ok("mailing group XMAS deleted")
        )
        #expect(
            try await kit.scalar("SELECT count(*)::text FROM contact_mailing_groups WHERE mailing_group_code = 'XMAS'")
                == "0"
        )
        #expect(
            SegmentKit.error(try await kit.send("MAILING-GROUP-CONTACT-LIST", [.positional("XMAS")]), .notFound)
                == "Mailing group XMAS does not exist."
        )
        try await kit.stop()
    }

    // MARK: Activation and target groups

    static func targets(_ kit: SegmentKit, _ campaign: String) async throws -> [String] {
        SegmentKit.values(try await kit.ok("CAMPAIGN-TARGET-LIST", [.positional(campaign)]), "contact")
    }

    @Test func activationFillsTheTargetGroupAllOrNothingAndSegmentLinesKeepItInStep() async throws {
        let kit = try await SegmentKit.start()
        // Nothing marked: refused, and nothing changes (CP2's old rows stay, it stays inactive).
        try await kit.script("INSERT INTO campaign_target_groups (campaign_no, contact_no) VALUES ('CP2', 'C2')")
        #expect(
            SegmentKit.error(try await kit.send("CAMPAIGN-ACTIVATE", [.positional("CP2")]), .invalid)
                == "There are no segment lines or interaction log entries marked as campaign target for Campaign CP2: "
                + "mark some with campaign-target=true, then activate it"
        )
        #expect(try await kit.sql("SELECT campaign_no, contact_no FROM campaign_target_groups") == [["CP2", "C2"]])
        #expect(try await kit.scalar("SELECT activated::text FROM campaigns WHERE no = 'CP2'") == "false")
        #expect(
            SegmentKit.error(try await kit.send("CAMPAIGN-ACTIVATE", [.positional("NOPE")]), .notFound)
                == "Campaign NOPE does not exist."
        )

        let seg = try await kit.segment([
            .named("description", "Targets"), .named("campaign", "CP1"), .named("campaign-target", "true"),
        ])
        try await kit.ok("SEGMENT-ADD-CONTACTS", [.positional(seg), .named("contact", "C1|P11|P0")])
        let activated = try await kit.ok("CAMPAIGN-ACTIVATE", [.positional("CP1"), .named("idem", "act-1")])
        #expect(activated.final == .ok("campaign CP1 activated"))
        #expect(SegmentKit.value(activated, "targets") == "2")
        // A company and its person count once, as the company.
        #expect(try await Self.targets(kit, "CP1") == ["C1", "P0"])
        #expect(
            SegmentKit.value(try await kit.ok("CAMPAIGN-LIST"), "activated") == "true"
        )
        // Segment lines keep it in step.
        try await kit.ok("SEGMENT-ADD-CONTACTS", [.positional(seg), .named("contact", "P21")])
        #expect(try await Self.targets(kit, "CP1") == ["C1", "C2", "P0"])
        try await kit.ok("SEGMENT-REDUCE", [.positional(seg), .named("contact", "P21|P0")])
        #expect(try await Self.targets(kit, "CP1") == ["C1"])
        // C1 stays while one of its contacts is still targeted.
        try await kit.ok("SEGMENT-REDUCE", [.positional(seg), .named("contact", "C1")])
        #expect(try await Self.targets(kit, "CP1") == ["C1"])
        try await kit.ok("SEGMENT-REDUCE", [.positional(seg), .named("contact", "P11")])
        #expect(try await Self.targets(kit, "CP1") == [])

        let sally = try await kit.session("SALLY", role: .salesperson, salesperson: "BO")
        #expect(SegmentKit.error(try await sally.send("CAMPAIGN-ACTIVATE", [.positional("CP1")]), .denied) != nil)
        #expect(try await sally.send("CAMPAIGN-TARGET-LIST", [.positional("CP1")]).final == .ok("0 contacts total=0"))
        await sally.close()

        try await kit.ok("SEGMENT-ADD-CONTACTS", [.positional(seg), .named("contact", "P0")])
        let deactivated = try await kit.ok("CAMPAIGN-DEACTIVATE", [.positional("CP1")])
        #expect(deactivated.final == .ok("campaign CP1 deactivated"))
        #expect(SegmentKit.value(deactivated, "targets") == "1")
        #expect(try await Self.targets(kit, "CP1") == [])
        #expect(
            SegmentKit.error(try await kit.send("CAMPAIGN-DEACTIVATE", [.positional("CP1")]), .invalid)
                == "Campaign CP1 is not activated."
        )
        // Inactive: lines no longer fill it.
        try await kit.ok("SEGMENT-ADD-CONTACTS", [.positional(seg), .named("contact", "C2")])
        #expect(try await Self.targets(kit, "CP1") == [])
        // An interaction marked campaign target of the activated campaign adds its contact's company.
        try await kit.ok("CAMPAIGN-ACTIVATE", [.positional("CP1")])
        #expect(try await Self.targets(kit, "CP1") == ["C2", "P0"])
        try await kit.ok(
            "INTERACTION-CREATE",
            [
                .named("contact", "P11"), .named("template", "CALL"), .named("campaign", "CP1"),
                .named("campaign-target", "true"),
            ]
        )
        #expect(try await Self.targets(kit, "CP1") == ["C1", "C2", "P0"])
        try await kit.ok("CAMPAIGN-DEACTIVATE", [.positional("CP1")])
        // A deleted contact leaves the target group (reference 3.12 R7).
        try await kit.ok("CAMPAIGN-ACTIVATE", [.positional("CP1")])
        #expect(try await Self.targets(kit, "CP1") == ["C1", "C2", "P0"])
        try await kit.ok("SEGMENT-REDUCE", [.positional(seg), .named("contact", "P0")])
        try await kit.script("INSERT INTO campaign_target_groups (campaign_no, contact_no) VALUES ('CP1', 'P0')")
        try await kit.ok("CONTACT-DELETE", [.positional("P0")])
        #expect(try await Self.targets(kit, "CP1") == ["C1", "C2"])
        try await kit.stop()
    }

    /// The "done when": a campaign end to end.
    /// While a campaign is activated, a document logged through a template that marks its contact a
    /// campaign target puts the contact's company into the target group, as INTERACTION-CREATE does.
    @Test func documentsMarkedCampaignTargetJoinTheTargetGroup() async throws {
        let kit = try await SegmentKit.start()
        let seg = try await kit.segment([
            .named("description", "Golf"), .named("template", "BUSLETTER"), .named("campaign", "CP1"),
            .named("campaign-target", "true"),
        ])
        try await kit.ok("SEGMENT-ADD-CONTACTS", [.positional(seg), .named("contact", "C1")])
        try await kit.ok("CAMPAIGN-ACTIVATE", [.positional("CP1")])
        #expect(try await Self.targets(kit, "CP1") == ["C1"])
        try await kit.script(
            """
            UPDATE interaction_templates SET campaign_no = 'CP1', campaign_target = true WHERE code = 'CALL';
            INSERT INTO interaction_template_setup (event, template_code) VALUES ('sales_quote', 'CALL');
            """
        )
        let logged = try await kit.ok(
            "DOCUMENT-LOG",
            [.named("document-type", "sales_quote"), .named("document-no", "Q-9"), .named("contact", "P21")]
        )
        #expect(SegmentKit.value(logged, "campaign") == "CP1")
        #expect(try await Self.targets(kit, "CP1") == ["C1", "C2"])
        try await kit.stop()
    }

    @Test func aCampaignEndToEnd() async throws {
        let kit = try await SegmentKit.start()
        try await kit.script(Self.invoiceSetup)
        try await kit.ok("CAMPAIGN-STATUS-ADD", [.positional("RUNNING"), .named("description", "Running")])
        try await kit.ok(
            "CAMPAIGN-SET",
            [
                .positional("CP1"), .named("starting-date", "2000-01-01"), .named("ending-date", "2999-12-31"),
                .named("status", "RUNNING"),
            ]
        )
        #expect(
            SegmentKit.error(
                try await kit.send("CAMPAIGN-SET", [.positional("CP2"), .named("status", "NOPE")]),
                .notFound
            )
                == "Campaign status NOPE does not exist."
        )
        // A segment built from a mailing group, logged with the campaign.
        try await kit.ok("MAILING-GROUP-ADD", [.positional("GOLF")])
        try await kit.ok("MAILING-GROUP-JOIN", [.positional("GOLF"), .named("contacts", "C1,P0")])
        let seg = try await kit.segment([
            .named("description", "Golf invitation"), .named("template", "BUSLETTER"), .named("campaign", "CP1"),
            .named("campaign-target", "true"), .named("date", "2025-03-14"),
        ])
        try await kit.ok("SEGMENT-ADD-CONTACTS", [.positional(seg), .named("mailing-group", "GOLF")])
        #expect(try await kit.contacts(seg) == ["P0", "C1"])
        try await kit.ok("LOG-SEGMENT", [.positional(seg), .named("deliver", "false")])
        // Its campaign entry shows the count, cost and duration.
        let entries = try await kit.ok("CAMPAIGN-ENTRY-LIST", [.named("campaign", "CP1")])
        let segmentEntry = try #require(SegmentKit.value(entries, "campaign-entry"))
        #expect(Self.stats(entries) == [segmentEntry, "false", "2", "16.00", "60.00"])

        // Activated: the logged entries marked campaign target fill the target group.
        let activated = try await kit.ok("CAMPAIGN-ACTIVATE", [.positional("CP1")])
        #expect(SegmentKit.value(activated, "targets") == "2")
        #expect(try await Self.targets(kit, "CP1") == ["C1", "P0"])
        // A posted invoice for the targeted customer logs an entry with the campaign, once per order.
        try await kit.ok("BUSINESS-RELATION-ADD", [.positional("CUST")])
        for (contact, account) in [("C1", "C10000"), ("C2", "C20000")] {
            try await kit.ok(
                "CONTACT-RELATION-LINK",
                [
                    .positional(contact), .named("link-to", "customer"), .named("account", account),
                    .named("business-relation", "CUST"),
                ]
            )
        }
        func invoice(_ no: String, customer: String = "C10000") -> [Argument] {
            [
                .named("document-type", "sales_invoice"), .named("document-no", no), .named("order", "SO-7"),
                .named("customer", customer),
            ]
        }
        let invoiced = try await kit.ok("DOCUMENT-LOG", invoice("INV-1"))
        #expect(SegmentKit.value(invoiced, "contact") == "C1")
        #expect(SegmentKit.value(invoiced, "campaign") == "CP1")
        #expect(SegmentKit.value(invoiced, "document-no") == "SO-7")
        let invoiceEntry = try #require(SegmentKit.value(invoiced, "campaign-entry"))
        #expect(invoiceEntry != segmentEntry)
        #expect(
            try await kit.scalar("SELECT description FROM campaign_entries WHERE entry_no = \(invoiceEntry)")
                == "Sales Invoices"
        )
        let again = try await kit.ok("DOCUMENT-LOG", invoice("INV-2"))
        #expect(again.final == .ok("nothing logged: order SO-7 already has a sales invoice entry for campaign CP1"))
        // A customer outside the target group: logged without a campaign.
        let other = try await kit.ok("DOCUMENT-LOG", invoice("INV-3", customer: "C20000"))
        #expect(SegmentKit.value(other, "campaign") == nil)
        // Blank setup template: refused for the targeted customer, silently skipped for the other.
        try await kit.script("DELETE FROM interaction_template_setup WHERE event = 'sales_invoice'")
        let before = try await kit.scalar("SELECT count(*)::text FROM interaction_log_entries")
        #expect(
            SegmentKit.error(try await kit.send("DOCUMENT-LOG", invoice("INV-4")), .invalid)
                == "The Invoices field on the Sales FastTab in the Interaction Template Setup window must be filled in."
        )
        #expect(
            try await kit.ok("DOCUMENT-LOG", invoice("INV-5", customer: "C20000")).final
                == .ok("nothing logged: no template is set up for sales_invoice in the interaction template setup")
        )
        #expect(try await kit.scalar("SELECT count(*)::text FROM interaction_log_entries") == before)

        // Canceling the segment's campaign entry cancels its entries and the statistics drop.
        func campaignTotal() async throws -> String? {
            try await kit.scalar(
                "SELECT coalesce(sum(entries), 0)::text FROM interaction_totals WHERE kind = 'campaign' AND key = 'CP1'"
            )
        }
        #expect(try await campaignTotal() == "3")
        let canceled = try await kit.ok("CAMPAIGN-ENTRY-CANCEL", [.named("campaign-entries", segmentEntry)])
        #expect(SegmentKit.value(canceled, "entries") == "2")
        #expect(try await campaignTotal() == "1")
        #expect(
            Self.stats(try await kit.ok("CAMPAIGN-ENTRY-SHOW", [.positional(segmentEntry)]))
                == [segmentEntry, "true", "2", "16.00", "60.00"]
        )
        #expect(
            Self.stats(try await kit.ok("CAMPAIGN-ENTRY-SHOW", [.positional(invoiceEntry)]))
                == [invoiceEntry, "false", "1", "2.00", "5.00"]
        )
        // The reporting view: campaign results by campaign entry (segment, document type).
        #expect(
            try await kit.sql(
                """
                SELECT campaign_no, description, no_of_interactions::text, no_of_canceled_interactions::text,
                       cost::text, canceled::text
                FROM campaign_results ORDER BY campaign_entry_no
                """
            ) == [
                ["CP1", "Golf invitation", "0", "2", "0.00", "true"],
                ["CP1", "Sales Invoices", "1", "0", "2.00", "false"],
            ]
        )
        try await kit.stop()
    }
}
