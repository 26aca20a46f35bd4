import RapportClient
import RapportProtocol
import Testing

@Suite("CSV parts for large imports")
struct CSVPartsTests {
    let file = Array("no,name,address\nC1,Acme,\"Main St\n2nd floor\"\nC2,Beta,x\nC3,\"Gam\"\"ma\",y\n".utf8)

    @Test func everyPartStartsWithTheHeaderAndHoldsWholeRecords() throws {
        let parts = try CSVParts.split(self.file, maximumBytes: 45)
        #expect(
            parts.map { String(decoding: $0.bytes, as: UTF8.self) } == [
                "no,name,address\nC1,Acme,\"Main St\n2nd floor\"\n",
                "no,name,address\nC2,Beta,x\nC3,\"Gam\"\"ma\",y\n",
            ]
        )
        // The quoted line break makes C1 span lines 2-3, so C2 starts on line 4.
        #expect(parts.map(\.firstLine) == [2, 4])
        #expect(parts.map(\.rows) == [1, 2])
        #expect(parts.reduce(0) { $0 + $1.fileBytes } == self.file.count - "no,name,address\n".utf8.count)
    }

    @Test func oneBigPartWhenItFitsAndNoneForAHeaderOnlyFile() throws {
        #expect(try CSVParts.split(self.file, maximumBytes: 1 << 20).count == 1)
        #expect(try CSVParts.split(Array("no,name\n".utf8), maximumBytes: 100).isEmpty)
    }

    @Test func aLastLineWithoutLineBreakIsKept() throws {
        let parts = try CSVParts.split(Array("name\nA\nB".utf8), maximumBytes: 7)
        #expect(parts.map { String(decoding: $0.bytes, as: UTF8.self) } == ["name\nA\n", "name\nB"])
        #expect(parts.map(\.firstLine) == [2, 3])
    }

    @Test func blankLinesAreNotRowsAndTheByteOrderMarkIsNotRepeated() throws {
        // Blank lines between rows stay (the server counts the file's lines), and do not count as rows.
        let parts = try CSVParts.split(Array("\u{FEFF}name\r\n\r\nA\r\n\nB\n\n".utf8), maximumBytes: 1 << 20)
        #expect(parts.map { String(decoding: $0.bytes, as: UTF8.self) } == ["name\nA\r\n\nB\n"])
        #expect(parts.map(\.firstLine) == [3])
        #expect(parts.map(\.rows) == [2])
    }

    @Test func anUnclosedQuoteIsRefusedWithItsLine() {
        #expect(throws: CSVReader.Problem(line: 3, message: "a quoted field is not closed")) {
            try CSVParts.split(Array("name\nA\n\"B\n".utf8), maximumBytes: 100)
        }
    }
}
