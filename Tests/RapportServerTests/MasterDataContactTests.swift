import RapportClient
import RapportModel
import RapportProtocol
import RapportTestSupport
import Testing

/// Contacts through the real server: numbering, defaults, links, the guards of reference §3.12 R7,
/// listing, roles and idempotency.
@Suite("Master data: contacts", .serialized)
struct MasterDataContactServerTests {
    /// A group G, a template T and a log entry for `contact` (company `company`); returns its number.
    static func entry(_ kit: MasterDataKit, contact: String, company: String?) async throws -> String {
        try await kit.script(
            """
            INSERT INTO interaction_groups (code) VALUES ('G') ON CONFLICT DO NOTHING;
            INSERT INTO interaction_templates (code, interaction_group_code) VALUES ('T', 'G') ON CONFLICT DO NOTHING
            """
        )
        let companySQL = company.map { "'\($0)'" } ?? "NULL"
        return try await kit.scalar(
            """
            INSERT INTO interaction_log_entries
                (contact_no, contact_company_no, date, user_id, interaction_group_code, interaction_template_code)
            VALUES ('\(contact)', \(companySQL), current_date, 'MANAGER', 'G', 'T') RETURNING entry_no::text
            """
        )!
    }

    @Test func numbersComeFromTheContactSeriesWithSetupDefaults() async throws {
        let kit = try await MasterDataKit.start()
        // A new installation numbers contacts from its starter series at once.
        let starter = try await kit.ok("CONTACT-ADD", [.named("name", "Starter")])
        #expect(starter.value("contact") == "CT000001")
        try await kit.script("DELETE FROM contacts; UPDATE marketing_setup SET contact_nos = NULL")
        let missing = try await kit.send("CONTACT-ADD", [.named("name", "Acme Ltd")])
        #expect(
            missing.errorText(.invalid)
                == "Contact Nos. must have a value in Marketing Setup: set one with SETUP-MARKETING contact-nos=<series>"
        )

        try await kit.ok("SERIES-ADD", [.positional("cont"), .named("starting-no", "CT000001")])
        try await kit.ok("LANGUAGE-ADD", [.positional("enu")])
        try await kit.ok(
            "SETUP-MARKETING",
            [
                .named("contact-nos", "CONT"), .named("correspondence-type", "email"), .named("salesperson", "AH"),
                .named("language", "ENU"),
            ]
        )
        let first = try await kit.ok("CONTACT-ADD", [.named("name", "Acme Ltd")])
        #expect(first.final == .ok("contact CT000001 created"))
        #expect(first.value("contact") == "CT000001")
        #expect(first.value("salesperson") == "AH")
        #expect(first.value("correspondence-type") == "email")
        let second = try await kit.ok("CONTACT-ADD", [.named("name", "Brick Co")])
        #expect(second.value("contact") == "CT000002")
        #expect(try await kit.scalar("SELECT last_no_used::text FROM number_series WHERE code = 'CONT'") == "CT000002")
        let stored = try await kit.sql(
            "SELECT type::text, salesperson_code::text, language_code::text, correspondence_type::text "
                + "FROM contacts WHERE no = 'CT000001'"
        )
        #expect(stored == [["company", "AH", "ENU", "email"]])

