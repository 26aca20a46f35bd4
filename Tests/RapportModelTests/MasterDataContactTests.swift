import RapportModel
import Testing

/// Contact guards (§3.12 R7), the CSV reader, the contact import rows and number series arithmetic.
@Suite("Master data: contacts, CSV, number series")
struct MasterDataContactTests {
    typealias Link = ContactRules.Link

    @Test func newContactLinks() throws {
        try ContactRules.checkNew(no: "P1", Link(type: .person, companyNo: "C1"), companyType: .company)
        #expect(throws: ContactRules.Problem.notACompany(company: "P2")) {
            try ContactRules.checkNew(no: "P1", Link(type: .person, companyNo: "P2"), companyType: .person)
        }
        #expect(throws: ContactRules.Problem.companyNotFound(company: "X")) {
            try ContactRules.checkNew(no: "P1", Link(type: .person, companyNo: "X"), companyType: nil)
        }
        #expect(throws: ContactRules.Problem.companyWithCompany) {
            try ContactRules.checkNew(no: "C2", Link(type: .company, companyNo: "C1"), companyType: .company)
        }
    }

    @Test func changeGuards() throws {
        let person = Link(type: .person, companyNo: "C1")
        let moved = Link(type: .person, companyNo: "C2")
        #expect(throws: ContactRules.Problem.companyChangeOnUnloggedSegments) {
            try ContactRules.checkChange(
                no: "P1",
                from: person,
                to: moved,
                usage: .init(isOnUnloggedSegments: true),
                companyType: .company
            )
        }
        #expect(throws: ContactRules.Problem.linkedLogEntries(field: "Company No.")) {
            try ContactRules.checkChange(
                no: "P1",
                from: person,
                to: moved,
                usage: .init(hasLogEntries: true),
                companyType: .company
            )
        }
        #expect(throws: ContactRules.Problem.linkedLogEntries(field: "Type")) {
            try ContactRules.checkChange(
                no: "P1",
                from: Link(type: .person, companyNo: nil),
                to: Link(type: .company, companyNo: nil),
                usage: .init(hasLogEntries: true),
                companyType: nil
            )
        }
        #expect(throws: ContactRules.Problem.companyHasPersons(company: "C1")) {
            try ContactRules.checkChange(
                no: "C1",
                from: Link(type: .company, companyNo: nil),
                to: Link(type: .person, companyNo: nil),
                usage: .init(personCount: 2),
                companyType: nil
            )
        }
        try ContactRules.checkChange(no: "P1", from: person, to: moved, usage: .init(), companyType: .company)
        #expect(
            ContactRules.Problem.linkedLogEntries(field: "Type").description
                == "Type cannot be changed because one or more interaction log entries are linked to the contact."
        )
    }

    @Test func deleteGuards() throws {
        #expect(throws: ContactRules.Problem.deleteOnUnloggedSegments(contact: "C1")) {
            try ContactRules.checkDelete(no: "C1", type: .company, usage: .init(isOnUnloggedSegments: true))
        }
        #expect(
            ContactRules.Problem.deleteOnUnloggedSegments(contact: "C1").description
                == "You cannot delete the Contact record of the C1 because the contact is assigned one or more "
                + "unlogged segments."
        )
        try ContactRules.checkDelete(no: "P1", type: .person, usage: .init(hasLogEntries: true))
    }

    @Test func importRows() throws {
        let text = """
            No,Type,Name,Company,salesperson_code,correspondence_type,exclude-from-segment,email
            c1,company,Acme Ltd,,ah,email,yes,info@acme.example
            ,person,Ann Lee,C1,,,,
            """
        let rows = try ContactImport.parse(Self.records(text))
        #expect(rows.count == 2)
        #expect(rows[0].no == "C1")
        #expect(rows[0].salespersonCode == "AH")
        #expect(rows[0].correspondenceType == .email)
        #expect(rows[0].excludeFromSegment)
        #expect(rows[1].no == nil)
        #expect(rows[1].type == .person)
        #expect(rows[1].companyNo == "C1")
        #expect(rows[1].line == 3)
    }

    @Test func importRefusesBadRowsWithTheirLine() {
        func problem(_ text: String, firstLine: Int? = nil) -> String? {
            do {
                _ = try ContactImport.parse(Self.records(text), firstLine: firstLine)
                return nil
            } catch {
                return error.description
            }
        }
        #expect(problem("name,fax\nA,1") == "line 1: unknown column \"fax\"")
        #expect(problem("no,type\nA,company") == "line 1: the header has no name column")
        #expect(problem("name,type\nA,company\nB,robot") == "line 3: Type must be company or person, not \"robot\"")
        #expect(problem("name,type\nA,company\n,person") == "line 3: Name must have a value")
        #expect(problem("name,type\nA,company\nB") == "line 3: expected 2 fields, found 1")
        #expect(problem("no,name\nA,x\na,y") == "line 3: contact A appears twice in the file")
        #expect(
            problem("name,type\nA,company\nB,robot", firstLine: 1001)
                == "line 1002: Type must be company or person, not \"robot\""
        )
        #expect(
            problem("name,email\nA,\(String(repeating: "x", count: 81))")
                == "line 2: E-Mail must be at most 80 characters"
        )
    }

    /// Records of simple CSV (no quotes), as the shared reader (RapportProtocol's CSVReader) gives them.
    static func records(_ text: String) -> [(line: Int, fields: [String])] {
        text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().map { index, line in
            (index + 1, line.split(separator: ",", omittingEmptySubsequences: false).map(String.init))
        }
    }

    @Test func numberSeriesFollowsIncStr() throws {
        var series = NumberSeriesFormat(
            code: "CONT",
            startingNo: "CT0001",
            endingNo: nil,
            lastNoUsed: nil,
            incrementBy: 1
        )
        #expect(try series.take(3) == ["CT0001", "CT0002", "CT0003"])
        series.lastNoUsed = "CT0099"
        #expect(try series.peek() == "CT0100")
        series.lastNoUsed = "99X"
        #expect(try series.peek() == "100X")
        series = NumberSeriesFormat(code: "S", startingNo: "A8", endingNo: "A10", lastNoUsed: nil, incrementBy: 2)
        #expect(try series.take(2) == ["A8", "A10"])
        #expect(throws: NumberSeriesFormat.Problem.exhausted(series: "S", next: "A12", ending: "A10")) {
            try series.peek()
        }
    }
}

extension MasterDataContactTests {
    @Test func bulkNumbersMatchOneByOne() throws {
        for (start, last, ending, increment) in [
            ("CT0001", nil, nil, 1), ("A998B", "A998B", "A1010B", 3), ("9", nil, "12", 1),
            ("X00000000000000000001", nil, nil, 1),
        ] as [(String, String?, String?, Int)] {
            var bulk = NumberSeriesFormat(
                code: "S",
                startingNo: start,
                endingNo: ending,
                lastNoUsed: last,
                incrementBy: increment
            )
            var single = bulk
            let count = 4
            var expected: [String] = []
            var expectedProblem: NumberSeriesFormat.Problem?
            for _ in 0..<count {
                do {
                    expected.append(try single.take(1)[0])
                } catch {
                    expectedProblem = error
                    break
                }
            }
            if let expectedProblem {
                #expect(throws: expectedProblem) { try bulk.take(count) }
            } else {
                #expect(try bulk.take(count) == expected)
                #expect(bulk.lastNoUsed == expected.last)
            }
        }
    }
}
