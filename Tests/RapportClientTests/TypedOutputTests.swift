import RapportClient
import RapportProtocol
import Testing

@Suite("Typed output, paging, password file, completion")
struct TypedOutputTests {
    let columns = [
        ResultColumn("contact", .code), ResultColumn("amount", .decimal), ResultColumn("count", .integer),
        ResultColumn("blocked", .bool), ResultColumn("note", .text),
    ]

    @Test func jsonValuesAreTypedByTheDeclaredColumns() {
        var stream = RowStream(format: .json, declared: self.columns)
        let line = DataLine(tokens: [
            .named("contact", "C1"), .named("amount", "1234567890.1234567890"), .named("count", "007"),
            .named("blocked", "false"), .named("note", ""),
        ])
        let text = stream.page([line]) + stream.finish()
        #expect(
            text
                == "[\n  {\"contact\":\"C1\",\"amount\":1234567890.1234567890,\"count\":7,\"blocked\":false,\"note\":null}\n]\n"
        )
        #expect(TypedValue.json("12.30", type: .decimal) == "12.30")
        #expect(TypedValue.json("-.5", type: .decimal) == "-0.5")
        #expect(TypedValue.json("1.5", type: .integer) == "\"1.5\"")
        #expect(TypedValue.json("yes", type: .bool) == "true")
        #expect(TypedValue.json("", type: .date) == "null")
        #expect(TypedValue.json("2026-01-02", type: .date) == "\"2026-01-02\"")
    }

    @Test func jsonStreamsOneArrayOverPages() {
        var stream = RowStream(format: .json, declared: [ResultColumn("n", .integer)])
        var text = stream.page([DataLine(tokens: [.named("n", "1")])])
        text += stream.page([])
        text += stream.page([DataLine(tokens: [.named("n", "2")])])
        text += stream.finish()
        #expect(text == "[\n  {\"n\":1},\n  {\"n\":2}\n]\n")
        var empty = RowStream(format: .json, declared: [])
        #expect(empty.page([]) + empty.finish() == "[]\n")
    }

    @Test func csvKeepsTheFirstColumnsWithoutDeclaredOnes() {
        var stream = RowStream(format: .csv, declared: [])
        var text = stream.page([DataLine(tokens: [.named("a", "1"), .named("b", "2")])])
        text += stream.page([DataLine(tokens: [.named("c", "x"), .named("a", "3")])])
        #expect(text == "a,b\r\n1,2\r\n3,\r\n")
        var declared = RowStream(format: .csv, declared: self.columns)
        #expect(declared.page([]) == "contact,amount,count,blocked,note\r\n")
    }

    @Test func tableTurnsVerticalWhenTooWide() {
        var stream = RowStream(format: .table, declared: [], autoVerticalWidth: 20)
        let text = stream.page([DataLine(tokens: [.named("name", "a rather long value"), .named("k", "v")])])
        #expect(text == "-[ RECORD 1 ]----\nname: a rather long value\nk:    v\n")
        var narrow = RowStream(format: .table, declared: [], autoVerticalWidth: 80)
        #expect(narrow.page([DataLine(tokens: [.named("k", "v")])]) == "k\n-\nv\n")
    }

    @Test func pageFinalLines() {
        let page = PageFinal(okText: "100 languages total=250 next=L00100")
        #expect(page == PageFinal(count: 100, noun: "languages", total: "250", next: "L00100"))
        #expect(PageFinal(okText: "2 groups")?.next == nil)
        #expect(PageFinal(okText: "PONG") == nil)
        let last = PageFinal(count: 1, noun: "language", total: "101")
        #expect(PageFinal.summary(rows: 101, pages: [page!, last]) == "101 languages total=101 (2 pages)")
    }

    @Test func passwordFileLines() {
        let file = "# comment\nhost\\:x:*:bob:one\n*:7878:BOB:two:with:colons\n*:*:*:three\n"
        #expect(PassFile.match(file, host: "host:x", port: 1, user: "bob") == "one")
        #expect(PassFile.match(file, host: "crm", port: 7878, user: "bob") == "two:with:colons")
        #expect(PassFile.match(file, host: "crm", port: 7879, user: "bob") == "three")
        #expect(PassFile.match("crm:1:a:b\n", host: "other", port: 1, user: "a") == nil)
        #expect(PassFile.path(environment: ["HOME": "/home/u"]) == "/home/u/.rapportpass")
        #expect(PassFile.path(environment: ["HOME": "/home/u", "RAPPORT_PASSFILE": "/p"]) == "/p")
    }

    @Test func completionIgnoresCaseAndSkipsGivenArguments() {
        let verbs = ["INTERACTION-CREATE", "INTERACTION-LIST", "PING"]
        let names = { (verb: String) in verb == "PING" ? [] : ["contact", "template"] as [String]? }
        #expect(
            Completion.candidates(lineBeforeWord: "", word: "interaction-c", verbs: verbs, argumentNames: names)
                == ["INTERACTION-CREATE"]
        )
        #expect(
            Completion.candidates(lineBeforeWord: "#t1 ", word: "INTER", verbs: verbs, argumentNames: names).count == 2
        )
        #expect(
            Completion.candidates(
                lineBeforeWord: "interaction-create contact=C1 ",
                word: "",
                verbs: verbs,
                argumentNames: names
            ) == ["template="]
        )
    }

    @Test func textIsWrappedAtWords() {
        #expect(TextWrap.wrap("one two three four", width: 9) == ["one two", "three", "four"])
        #expect(TextWrap.wrap("one two three", width: 9, indent: 2, indentFirst: true) == ["  one two", "  three"])
    }
}
