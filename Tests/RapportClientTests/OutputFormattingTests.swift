import RapportClient
import RapportProtocol
import Testing

@Suite struct OutputFormattingTests {
    private let users = [
        DataLine(tokens: [.named("user", "alice"), .named("role", "manager"), .named("blocked", "false")]),
        DataLine(tokens: [.named("user", "bob"), .named("role", "rep"), .named("note", "on \"leave\", back soon")]),
        DataLine(tokens: [.positional("17"), .named("user", "carol"), .positional("x")]),
    ]

    @Test func collectsColumnsInFirstSeenOrder() {
        let table = ResponseTable(dataLines: self.users)
        #expect(table.columns == ["user", "role", "blocked", "note", "1", "2"])
        #expect(table.rows[0] == ["alice", "manager", "false", nil, nil, nil])
        #expect(table.rows[2] == ["carol", nil, nil, nil, "17", "x"])
    }

    @Test func rendersAnAlignedTable() {
        let expected = """
            user   role     blocked  note                   1   2
            -----  -------  -------  ---------------------  --  -
            alice  manager  false
            bob    rep               on "leave", back soon
            carol                                           17  x

            """
        #expect(OutputFormat.table.render(self.users) == expected)
    }

    @Test func escapesControlCharactersAndMeasuresWideCharacters() {
        let lines = [
            DataLine(tokens: [.named("name", "日本"), .named("memo", "a\nb\tc\u{1B}")]),
            DataLine(tokens: [.named("name", "e\u{301}"), .named("memo", "-")]),
        ]
        let expected = """
            name  memo
            ----  -------------
            日本  a\\nb\\tc\\u{1B}
            é     -

            """
        #expect(OutputFormat.table.render(lines) == expected)
    }

    @Test func leavesOutTheHeaderWhenAllColumnsArePositional() {
        let help = [
            DataLine("usage", "PING"),
            DataLine("summary", "Check that the server answers."),
            DataLine("role"),
        ]
        let expected = """
            usage    PING
            summary  Check that the server answers.
            role

            """
        #expect(OutputFormat.table.render(help) == expected)
        #expect(OutputFormat.csv.render(help).hasPrefix("1,2\r\n"))
    }

    @Test func rendersNothingForAnEmptyTable() {
        #expect(OutputFormat.table.render([]) == "")
        #expect(OutputFormat.table.render([DataLine(tokens: [])]) == "")
        #expect(OutputFormat.csv.render([]) == "")
    }

    @Test func rendersJSON() {
        let expected = """
            [
              {"user":"alice","role":"manager","blocked":"false"},
              {"user":"bob","role":"rep","note":"on \\"leave\\", back soon"},
              {"user":"carol","1":"17","2":"x"}
            ]

            """
        #expect(OutputFormat.json.render(self.users) == expected)
        #expect(OutputFormat.json.render([]) == "[]\n")
        #expect(OutputFormat.json.render([DataLine(tokens: [])]) == "[\n  {}\n]\n")
    }

    @Test func escapesJSONStrings() {
        #expect(
            JSONRenderer.string("a\"b\\c\nd\re\tf\u{1}\u{7F}\u{2028}é") == #""a\"b\\c\nd\re\tf\u0001\u007f\u2028é""#
        )
    }

    @Test func rendersCSV() {
        let expected =
            "user,role,blocked,note,1,2\r\n"
            + "alice,manager,false,,,\r\n"
            + "bob,rep,,\"on \"\"leave\"\", back soon\",,\r\n"
            + "carol,,,,17,x\r\n"
        #expect(OutputFormat.csv.render(self.users) == expected)
    }

    @Test(arguments: [
        ("plain", "plain"), ("", ""), ("a,b", "\"a,b\""), ("say \"hi\"", "\"say \"\"hi\"\"\""),
        ("two\nlines", "\"two\nlines\""), ("cr\r", "\"cr\r\""), (" spaced ", " spaced "),
    ])
    func quotesCSVFields(value: String, expected: String) {
        #expect(CSVRenderer.field(value) == expected)
    }

    @Test func showsFinalLinesAsSent() {
        #expect(FinalLine.ok("PONG").displayText == "OK PONG")
        #expect(FinalLine.ok("").displayText == "OK")
        #expect(FinalLine.error(.notFound, "no such user").displayText == "ERR NOT_FOUND no such user")
        #expect(FinalLine.bye("idle").displayText == "BYE idle")
    }
}