        // Typing a number needs a series that allows it.
        let manual = try await kit.send("CONTACT-ADD", [.named("contact", "x1"), .named("name", "Typed")])
        #expect(
            manual.errorText(.invalid)
                == "You may not enter numbers manually. If you want to enter numbers manually, please activate "
                + "Manual Nos. in No. Series CONT."
        )
        try await kit.ok(
            "SERIES-ADD",
            [.positional("cont2"), .named("starting-no", "K1"), .named("allow-manual", "true")]
        )
        try await kit.ok("SETUP-MARKETING", [.named("contact-nos", "CONT2")])
        #expect(
            try await kit.ok("CONTACT-ADD", [.named("contact", "x1"), .named("name", "Typed")]).value("contact") == "X1"
        )
        #expect(try await kit.ok("CONTACT-ADD", [.named("name", "Drawn")]).value("contact") == "K1")
        try await kit.stop()
    }

    @Test func companyLinksAndChangeGuards() async throws {
        let kit = try await MasterDataKit.start()
        for company in ["C1", "C2"] {
            try await kit.ok("CONTACT-ADD", [.named("contact", company), .named("name", "Company \(company)")])
        }
        let person = [.named("type", "person")] as [Argument]
        try await kit.ok(
            "CONTACT-ADD",
            [.named("contact", "P1"), .named("name", "Ann")] + person + [.named("company", "C1")]
        )
        try await kit.ok(
            "CONTACT-ADD",
            [.named("contact", "P2"), .named("name", "Bo")] + person + [.named("company", "C1")]
        )
        let notCompany = try await kit.send(
            "CONTACT-ADD",
            [.named("contact", "P3"), .named("name", "Cy")] + person + [.named("company", "P1")]
        )
        #expect(
            notCompany.errorText(.invalid)?.hasPrefix(
                "Contact P1 is not a company; Company No. must name a company contact."
            ) == true
        )
        let unknown = try await kit.send(
            "CONTACT-ADD",
            [.named("contact", "P3"), .named("name", "Cy")] + person + [.named("company", "NOPE")]
        )
        #expect(
            unknown.errorText(.notFound)?.hasPrefix(
                "Company contact NOPE does not exist."
            ) == true
        )
        let companyOfCompany = try await kit.send(
            "CONTACT-ADD",
            [.named("contact", "C3"), .named("name", "Sub"), .named("company", "C1")]
        )
        #expect(
            companyOfCompany.errorText(.invalid)?.hasPrefix(
                "A company contact cannot belong to a company; only persons have a Company No."
            ) == true
        )

        // P1 has a log entry: neither its company nor its type may change.
        _ = try await Self.entry(kit, contact: "P1", company: "C1")
        let move = try await kit.send("CONTACT-SET", [.positional("P1"), .named("company", "C2")])
        #expect(
            move.errorText(.invalid)?.hasPrefix(
                "Company No. cannot be changed because one or more interaction log entries are linked to the "
                    + "contact."
            ) == true
        )
        let retype = try await kit.send("CONTACT-SET", [.positional("P1"), .named("type", "company")])
        #expect(
            retype.errorText(.invalid)?.hasPrefix(
                "Type cannot be changed because one or more interaction log entries are linked to the contact."
            ) == true
        )
        // P2 is on a segment: its company may not change.
        try await kit.script(
            "INSERT INTO segment_headers (no, description) VALUES ('SEG1', 'Spring'); "
                + "INSERT INTO segment_lines (segment_no, line_no, contact_no) VALUES ('SEG1', 1, 'P2')"
        )
        let onSegment = try await kit.send("CONTACT-SET", [.positional("P2"), .named("company", "C2")])
        #expect(
            onSegment.errorText(.invalid)?.hasPrefix(
                "You cannot change Company No. because one or more unlogged segments are assigned to the contact."
            ) == true
        )
        // Clearing the company is a company change too.
        let unlink = try await kit.send(
            "CONTACT-SET",
            [.positional("P1"), .named("company", ""), .named("salesperson", "")]
        )
        #expect(unlink.errorText(.invalid)?.hasPrefix("Company No. cannot be changed") == true)
        // Other fields change freely; an empty text blanks a field.
        try await kit.ok(
            "CONTACT-SET",
            [
                .positional("P1"), .named("email", "ann@acme.example"), .named("city", "London"),
                .named("exclude-from-segment", "yes"),
            ]
        )
        try await kit.ok("CONTACT-SET", [.positional("P1"), .named("city", "")])
        #expect(
            try await kit.send("CONTACT-SET", [.positional("P1"), .named("name", " ")]).errorText(.invalid)?.hasPrefix(
                "Name must have a value"
            ) == true
        )
        let stored = try await kit.sql(
            "SELECT email, city, exclude_from_segment::text, company_no::text FROM contacts WHERE no = 'P1'"
        )
        #expect(stored == [["ann@acme.example", nil, "true", "C1"]])
        // A person without entries or segments moves freely.
        try await kit.ok(
            "CONTACT-ADD",
            [.named("contact", "P4"), .named("name", "Di")] + person + [.named("company", "C1")]
        )
        #expect(try await kit.ok("CONTACT-SET", [.positional("P4"), .named("company", "C2")]).value("company") == "C2")
        try await kit.stop()
    }

    @Test func deletingContactsKeepsTheirEntries() async throws {
        let kit = try await MasterDataKit.start()
        try await kit.ok("CONTACT-ADD", [.named("contact", "C1"), .named("name", "Acme")])
        try await kit.ok(
            "CONTACT-ADD",
            [.named("contact", "P1"), .named("name", "Ann"), .named("type", "person"), .named("company", "C1")]
        )
        try await kit.ok(
            "CONTACT-ADD",
            [.named("contact", "P9"), .named("name", "Sam"), .named("type", "person"), .named("company", "C1")]
        )
        let personEntry = try await Self.entry(kit, contact: "P1", company: "C1")
        let companyEntry = try await Self.entry(kit, contact: "C1", company: "C1")

        // On a segment: refused with the reference's message.
        try await kit.script(
            "INSERT INTO segment_headers (no) VALUES ('SEG1'); "
                + "INSERT INTO segment_lines (segment_no, line_no, contact_no) VALUES ('SEG1', 1, 'P9')"
        )
        let onSegment = try await kit.send("CONTACT-DELETE", [.positional("P9")])
        #expect(
            onSegment.errorText(.invalid)?.hasPrefix(
                "You cannot delete the Contact record of the P9 because the contact is assigned one or more "
                    + "unlogged segments."
            ) == true
        )
        try await kit.script("DELETE FROM segment_headers; DELETE FROM contacts WHERE no = 'P9'")

        let withPersons = try await kit.send("CONTACT-DELETE", [.positional("C1")])
        #expect(
            withPersons.errorText(.invalid)
                == "Company contact C1 has persons; delete them or link them to another company first."
        )

        // A deleted person's entries move to its company.
        #expect(try await kit.ok("CONTACT-DELETE", [.positional("P1")]).final == .ok("contact P1 deleted"))
        #expect(
            try await kit.sql(
                "SELECT contact_no::text, contact_company_no::text FROM interaction_log_entries "
                    + "WHERE entry_no = \(personEntry)"
            ) == [["C1", "C1"]]
        )
        // A deleted company's entries stay, without contact and company.
        try await kit.ok("CONTACT-DELETE", [.positional("C1")])
        let entries = try await kit.sql(
            "SELECT entry_no::text, contact_no::text, contact_company_no::text FROM interaction_log_entries "
                + "ORDER BY entry_no"
        )
        #expect(entries == [[personEntry, nil, nil], [companyEntry, nil, nil]])
        #expect(try await kit.scalar("SELECT count(*)::text FROM contacts") == "0")
        #expect(
            try await kit.send("CONTACT-DELETE", [.positional("C1")]).errorText(.notFound)
                == "Contact C1 does not exist"
        )
        try await kit.stop()
    }

    @Test func listFiltersAndPages() async throws {
        let kit = try await MasterDataKit.start()
        try await kit.ok("CONTACT-ADD", [.named("contact", "C1"), .named("name", "Acme")])
        for (no, name) in [("P1", "Ann"), ("P2", "Anders"), ("P3", "Bo"), ("P4", "anna")] {
            try await kit.ok(
                "CONTACT-ADD",
                [.named("contact", no), .named("name", name), .named("type", "person"), .named("company", "C1")]
            )
        }
        let first = try await kit.ok("CONTACT-LIST", [.named("type", "person"), .named("limit", "2")])
        #expect(first.dataLines.count == 2)
        #expect(first.final == .ok("2 contacts next=P2"))
        let second = try await kit.ok(
            "CONTACT-LIST",
            [.named("type", "person"), .named("limit", "2"), .named("next", "P2")]
        )
        #expect([second.value("contact", line: 0), second.value("contact", line: 1)] == ["P3", "P4"])
        #expect(second.final == .ok("2 contacts"), "the last page has no next=")
        let last = try await kit.ok(
            "CONTACT-LIST",
            [.named("type", "person"), .named("limit", "2"), .named("next", "P4")]
        )
        #expect(last.final == .ok("0 contacts"))
        let named = try await kit.ok("CONTACT-LIST", [.named("name", "an")])
        #expect(
            named.dataLines.map { $0.tokens.first } == [
                .named("contact", "P1"), .named("contact", "P2"), .named("contact", "P4"),
            ]
        )
        let show = try await kit.ok("CONTACT-SHOW", [.positional("p3")])
        #expect(show.value("company") == "C1")
        #expect(show.value("type") == "person")
        try await kit.stop()
    }

    @Test func rolesAndIdempotency() async throws {
        let kit = try await MasterDataKit.start()
        try await kit.ok("SERIES-ADD", [.positional("cont"), .named("starting-no", "CT01")])
        try await kit.ok("SETUP-MARKETING", [.named("contact-nos", "CONT")])
        let salesperson = try await kit.session("SAM", role: .salesperson, salesperson: "AH")
        let added = try await salesperson.send("CONTACT-ADD", [.named("name", "Acme")])
        #expect(added.final == .ok("contact CT01 created"))
        #expect(
            try await salesperson.send("CONTACT-SET", [.positional("CT01"), .named("city", "Leeds")]).final
                == .ok("contact CT01 changed")
        )
        let deny = try await salesperson.send("CONTACT-DELETE", [.positional("CT01")])
        #expect(deny.errorText(.denied) == "CONTACT-DELETE needs the manager role")
        let template = try await salesperson.send("TEMPLATE-ADD", [.positional("T1"), .named("group", "G")])
        #expect(template.errorText(.denied) == "TEMPLATE-ADD needs the manager role")
        #expect(
            try await salesperson.send("SETUP-MARKETING", [.named("contact-nos", "CONT")]).errorText(.denied) != nil
        )
        #expect(try await salesperson.send("SETUP-MARKETING").value("contact-nos") == "CONT")
        await salesperson.close()

        // The same key twice: one contact, the same reply (a second write would draw CT03).
        let request: [Argument] = [.named("name", "Brick Co"), .named("idem", "add-brick")]
        let reply = try await kit.ok("CONTACT-ADD", request)
        let again = try await kit.send("CONTACT-ADD", request)
        #expect(again == reply)
        #expect(reply.value("contact") == "CT02")
        #expect(try await kit.scalar("SELECT count(*)::text FROM contacts WHERE name = 'Brick Co'") == "1")
        #expect(try await kit.scalar("SELECT last_no_used::text FROM number_series WHERE code = 'CONT'") == "CT02")
        try await kit.stop()
    }
}
