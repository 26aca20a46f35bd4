import LibPQ
import RapportClient
import RapportModel
import RapportProtocol
import RapportTestSupport
import Testing

/// Reference 3.7 through the real server: add with each option, reduce and refine with and without entire
/// companies, go back, saved criteria, reuse of a logged segment.
@Suite("Segment criteria", .serialized)
struct SegmentCriteriaTests {
    @Test func addContactsWithEachOption() async throws {
        let kit = try await SegmentKit.start()
        let seg = try await kit.segment([.named("description", "Persons")])

        // Plain add: persons, excluded ones dropped, ordered by company name, company no., type, name.
        var reply = try await kit.ok("SEGMENT-ADD-CONTACTS", [.positional(seg), .named("type", "person")])
        #expect(SegmentKit.value(reply, "added") == "3")
        #expect(try await kit.contacts(seg) == ["P0", "P11", "P21"])
        #expect(
            try await kit.scalar("SELECT string_agg(line_no::text, ',' ORDER BY line_no) FROM segment_lines")
                == "10000,20000,30000"
        )

        // Allow existing contacts.
        reply = try await kit.ok("SEGMENT-ADD-CONTACTS", [.positional(seg), .named("contact", "P11")])
        #expect(SegmentKit.value(reply, "added") == "0")
        reply = try await kit.ok(
            "SEGMENT-ADD-CONTACTS",
            [.positional(seg), .named("contact", "P11"), .named("allow-existing", "true")]
        )
        #expect(SegmentKit.value(reply, "added") == "1")
        #expect(try await kit.contacts(seg) == ["P0", "P11", "P21", "P11"])

        // Ignore exclusion.
        reply = try await kit.ok("SEGMENT-ADD-CONTACTS", [.positional(seg), .named("contact", "P12")])
        #expect(SegmentKit.value(reply, "added") == "0")
        reply = try await kit.ok(
            "SEGMENT-ADD-CONTACTS",
            [.positional(seg), .named("contact", "P12"), .named("ignore-exclusion", "yes")]
        )
        #expect(SegmentKit.value(reply, "added") == "1")
        #expect(SegmentKit.value(reply, "criteria-actions") == "5")

        // Expand companies: a person of C1 brings the company and its (non-excluded) persons.
        let expand = try await kit.segment()
        try await kit.ok(
            "SEGMENT-ADD-CONTACTS",
            [.positional(expand), .named("contact", "P11"), .named("expand-companies", "true")]
        )
        #expect(try await kit.contacts(expand) == ["C1", "P11"])
        try await kit.ok(
            "SEGMENT-ADD-CONTACTS",
            [.positional(expand), .named("contact", "C2|P0"), .named("expand-companies", "true")]
        )
        #expect(try await kit.contacts(expand) == ["C1", "P11", "P0", "C2", "P21"])

        // Allow related companies: the company of each person found comes along.
        let related = try await kit.segment()
        try await kit.ok(
            "SEGMENT-ADD-CONTACTS",
            [.positional(related), .named("contact", "P21|P0"), .named("allow-related-companies", "true")]
        )
        #expect(try await kit.contacts(related) == ["P0", "C2", "P21"])

        // Filters on interaction log entries: contacts with a matching (non-postponed) entry.
        try await kit.script(
            """
            INSERT INTO users (user_id, password_hash) VALUES ('LOADER', '$x$y');
            INSERT INTO interaction_log_entries (contact_no, contact_company_no, date, user_id,
                interaction_group_code, interaction_template_code, salesperson_code, evaluation)
            VALUES ('P21', 'C2', '2025-02-10', 'LOADER', 'PHONE', 'CALL', 'AH', 'positive'),
                   ('P0', NULL, '2024-12-01', 'LOADER', 'PHONE', 'CALL', 'BO', 'negative');
            INSERT INTO interaction_log_entries (contact_no, date, user_id, interaction_group_code,
                interaction_template_code, postponed)
            VALUES ('C1', '2025-02-11', 'LOADER', 'PHONE', 'CALL', true);
            """
        )
        let logs = try await kit.segment()
        try await kit.ok(
            "SEGMENT-ADD-CONTACTS",
            [.positional(logs), .named("log-template", "CALL"), .named("log-date", "2025-01-01..")]
        )
        #expect(try await kit.contacts(logs) == ["P21"])
        try await kit.ok(
            "SEGMENT-ADD-CONTACTS",
            [.positional(logs), .named("log-evaluation", "negative|very_negative")]
        )
        #expect(try await kit.contacts(logs) == ["P21", "P0"])

