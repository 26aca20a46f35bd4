import RapportProtocol
import Testing

/// The one CSV reader (RapportProtocol): the client's parts and the server's header and diagnosis.
@Suite("CSV reader")
struct CSVReaderTests {
    @Test func csvQuotingLinesAndBOM() throws {
        let text = "\u{FEFF}a,b\r\n\"x, y\",\"say \"\"hi\"\"\"\n\n\"multi\nline\",2\nlast,"
        let records = try CSVReader.records(Array(text.utf8))
        #expect(records.map(\.line) == [1, 2, 4, 6])
        #expect(records[1].fields == ["x, y", "say \"hi\""])
        #expect(records[2].fields == ["multi\nline", "2"])
        #expect(records[3].fields == ["last", ""])
        // The spans agree with the records, without building fields.
        let bytes = Array(text.utf8)
        let spans = try CSVReader.spans(bytes)
        #expect(spans.map(\.line) == [1, 2, 4, 6])
        #expect(String(decoding: bytes[spans[2].content], as: UTF8.self) == "\"multi\nline\",2")
        #expect(spans[0].content.lowerBound == 3, "the byte order mark is not part of the header")
        #expect(spans[0].next == 8, "after CRLF")
        #expect(spans[3].next == bytes.count)
        let first = try CSVReader.first(bytes)
        #expect(first?.record == CSVReader.Record(line: 1, fields: ["a", "b"]))
        #expect(first?.span == spans[0])
    }

    @Test func csvRefusals() {
        #expect(throws: CSVReader.Problem(line: 2, message: "a quoted field is not closed")) {
            try CSVReader.records(Array("a\n\"open".utf8))
        }
        #expect(throws: CSVReader.Problem(line: 2, message: "a quoted field is not closed")) {
            try CSVReader.spans(Array("a\n\"open".utf8))
        }
        #expect(throws: CSVReader.Problem(line: 1, message: "the text is not valid UTF-8")) {
            try CSVReader.records([0x61, 0xFF, 0x0A])
        }
        #expect(throws: CSVReader.Problem(line: 1, message: "unexpected character after a closing quote")) {
            try CSVReader.records(Array("\"a\"b".utf8))
        }
    }
}

extension CSVReaderTests {
    @Test func csvEdges() throws {
        #expect(try CSVReader.records(Array("\"x\",".utf8)) == [.init(line: 1, fields: ["x", ""])])
        #expect(try CSVReader.records(Array("a\r\n\r\nb\r\n".utf8)).map(\.line) == [1, 3])
        #expect(
            try CSVReader.records(Array(",\n\"\"".utf8)) == [
                .init(line: 1, fields: ["", ""]), .init(line: 2, fields: [""]),
            ]
        )
        #expect(try CSVReader.records(Array("é,\"a\r\nb\"".utf8))[0].fields == ["é", "a\r\nb"])
        #expect(throws: CSVReader.Problem(line: 2, message: "the text contains a NUL character")) {
            try CSVReader.records([0x61, 0x0A, 0x62, 0x00])
        }
    }
}
