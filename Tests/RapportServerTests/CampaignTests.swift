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
        try await kit.stop()
    }
}