        // Name patterns and bad filters.
        let names = try await kit.segment()
        try await kit.ok("SEGMENT-ADD-CONTACTS", [.positional(names), .named("name", "*alpha*")])
        #expect(try await kit.contacts(names) == ["C1", "P11"])
        let bad = try await kit.send("SEGMENT-ADD-CONTACTS", [.positional(names), .named("type", "robot")])
        #expect(SegmentKit.error(bad, .badArguments)?.contains("company, person") == true)
        try await kit.stop()
    }

    /// All six contacts (excluded ones too) on a new segment.
    static func everyone(_ kit: SegmentKit) async throws -> String {
        let seg = try await kit.segment()
        try await kit.ok("SEGMENT-ADD-CONTACTS", [.positional(seg), .named("ignore-exclusion", "true")])
        #expect(try await kit.contacts(seg) == ["P0", "C1", "P12", "P11", "C2", "P21"])
        return seg
    }

    @Test func reduceAndRefineWithAndWithoutEntireCompanies() async throws {
        let kit = try await SegmentKit.start()
        // Only the company C2 is in DE; only C1 and P0 are in DK.
        let reduce = try await Self.everyone(kit)
        var reply = try await kit.ok("SEGMENT-REDUCE", [.positional(reduce), .named("country", "DE")])
        #expect(SegmentKit.value(reply, "removed") == "1")
        #expect(try await kit.contacts(reduce) == ["P0", "C1", "P12", "P11", "P21"])

        let reduceAll = try await Self.everyone(kit)
        reply = try await kit.ok(
            "SEGMENT-REDUCE",
            [.positional(reduceAll), .named("country", "DE"), .named("entire-companies", "true")]
        )
        #expect(SegmentKit.value(reply, "removed") == "2")
        #expect(try await kit.contacts(reduceAll) == ["P0", "C1", "P12", "P11"])

        let refine = try await Self.everyone(kit)
        try await kit.ok("SEGMENT-REFINE", [.positional(refine), .named("country", "DK")])
        #expect(try await kit.contacts(refine) == ["P0", "C1"])

        let refineAll = try await Self.everyone(kit)
        try await kit.ok(
            "SEGMENT-REFINE",
            [.positional(refineAll), .named("country", "DK"), .named("entire-companies", "true")]
        )
        #expect(try await kit.contacts(refineAll) == ["P0", "C1", "P12", "P11"])

        // Every removed line has a deletion row under the action's number.
        #expect(
            try await kit.scalar(
                """
                SELECT string_agg(contact_no, ',' ORDER BY segment_line_no) FROM segment_history
                WHERE segment_no = '\(refineAll)' AND segment_action_no = 2 AND action_taken = 'deletion'
                """
            ) == "C2,P21"
        )
        try await kit.stop()
    }

    @Test func goBackRestoresTheLinesOfBefore() async throws {
        let kit = try await SegmentKit.start()
        let seg = try await kit.segment()
        try await kit.ok("SEGMENT-ADD-CONTACTS", [.positional(seg), .named("type", "company")])
        let before = try await kit.contacts(seg)
        #expect(before == ["C1", "C2"])

        try await kit.ok("SEGMENT-ADD-CONTACTS", [.positional(seg), .named("type", "person")])
        try await kit.ok("SEGMENT-REDUCE", [.positional(seg), .named("contact", "C1|P11")])
        try await kit.ok("SEGMENT-LINE-ADD", [.positional(seg), .named("contact", "P12")])
        #expect(try await kit.contacts(seg) == ["C2", "P0", "P21", "P12"])

        // Undo the manual line, the reduce (C1 and P11 come back at the end), then the add.
        var reply = try await kit.ok("SEGMENT-GO-BACK", [.positional(seg)])
        #expect(SegmentKit.value(reply, "criteria-actions") == "3")
        #expect(try await kit.contacts(seg) == ["C2", "P0", "P21"])
        reply = try await kit.ok("SEGMENT-GO-BACK", [.positional(seg)])
        #expect(SegmentKit.value(reply, "added") == "2")
        #expect(Set(try await kit.contacts(seg)) == ["C1", "C2", "P0", "P21", "P11"])
        try await kit.ok("SEGMENT-GO-BACK", [.positional(seg)])
        #expect(Set(try await kit.contacts(seg)) == Set(before))

        // The criteria list is back to the first action with its filter; history only for it.
        let criteria = try await kit.ok("SEGMENT-CRITERIA", [.positional(seg)])
        #expect(SegmentKit.values(criteria, "text") == ["Add Contacts", "Contact: Type = company"])
        #expect(try await kit.scalar("SELECT count(*)::text FROM segment_history WHERE segment_no = '\(seg)'") == "2")
        try await kit.ok("SEGMENT-GO-BACK", [.positional(seg)])
        #expect(try await kit.contacts(seg) == [])
        let nothing = try await kit.send("SEGMENT-GO-BACK", [.positional(seg)])
        #expect(SegmentKit.error(nothing, .invalid) == SegmentMessages.goBackNothing)
        try await kit.stop()
    }

    @Test func savedCriteriaReusedOnANewSegmentGiveTheSameLines() async throws {
        let kit = try await SegmentKit.start()
        let first = try await kit.segment()
        try await kit.ok("SEGMENT-ADD-CONTACTS", [.positional(first), .named("ignore-exclusion", "true")])
        try await kit.ok(
            "SEGMENT-REFINE",
            [.positional(first), .named("post-code", "1000..1999"), .named("entire-companies", "true")]
        )
        try await kit.ok("SEGMENT-REDUCE", [.positional(first), .named("name", "al a*")])
        let lines = try await kit.contacts(first)
        #expect(lines == ["P0", "C1", "P11"])

        let saved = try await kit.ok(
            "CRITERIA-SAVE",
            [.positional(first), .named("criteria", "north"), .named("description", "Northern")]
        )
        #expect(SegmentKit.value(saved, "criteria-actions") == "3")
        let again = try await kit.send("CRITERIA-SAVE", [.positional(first), .named("criteria", "NORTH")])
        #expect(SegmentKit.error(again, .conflict) != nil)
        let list = try await kit.ok("CRITERIA-LIST")
        #expect(SegmentKit.values(list, "criteria") == ["NORTH"])

        let second = try await kit.segment()
        try await kit.ok("CRITERIA-REUSE", [.positional(second), .named("criteria", "NORTH")])
        #expect(try await kit.contacts(second) == lines)
        let criteria = try await kit.ok("SEGMENT-CRITERIA", [.positional(second)])
        #expect(
            SegmentKit.values(criteria, "text") == [
                "Add Contacts (Ignore Exclusion)", "Remove Contacts (Refine) (Entire Companies)",
                "Contact: Post Code = 1000..1999", "Remove Contacts (Reduce)", "Contact: Search Name = AL A*",
            ]
        )
        // A segment with criteria asks first.
        let unconfirmed = try await kit.send("CRITERIA-REUSE", [.positional(second), .named("criteria", "NORTH")])
        #expect(SegmentKit.error(unconfirmed, .invalid)?.contains("already contains 3 No. of Criteria Actions") == true)
        try await kit.stop()
    }

    @Test func savedCriteriaBelongToWhoSavedThem() async throws {
        let kit = try await SegmentKit.start()
        let ann = try await kit.session("ANN", role: .salesperson, salesperson: "AH")
        let bob = try await kit.session("BOB", role: .salesperson, salesperson: "BO")
        let annSegment = SegmentKit.value(try await ann.send("SEGMENT-CREATE", []), "segment") ?? ""
        _ = try await ann.send("SEGMENT-ADD-CONTACTS", [.positional(annSegment), .named("post-code", "1000..1999")])
        let saved = try await ann.send("CRITERIA-SAVE", [.positional(annSegment), .named("criteria", "north")])
        #expect(SegmentKit.value(saved, "created-by") == "ANN")

        // Bob may list and reuse Ann's criteria, not overwrite or delete them.
        let listed = try await bob.send("CRITERIA-LIST", [])
        #expect(SegmentKit.values(listed, "created-by") == ["ANN"])
        let overwrite = try await bob.send(
            "CRITERIA-SAVE",
            [.positional(annSegment), .named("criteria", "NORTH"), .named("replace", "true")]
        )
        #expect(SegmentKit.error(overwrite, .denied)?.contains("belong to ANN") == true)
        let delete = try await bob.send("CRITERIA-DELETE", [.positional("NORTH")])
        #expect(SegmentKit.error(delete, .denied) != nil)
        #expect(try await kit.scalar("SELECT created_by FROM saved_segment_criteria WHERE code = 'NORTH'") == "ANN")

        // The owner replaces and deletes; a manager may do both for anyone.
        _ = try await ann.send(
            "CRITERIA-SAVE",
            [.positional(annSegment), .named("criteria", "NORTH"), .named("replace", "true")]
        )
        try await kit.ok(
            "CRITERIA-SAVE",
            [.positional(annSegment), .named("criteria", "NORTH"), .named("replace", "true")]
        )
        #expect(try await kit.scalar("SELECT created_by FROM saved_segment_criteria WHERE code = 'NORTH'") == "MANAGER")
        let annDelete = try await ann.send("CRITERIA-DELETE", [.positional("NORTH")])
        #expect(SegmentKit.error(annDelete, .denied) != nil)
        try await kit.ok("CRITERIA-DELETE", [.positional("NORTH")])
        try await kit.stop()
    }

    @Test func aTemplateReplacesATypedLineDescriptionOnlyWhenTheLineHadAnotherTemplate() async throws {
        let kit = try await SegmentKit.start()
        let seg = try await kit.segment([.named("description", "Mixed")])
        try await kit.ok(
            "SEGMENT-LINE-ADD",
            [.positional(seg), .named("contact", "P11"), .named("description", "Typed note")]
        )
        func description() async throws -> String? {
            try await kit.scalar("SELECT description FROM segment_lines WHERE segment_no = '\(seg)'")
        }
        #expect(try await kit.scalar("SELECT interaction_template_code FROM segment_lines") == nil)
        // No template before: the typed description stays.
        try await kit.ok("SEGMENT-LINE-SET", [.positional(seg), .positional("10000"), .named("template", "CALL")])
        #expect(try await description() == "Typed note")
        // The same template again: it stays too.
        try await kit.ok("SEGMENT-LINE-SET", [.positional(seg), .positional("10000"), .named("template", "CALL")])
        #expect(try await description() == "Typed note")
        // Another template replaces it with the template's.
        try await kit.ok(
            "SEGMENT-LINE-SET",
            [.positional(seg), .positional("10000"), .named("template", "BUSLETTER")]
        )
        #expect(try await description() == "Business letter")
        try await kit.stop()
    }

    @Test func manualLinesAndOverridesAreRecordedAndKept() async throws {
        let kit = try await SegmentKit.start()
        let seg = try await kit.segment([.named("template", "BUSLETTER"), .named("description", "Letter")])
        let added = try await kit.ok(
            "SEGMENT-LINE-ADD",
            [
                .positional(seg), .named("contact", "P11"), .named("cost", "12.5"), .named("evaluation", "positive"),
                .named("description", "Personal letter"),
            ]
        )
        #expect(SegmentKit.value(added, "line") == "10000")
        let row = try #require(
            try await kit.sql(
                """
                SELECT cost::text, evaluation, description, contact_company_no, language_code, attachment_no::text,
                       interaction_template_code, correspondence_type
                FROM segment_lines WHERE segment_no = '\(seg)'
                """
            ).first
        )
        // P11 speaks DEU and the segment has a DEU variant (a copy of the template's attachment 2).
        let deuCopy = try await kit.scalar(
            "SELECT attachment_no::text FROM segment_interaction_languages WHERE segment_no = '\(seg)' AND language_code = 'DEU'"
        )
        #expect(row == ["12.50", "positive", "Personal letter", "C1", "DEU", deuCopy, "BUSLETTER", "hard_copy"])
        #expect(deuCopy != "2")

        // Changing the contact re-initialises the line and keeps its number.
        try await kit.ok("SEGMENT-LINE-SET", [.positional(seg), .positional("10000"), .named("contact", "P0")])
        #expect(
            try await kit.sql(
                "SELECT line_no::text, contact_no, cost::text FROM segment_lines WHERE segment_no = '\(seg)'"
            )
                == [["10000", "P0", "8.00"]]
        )
        try await kit.ok("SEGMENT-LINE-REMOVE", [.positional(seg), .named("lines", "10000")])
        #expect(try await kit.contacts(seg) == [])
        try await kit.ok("SEGMENT-GO-BACK", [.positional(seg)])
        #expect(try await kit.contacts(seg) == ["P0"])
        #expect(
            try await kit.scalar(
                "SELECT count(*)::text FROM segment_criteria_lines WHERE segment_no = '\(seg)' AND type = 'action'"
            ) == "3"
        )

        // Several lines go in one request, each recorded as its own reduce action; a line that does not
        // exist refuses the whole request.
        let first = SegmentKit.value(
            try await kit.ok("SEGMENT-LINE-ADD", [.positional(seg), .named("contact", "P11")]),
            "line"
        )
        let second = SegmentKit.value(
            try await kit.ok("SEGMENT-LINE-ADD", [.positional(seg), .named("contact", "P12")]),
            "line"
        )
        let refused = try await kit.send(
            "SEGMENT-LINE-REMOVE",
            [.positional(seg), .named("lines", "\(first ?? ""),99999")]
        )
        #expect(SegmentKit.error(refused, .notFound) != nil)
        #expect(try await kit.contacts(seg).sorted() == ["P0", "P11", "P12"])
        let removed = try await kit.ok(
            "SEGMENT-LINE-REMOVE",
            [.positional(seg), .named("lines", "\(first ?? ""),\(second ?? "")")]
        )
        #expect(SegmentKit.value(removed, "lines") == "1")
        #expect(try await kit.contacts(seg) == ["P0"])
        try await kit.stop()
    }
}
