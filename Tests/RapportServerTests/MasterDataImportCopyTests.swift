import RapportClient
import RapportModel
import RapportProtocol
import RapportTestSupport
import Testing

/// CONTACT-IMPORT through COPY: what the database reads, what it refuses, and the lines named.
@Suite("Master data: contact import via COPY", .serialized)
struct MasterDataImportCopyTests {
    static func csv(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test func csvEdgesLoadAsTheSharedReaderReadsThem() async throws {
        let kit = try await MasterDataKit.start()
        try await MasterDataImportServerTests.prepare(kit)
        // BOM, CRLF, blank lines, a quoted line break and comma, header names of CONTACT-ADD, blank cells.
        let file =
            "\u{FEFF}No,Type,Name,Company,Phone,Exclude-From-Segment,Correspondence Type\r\n\r\n"
            + "c1 ,Company,\"Acme, Ltd\",,,YES,hard copy\r\n"
            + ",person,\"Ann\nLee\",c1,+44 1,,\r\n\r\n"
            + ",,Beta,,,0,\r\n"
        let reply = try await kit.ok("CONTACT-IMPORT", [], payload: Self.csv(file))
        #expect(reply.value("imported") == "3")
        let rows = try await kit.sql(
            """
            SELECT no::text, type::text, name, coalesce(company_no, '-'), coalesce(phone_no, '-'),
                   exclude_from_segment::text, coalesce(correspondence_type, '-')
            FROM contacts ORDER BY no
            """
        )
        #expect(
            rows == [
                ["C1", "company", "Acme, Ltd", "-", "-", "true", "hard_copy"],
                ["CT000001", "person", "Ann\nLee", "C1", "+44 1", "false", "email"],
                ["CT000002", "company", "Beta", "-", "-", "false", "email"],
            ]
        )
        try await kit.stop()
    }

    @Test func refusalsNameTheFilesLine() async throws {
        let kit = try await MasterDataKit.start()
        try await MasterDataImportServerTests.prepare(kit)
        func refusal(_ text: String, firstLine: Int? = nil) async throws -> String? {
            let arguments: [Argument] = firstLine.map { [.named("first-line", String($0))] } ?? []
            let reply = try await kit.send("CONTACT-IMPORT", arguments, payload: Self.csv(text))
            guard case .error(_, let message) = reply.final else { return nil }
            return message
        }
        // What COPY refuses is worded by the shared reader.
        #expect(try await refusal("name,type\nA,company\nB") == "line 3: expected 2 fields, found 1")
        #expect(
            try await refusal("name,type\nA,company\nB,person,x", firstLine: 101)
                == "line 102: expected 2 fields, found 3"
        )
        #expect(try await refusal("name\nA\n\"B") == "line 3: a quoted field is not closed")
        #expect(try await refusal("name\nA\nB\u{0}") == "line 3: the text contains a NUL character")
        #expect(try await refusal("name,fax\nA,1") == "line 1: unknown column \"fax\"")
        #expect(try await refusal("no,type\nA,company") == "line 1: the header has no name column")
        #expect(try await refusal("") == "line 1: the file is empty")
        // Field rules, in file order, after a quoted line break (row 2 spans lines 3-4).
        #expect(
            try await refusal("name,type,address\nA,company,\nB,company,\"x\ny\"\nC,robot,\n")
                == "line 5: Type must be company or person, not \"robot\""
        )
        #expect(
            try await refusal("name,email\nA,\(String(repeating: "x", count: 81))")
                == "line 2: E-Mail must be at most 80 characters"
        )
        #expect(try await refusal("name,type\nA,company\n ,person") == "line 3: Name must have a value")
        #expect(try await refusal("no,name\nA,x\nb,y\na,z") == "line 4: contact A appears twice in the file")
        #expect(
            try await refusal("no,name,company_no,type\nA,x,B,company")
                == "line 2: A company contact cannot belong to a company; only persons have a Company No."
        )
        #expect(
            try await refusal("no,name,company_no,type\nA,x,a,person") == "line 2: A contact cannot be its own company."
        )
        // A number drawn from the series that a typed row already has (CT000001 is drawn for line 2).
        #expect(
            try await refusal("no,name\n,drawn\nCT000001,typed")
                == "line 3: contact CT000001 appears twice in the file"
        )
        // References, in the import's order: numbers taken, salespeople, languages, companies.
        try await kit.ok(
            "CONTACT-IMPORT",
            [],
            payload: Self.csv("no,name,type,company_no\nX1,Existing,company,\nX2,Person,person,X1\n")
        )
        #expect(
            try await refusal("no,name,salesperson_code\nN1,New,zz\nX1,Again,") == "line 3: Contact X1 already exists"
        )
        #expect(
            try await refusal("name,salesperson_code,language\nA,AH,\nB,zz,\nC,,QQ")
                == "line 3: Salesperson ZZ does not exist"
        )
        #expect(try await refusal("name,language\nA,\nC,QQ") == "line 3: Language QQ does not exist")
        #expect(
            try await refusal("name,type,company_no\nA,person,X1\nB,person,NOPE")
                == "line 3: Company contact NOPE does not exist."
        )
        #expect(
            try await refusal("name,type,company_no\nA,person,X1\nB,person,X2", firstLine: 10)
                == "line 11: Contact X2 is not a company; Company No. must name a company contact."
        )
        #expect(try await kit.scalar("SELECT count(*)::text FROM contacts") == "2")
        #expect(
            try await kit.scalar("SELECT last_no_used::text FROM number_series WHERE code = 'CONT'") == nil,
            "refusals draw nothing"
        )
        try await kit.stop()
    }

    @Test func numbersAreDrawnInFileOrderAmongTypedOnes() async throws {
        let kit = try await MasterDataKit.start()
        try await kit.ok(
            "SERIES-ADD",
            [.positional("cont"), .named("starting-no", "K-0998-X"), .named("allow-manual", "true")]
        )
        try await kit.sql("UPDATE number_series SET increment_by = 2 WHERE code = 'CONT'")
        try await kit.ok("SETUP-MARKETING", [.named("contact-nos", "CONT")])
        let reply = try await kit.ok(
            "CONTACT-IMPORT",
            [],
            payload: Self.csv("no,name\n,a\nT1,b\n,c\n,d\nT2,e\n")
        )
        #expect(reply.value("imported") == "5")
        #expect(
            try await kit.sql("SELECT name, no::text FROM contacts ORDER BY name")
                == [["a", "K-0998-X"], ["b", "T1"], ["c", "K-1000-X"], ["d", "K-1002-X"], ["e", "T2"]]
        )
        #expect(try await kit.scalar("SELECT last_no_used::text FROM number_series WHERE code = 'CONT'") == "K-1002-X")
        try await kit.stop()
    }
}
