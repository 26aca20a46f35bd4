import RapportClient
import RapportModel
import RapportProtocol
import RapportTestSupport
import Testing

/// CONTACT-IMPORT: set-based, all or nothing, with the bad row's line in the refusal.
@Suite("Master data: contact import", .serialized)
struct MasterDataImportServerTests {
    /// 100 companies with typed numbers, each with 19 persons numbered from the series: 2,000 rows.
    static func file(badLine: Int? = nil, badSalesperson: String = "ZZ") -> [UInt8] {
        var lines = ["no,type,name,company_no,salesperson_code,email,exclude_from_segment"]
        for company in 1...100 {
            let no = "C" + String(1000 + company)
            lines.append("\(no),company,\"Company \(company), Ltd\",,AH,info\(company)@example.com,")
            for person in 1...19 {
                let salesperson = lines.count + 1 == badLine ? badSalesperson : ""
                lines.append(",person,Person \(company)-\(person),\(no),\(salesperson),,\(person % 2 == 0)")
            }
        }
        return Array((lines.joined(separator: "\r\n") + "\r\n").utf8)
    }

    static func prepare(_ kit: MasterDataKit) async throws {
        try await kit.ok(
            "SERIES-ADD",
            [.positional("cont"), .named("starting-no", "CT000001"), .named("allow-manual", "true")]
        )
        try await kit.ok("SETUP-MARKETING", [.named("contact-nos", "CONT"), .named("correspondence-type", "email")])
    }

    @Test func twoThousandRowsLandSetBased() async throws {
        let kit = try await MasterDataKit.start()
        try await Self.prepare(kit)
        let reply = try await kit.ok("CONTACT-IMPORT", [.named("idem", "import-1")], payload: Self.file())
        #expect(reply.value("imported") == "2000")
        #expect(reply.value("replayed") == "false", "a first import is not a replay")
        #expect(reply.final == .ok("2000 contacts imported"))
        let counts = try await kit.sql(
            """
            SELECT count(*)::text, count(*) FILTER (WHERE type = 'person')::text,
                   count(*) FILTER (WHERE correspondence_type = 'email')::text,
                   count(*) FILTER (WHERE exclude_from_segment)::text,
                   count(DISTINCT cmin::text)::text
            FROM contacts
            """
        )
        // Rows of one statement share their command id (cmin): all 2,000 rows came in one INSERT
        // (batches hold 5,000 rows; companies come first, so persons may name them).
        #expect(counts == [["2000", "1900", "2000", "900", "1"]])
        #expect(try await kit.scalar("SELECT last_no_used::text FROM number_series WHERE code = 'CONT'") == "CT001900")
        #expect(
            try await kit.sql("SELECT name, company_no::text FROM contacts WHERE no = 'CT000020'")
                == [["Person 2-1", "C1002"]]
        )
        #expect(try await kit.scalar("SELECT name FROM contacts WHERE no = 'C1001'") == "Company 1, Ltd")
        // A retry with the same key imports nothing twice, and says it is a replay.
        let replay = try await kit.send("CONTACT-IMPORT", [.named("idem", "import-1")], payload: Self.file())
        #expect(replay.final == reply.final)
        #expect(replay.value("imported") == "2000")
        #expect(replay.value("replayed") == "true")
        // The declared shape holds for both: one data line, the same keys in the same order.
        #expect(replay.dataLines.map(\.tokens) == [[.named("imported", "2000"), .named("replayed", "true")]])
        #expect(reply.dataLines.map(\.tokens) == [[.named("imported", "2000"), .named("replayed", "false")]])
        #expect(try await kit.scalar("SELECT count(*)::text FROM contacts") == "2000")
        // Without the key, the typed numbers now exist.
        let duplicate = try await kit.send("CONTACT-IMPORT", [], payload: Self.file())
        #expect(duplicate.errorText(.conflict) == "line 2: Contact C1001 already exists")
        try await kit.stop()
    }

    @Test func aBadRowWritesNothing() async throws {
        let kit = try await MasterDataKit.start()
        try await Self.prepare(kit)
        let unknown = try await kit.send("CONTACT-IMPORT", [], payload: Self.file(badLine: 1501))
        #expect(unknown.errorText(.notFound) == "line 1501: Salesperson ZZ does not exist")
        let badFlag = try await kit.send(
            "CONTACT-IMPORT",
            [.named("first-line", "5001")],
            payload: Array("name,type,exclude_from_segment\nA,company,\nB,company,maybe\n".utf8)
        )
        #expect(badFlag.errorText(.invalid) == "line 5002: Exclude from Segment must be true or false, not \"maybe\"")
        let notCompany = try await kit.send(
            "CONTACT-IMPORT",
            [],
            payload: Array("no,type,name,company_no\nP1,person,Ann,\nP2,person,Bo,P1\n".utf8)
        )
        #expect(
            notCompany.errorText(.invalid)
                == "line 3: Contact P1 is not a company; Company No. must name a company contact."
        )
        #expect(try await kit.scalar("SELECT count(*)::text FROM contacts") == "0")
        #expect(try await kit.scalar("SELECT last_no_used::text FROM number_series WHERE code = 'CONT'") == nil)
        try await kit.sql("UPDATE marketing_setup SET contact_nos = NULL")
        let noSeries = try await kit.send("CONTACT-IMPORT", [], payload: Array("no,name\nA1,Typed\n,Drawn\n".utf8))
        #expect(noSeries.errorText(.invalid) == "line 3: Contact Nos. must have a value in Marketing Setup")
        let noPayload = try await kit.send("CONTACT-IMPORT")
        #expect(noPayload.errorText(.badArguments) != nil)
        let salesperson = try await kit.session("SAM", role: .salesperson)
        #expect(try await salesperson.send("CONTACT-IMPORT", [], payload: Self.file()).errorText(.denied) != nil)
        await salesperson.close()
        try await kit.stop()
    }
}
