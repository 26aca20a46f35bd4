import RapportClient
import RapportProtocol
import RapportTestSupport
import Testing

/// Postponed interactions (reference 3.3 R7, 3.4) through the real server and PostgreSQL.
@Suite("Interactions: postponed", .serialized)
struct InteractionPostponedTests {
    @Test func postponeThenResumeLogsOneEntryWithTheSameNumber() async throws {
        let kit = try await InteractionKit.start()
        let saved = try await kit.alice.expectOK(
            "INTERACTION-CREATE",
            [
                .named("contact", "CO1"), .named("template", "LETTER"), .named("postpone", "true"),
                .named("comment", "draft note"), .named("attachment-name", "draft.txt"),
            ],
            payload: Array("draft".utf8)
        )
        #expect(saved.final == .ok("interaction \(saved.field("entry") ?? "") postponed"))
        let entry = saved.field("entry")!
        let attachment = saved.field("attachment")!
        // Postponed: no campaign entry, attachment still editable.
        #expect(
            try await kit.entry(
                entry,
                "postponed::text, campaign_entry_no, (SELECT read_only::text FROM attachments WHERE no = attachment_no)"
            ) == ["true", nil, "false"]
        )
        #expect(try await kit.count("SELECT count(*) FROM campaign_entries") == 0)
        // Saved long ago: resuming re-dates it; the manager resumes it, so the user ID changes.
        try await kit.sql("UPDATE interaction_log_entries SET date = '2024-01-02' WHERE entry_no = \(entry)")
        let resumed = try await kit.manager.expectOK(
            "POSTPONED-RESUME",
            [.positional(entry), .named("comment", "called\nagreed"), .named("evaluation", "positive")]
        )
        #expect(resumed.final == .ok("interaction \(entry) logged"))
        #expect(resumed.field("entry") == entry)
        #expect(try await kit.count("SELECT count(*) FROM interaction_log_entries") == 1)
        #expect(
            try await kit.entry(
                entry,
                """
                postponed::text, (date = CURRENT_DATE)::text, user_id, evaluation, salesperson_code,
                description, attachment_no::text, (SELECT read_only::text FROM attachments WHERE no = attachment_no),
                (campaign_entry_no IS NOT NULL)::text
                """
            ) == ["false", "true", "MANAGER", "positive", "AH", "Business letter", attachment, "true", "true"]
        )
        #expect(
            try await kit.rows(
                "SELECT comment FROM interaction_log_entry_comments WHERE entry_no = \(entry) ORDER BY line_no"
            ) == [["called"], ["agreed"]]
        )
        // Logged now: it cannot be resumed again.
        try await kit.manager.expectRefused(.conflict, "POSTPONED-RESUME", [.positional(entry)])
        try await kit.stop()
    }

    @Test func resumeCanPostponeAgainReplaceOrRemoveTheAttachment() async throws {
        let kit = try await InteractionKit.start()
        let saved = try await kit.alice.expectOK(
            "INTERACTION-CREATE",
            [.named("contact", "CO1"), .named("template", "CALL"), .named("postpone", "true"), .named("comment", "x")],
            payload: Array("one".utf8)
        )
        let entry = saved.field("entry")!
        let attachment = saved.field("attachment")!
        // Postponed again, with new content: the attachment keeps its number; comments are kept.
        let again = try await kit.alice.send(
            "POSTPONED-RESUME",
            [.positional(entry), .named("postpone", "true"), .named("description", "Call back")],
            payload: Array("two".utf8)
        )
        #expect(again.final == .ok("interaction \(entry) postponed"))
        #expect(
            try await kit.entry(
                entry,
                "postponed::text, description, attachment_no::text, "
                    + "(SELECT convert_from(content, 'UTF8') FROM attachments WHERE no = attachment_no)"
            ) == ["true", "Call back", attachment, "two"]
        )
        #expect(try await kit.count("SELECT count(*) FROM interaction_log_entry_comments") == 1)
        // Bob may not touch Alice's postponed interaction.
        try await kit.bob.expectRefused(.denied, "POSTPONED-RESUME", [.positional(entry)])
        // Completed without the attachment: it is deleted.
        try await kit.alice.expectOK("POSTPONED-RESUME", [.positional(entry), .named("remove-attachment", "true")])
        #expect(try await kit.entry(entry, "attachment_no, postponed::text") == [nil, "false"])
        #expect(try await kit.count("SELECT count(*) FROM attachments WHERE no = \(attachment)") == 0)
        try await kit.stop()
    }

    @Test func postponedEntriesAreAbsentFromTheLogAndTheStatistics() async throws {
        let kit = try await InteractionKit.start()
        let logged = try await kit.alice.logInteraction([.named("contact", "CO1"), .named("template", "CALL")])
        let postponed = try await kit.alice.logInteraction([
            .named("contact", "CO1"), .named("template", "CALL"), .named("postpone", "true"),
        ])
        let log = try await kit.alice.expectOK("LOG-LIST", [.named("company", "CO1")])
        #expect(log.fields("entry") == [logged])
        let all = try await kit.manager.expectOK("LOG-LIST")
        #expect(all.fields("entry") == [logged])
        for subject in [("contact", "CO1"), ("template", "CALL"), ("group", "PHONE"), ("salesperson", "AH")] {
            let stats = try await kit.alice.expectOK("STATS", [.named(subject.0, subject.1)])
            #expect(stats.field("count") == "1", "\(subject)")
            #expect(stats.field("cost") == "1.00", "\(subject)")
        }
        // The postponed list: Alice's own; Bob sees none; the manager all, and can filter.
        let mine = try await kit.alice.expectOK("POSTPONED-LIST")
        #expect(mine.fields("entry") == [postponed])
        #expect(mine.field("postponed") == "true")
        #expect(try await kit.bob.expectOK("POSTPONED-LIST").dataLines.isEmpty)
        try await kit.bob.expectRefused(.denied, "POSTPONED-LIST", [.named("salesperson", "AH")])
        #expect(
            try await kit.manager.expectOK("POSTPONED-LIST", [.named("salesperson", "AH")]).fields("entry") == [
                postponed
            ]
        )
        #expect(try await kit.manager.expectOK("POSTPONED-LIST", [.named("user", "BOB")]).dataLines.isEmpty)
        // Log actions do not apply to postponed entries.
        try await kit.alice.expectRefused(.invalid, "LOG-CANCEL", [.named("entries", postponed)])
        try await kit.stop()
    }

    @Test func deletingPostponedInteractionsTakesTheirCommentsAndAttachments() async throws {
        let kit = try await InteractionKit.start()
        let saved = try await kit.alice.expectOK(
            "INTERACTION-CREATE",
            [.named("contact", "CO1"), .named("template", "CALL"), .named("postpone", "true"), .named("comment", "c")],
            payload: Array("file".utf8)
        )
        let entry = saved.field("entry")!
        let logged = try await kit.alice.logInteraction([.named("contact", "CO1"), .named("template", "CALL")])
        try await kit.alice.expectRefused(.invalid, "POSTPONED-DELETE", [.named("entries", "\(entry),\(logged)")])
        try await kit.bob.expectRefused(.denied, "POSTPONED-DELETE", [.named("entries", entry)])
        try await kit.alice.expectRefused(.notFound, "POSTPONED-DELETE", [.named("entries", "99999")])
        let deleted = try await kit.alice.expectOK(
            "POSTPONED-DELETE",
            [.named("entries", entry), .named("idem", "pd-1")]
        )
        #expect(deleted.final == .ok("1 entry deleted"))
        #expect(try await kit.count("SELECT count(*) FROM interaction_log_entries") == 1)
        #expect(try await kit.count("SELECT count(*) FROM interaction_log_entry_comments") == 0)
        #expect(try await kit.count("SELECT count(*) FROM attachments") == 2, "only the template attachments remain")
        try await kit.stop()
    }
}
