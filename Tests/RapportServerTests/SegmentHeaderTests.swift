import Foundation
import LibPQ
import RapportClient
import RapportModel
import RapportProtocol
import RapportTestSupport
import Testing

/// Reference 3.6 through the real server: numbering, header → line propagation, template changes, roles.
@Suite("Segment headers", .serialized)
struct SegmentHeaderTests {
    @Test func numbersComeFromTheSeriesOrAreTypedWhenAllowed() async throws {
        let kit = try await SegmentKit.start()
        let created = try await kit.ok("SEGMENT-CREATE", [.named("description", "First")])
        #expect(SegmentKit.value(created, "segment") == "SEG00001")
        #expect(SegmentKit.value(created, "salesperson") == "AH")
        #expect(SegmentKit.value(created, "series") == "SEG")
        #expect(try await kit.scalar("SELECT (date = CURRENT_DATE)::text FROM segment_headers") == "true")
        try await kit.ok("SEGMENT-CREATE", [.named("segment", "manual-1")])
        #expect(try await kit.scalar("SELECT no FROM segment_headers WHERE no_series IS NULL") == "MANUAL-1")
        var reply = try await kit.send("SEGMENT-CREATE", [.named("segment", "MANUAL-1")])
        #expect(SegmentKit.error(reply, .conflict) == "Segment MANUAL-1 already exists.")

        try await kit.script("UPDATE number_series SET allow_manual = false")
        reply = try await kit.send("SEGMENT-CREATE", [.named("segment", "MANUAL-2")])
        #expect(SegmentKit.error(reply, .invalid) == SegmentMessages.manualNumbersNotAllowed(series: "SEG"))
        try await kit.script("UPDATE marketing_setup SET segment_nos = NULL")
        reply = try await kit.send("SEGMENT-CREATE")
        #expect(SegmentKit.error(reply, .invalid) == SegmentMessages.segmentNosMissing)
        try await kit.stop()
    }

