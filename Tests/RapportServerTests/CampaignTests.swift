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
}