    @Test func headerChangesReachTheLinesWithTheHeadersTemplate() async throws {
        let kit = try await SegmentKit.start()
        let seg = try await kit.segment([.named("template", "BUSLETTER"), .named("description", "Letter")])
        try await kit.ok("SEGMENT-ADD-CONTACTS", [.positional(seg), .named("contact", "C1|C2|P0")])
        try await kit.ok("SEGMENT-LINE-SET", [.positional(seg), .positional("30000"), .named("template", "CALL")])
        var reply = try await kit.ok(
            "SEGMENT-SET",
            [
                .positional(seg), .named("unit-cost", "9.5"), .named("description", "Letter 2"),
                .named("date", "2025-05-02"),
            ]
        )
        #expect(reply.final == .ok("segment \(seg) changed, 2 lines updated"))
        let lines = """
            SELECT contact_no, cost::text, description, date::text FROM segment_lines WHERE segment_no = '\(seg)'
            ORDER BY line_no
            """
        let rows = try await kit.sql(lines)
        try #require(rows.count == 3)
        #expect(rows[0] == ["P0", "9.50", "Letter 2", "2025-05-02"])
        #expect(rows[1] == ["C1", "9.50", "Letter 2", "2025-05-02"])
        #expect(rows[2][0] == "C2" && rows[2][1] == "1.00" && rows[2][2] == "Outgoing call")

        // update-lines=false changes only the header.
        reply = try await kit.ok(
            "SEGMENT-SET",
            [.positional(seg), .named("unit-cost", "4"), .named("update-lines", "false")]
        )
        #expect(SegmentKit.value(reply, "unit-cost") == "4.00")
        #expect(try await kit.sql(lines).first?[1] == "9.50")

        // A new template without updating lines is refused while lines inherit the segment's attachment.
        reply = try await kit.send(
            "SEGMENT-SET",
            [.positional(seg), .named("template", "CALL"), .named("apply-template-to-lines", "false")]
        )
        #expect(SegmentKit.error(reply, .invalid) == SegmentMessages.templateNeedsLineUpdate)
        // Applied to the lines, every line gets the template and its values, and the content goes.
        reply = try await kit.ok("SEGMENT-SET", [.positional(seg), .named("template", "CALL")])
        #expect(
            try await kit.sql(
                """
                SELECT string_agg(DISTINCT interaction_template_code, ','), string_agg(DISTINCT cost::text, ','),
                       count(attachment_no)::text
                FROM segment_lines WHERE segment_no = '\(seg)'
                """
            ) == [["CALL", "1.00", "0"]]
        )
        #expect(
            try await kit.scalar(
                "SELECT count(*)::text FROM segment_interaction_languages WHERE segment_no = '\(seg)'"
            ) == "0"
        )
        try await kit.stop()
    }

    /// An empty value blanks a field; typed values come back as the protocol prints them.
    @Test func anEmptyValueBlanksAField() async throws {
        let kit = try await SegmentKit.start()
        let seg = try await kit.segment([.named("template", "BUSLETTER"), .named("description", "Blanks")])
        var reply = try await kit.ok(
            "SEGMENT-SET",
            [
                .positional(seg), .named("unit-cost", "9.5"), .named("date", "2025-03-14"),
                .named("initiated-by", "them"),
            ]
        )
        #expect(SegmentKit.value(reply, "unit-cost") == "9.50")
        #expect(SegmentKit.value(reply, "date") == "2025-03-14")
        #expect(SegmentKit.value(reply, "initiated-by") == "them")
        reply = try await kit.ok("SEGMENT-SET", [.positional(seg), .named("date", ""), .named("initiated-by", "")])
        #expect(SegmentKit.value(reply, "date") == nil)
        #expect(SegmentKit.value(reply, "initiated-by") == nil)
        #expect(reply.dataLines[0].tokens.contains(.named("date", "")), "a blank is written as date=")
        let word = try await kit.send("SEGMENT-SET", [.positional(seg), .named("initiated-by", "blank")])
        if case .error = word.final {} else { Issue.record("initiated-by=blank was accepted") }

        try await kit.ok("SEGMENT-ADD-CONTACTS", [.positional(seg), .named("contact", "P11")])
        reply = try await kit.ok("SEGMENT-LINE-SET", [.positional(seg), .positional("10000"), .named("time", "10:30")])
        #expect(SegmentKit.value(reply, "time") == "10:30:00")
        reply = try await kit.ok("SEGMENT-LINE-SET", [.positional(seg), .positional("10000"), .named("time", "")])
        #expect(SegmentKit.value(reply, "time") == nil)
        let lines = try await kit.ok("SEGMENT-LINE-LIST", [.positional(seg)])
        #expect(SegmentKit.values(lines, "line") == ["10000"])
        try await kit.stop()
    }

    @Test func aNewLineFollowsTheDefaultingRules() async throws {
        let kit = try await SegmentKit.start()
        let seg = try await kit.segment([.named("template", "BUSLETTER"), .named("description", "Rules")])
        try await kit.ok("SEGMENT-SET", [.positional(seg), .named("salesperson", ""), .named("date", "2025-03-14")])
        try await kit.ok("SEGMENT-ADD-CONTACTS", [.positional(seg), .named("contact", "P21|P11")])
        let header = try #require(
            try await kit.sql(
                """
                SELECT description, unit_cost::text, unit_duration::text, date::text, language_code_default
                FROM segment_headers WHERE no = '\(seg)'
                """
            ).first
        )
        var defaults = SegmentLineDefaults.Header()
        defaults.description = header[0]
        defaults.templateCode = "BUSLETTER"
        defaults.groupCode = "LETTER"
        defaults.unitCost = try #require(header[1].flatMap { Decimal(string: $0) })
        defaults.unitDuration = try #require(header[2].flatMap { Decimal(string: $0) })
        defaults.date = header[3].flatMap(CalendarDate.init)
        defaults.informationFlow = .outbound
        defaults.initiatedBy = .us
        defaults.languageCodeDefault = header[4]
        let rows = try await kit.sql(
            """
            SELECT language_code, attachment_no::text, subject, word_template_code
            FROM segment_interaction_languages WHERE segment_no = '\(seg)' AND segment_line_no = 0
            """
        )
        let languages = rows.map {
            SegmentLineDefaults.LanguageRow(languageCode: $0[0], attachmentNo: $0[1].flatMap { Int64($0) })
        }
        let template = CorrespondenceTypePrecedence.Template(
            ignoreContactCorrespondenceType: false,
            defaultType: .hardCopy
        )
        let expected = [
            SegmentLineDefaults.Contact(
                no: "P11",
                type: .person,
                companyNo: "C1",
                salespersonCode: "AH",
                languageCode: "DEU"
            ),
            SegmentLineDefaults.Contact(
                no: "P21",
                type: .person,
                companyNo: "C2",
                salespersonCode: "AH",
                correspondenceType: .email
            ),
        ].map { SegmentLineDefaults.line(header: defaults, contact: $0, template: template, languageRows: languages) }
        let stored = try await kit.sql(
            """
            SELECT contact_no, contact_company_no, description, salesperson_code, correspondence_type, cost::text,
                   duration::text, date::text, information_flow, initiated_by, language_code, attachment_no::text
            FROM segment_lines WHERE segment_no = '\(seg)' ORDER BY line_no
            """
        )
        // Amounts and dates compared as values (the rule holds Decimal and CalendarDate, SQL prints text).
        let typed = stored.map { row in
            row.enumerated().map { index, text in
                switch index {
                case 5, 6: text.flatMap { Decimal(string: $0) }.map { "\($0)" }
                case 7: text.flatMap(CalendarDate.init)?.description
                default: text
                }
            }
        }
        #expect(
            typed
                == expected.map {
                    [
                        $0.contactNo, $0.contactCompanyNo, $0.description, $0.salespersonCode,
                        $0.correspondenceType?.rawValue, "\($0.cost)", "\($0.duration)", $0.date?.description,
                        $0.informationFlow?.rawValue, $0.initiatedBy?.rawValue, $0.languageCode,
                        $0.attachmentNo.map(String.init),
                    ]
                }
        )
        #expect(stored.map { $0[4] } == ["hard_copy", "email"])
        try await kit.stop()
    }

    @Test func salespeopleManageOnlyTheirOwnSegments() async throws {
        let kit = try await SegmentKit.start()
        let managers = try await kit.segment([.named("description", "Manager's")])
        let sally = try await kit.session("SALLY", role: .salesperson, salesperson: "BO")
        var reply = try await sally.send("SEGMENT-SET", [.positional(managers), .named("description", "Mine now")])
        #expect(SegmentKit.error(reply, .denied) != nil)
        reply = try await sally.send("SEGMENT-ADD-CONTACTS", [.positional(managers)])
        #expect(SegmentKit.error(reply, .denied) != nil)
        reply = try await sally.send("SEGMENT-DELETE", [.positional(managers)])
        #expect(SegmentKit.error(reply, .denied) != nil)

        reply = try await sally.send("SEGMENT-CREATE", [.named("description", "Sally's"), .named("salesperson", "AH")])
        #expect(SegmentKit.error(reply, .denied) != nil)
        reply = try await sally.send("SEGMENT-CREATE", [.named("description", "Sally's")])
        let own = try #require(SegmentKit.value(reply, "segment"))
        #expect(SegmentKit.value(reply, "salesperson") == "BO")
        reply = try await sally.send("SEGMENT-ADD-CONTACTS", [.positional(own), .named("contact", "P0")])
        #expect(SegmentKit.value(reply, "added") == "1")
        // The manager may change anyone's segment; everyone may read.
        try await kit.ok("SEGMENT-SET", [.positional(own), .named("description", "Checked")])
        let mine = try await sally.send("SEGMENT-LIST", [.named("mine", "true")])
        #expect(SegmentKit.values(mine, "segment") == [own])
        let all = try await sally.send("SEGMENT-LIST")
        #expect(SegmentKit.values(all, "segment").count == 2)
        await sally.close()
        try await kit.stop()
    }
}
