import RapportClient
import RapportModel
import RapportProtocol
import RapportStore
import RapportTestSupport
import Testing

/// The import leaves out trimming when no cell begins or ends with white space, and changes case
/// byte by byte when all is ASCII: the scan of the bytes that decides it, against the shared CSV
/// reader, and imports that take each way.
@Suite("Master data: contact import cells", .serialized)
struct MasterDataImportCellsTests {
    static let whiteSpace: [Unicode.Scalar] = [
        " ", "\t", "\n", "\r", "\u{0B}", "\u{0C}", "\u{85}", "\u{A0}", "\u{1680}", "\u{2000}", "\u{2005}", "\u{200A}",
        "\u{2028}", "\u{2029}", "\u{202F}", "\u{205F}", "\u{3000}",
    ]
    /// Characters of cells: white space, CSV's own, ASCII and not, and neighbours of the white-space
    /// bytes (U+2010, U+00A9 end like white space does not; U+00E9 ends in A9 like U+2029).
    static let alphabet: [Unicode.Scalar] =
        whiteSpace + ["a", "Z", "1", ",", "\"", "é", "\u{2010}", "\u{A9}", "\u{1681}", "\u{3001}", "ÿ", "\u{FEFF}"]

    static func cells(_ bytes: [UInt8]) -> ContactImportCells {
        bytes.withUnsafeBytes { ContactImportCells($0) }
    }

    /// SplitMix64: the same cases on every run.
    struct Random: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            self.state &+= 0x9E37_79B9_7F4A_7C15
            var z = self.state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    @Test func theScanFindsEveryCellWithWhiteSpaceAtAnEdge() throws {
        var random = Random(state: 7)
        var found = 0
        for _ in 0..<4000 {
            var text = ""
            for _ in 0..<Int.random(in: 1...3, using: &random) {
                var fields: [String] = []
                for _ in 0..<Int.random(in: 1...3, using: &random) {
                    var field = ""
                    for _ in 0..<Int.random(in: 0...4, using: &random) {
                        // Mostly letters, so that white space is sometimes inside a cell only.
                        let scalar =
                            Bool.random(using: &random) ? "x" : Self.alphabet.randomElement(using: &random)!
                        field.unicodeScalars.append(scalar)
                    }
                    let needsQuotes = field.unicodeScalars.contains { ",\"\r\n".unicodeScalars.contains($0) }
                    if needsQuotes || Int.random(in: 0..<4, using: &random) == 0 {
                        field = "\"" + String(field.flatMap { $0 == "\"" ? ["\"", "\""] : [$0] }) + "\""
                    }
                    fields.append(field)
                }
                text += fields.joined(separator: ",") + ["\n", "\r\n", "\r"].randomElement(using: &random)!
            }
            let bytes = Array(text.utf8)
            guard let records = try? CSVReader.records(bytes) else { continue }
            let edged = records.contains { record in
                record.fields.contains { field in
                    guard let first = field.unicodeScalars.first, let last = field.unicodeScalars.last else {
                        return false
                    }
                    return Self.whiteSpace.contains(first) || Self.whiteSpace.contains(last)
                }
            }
            let cells = Self.cells(bytes)
            if edged {
                found += 1
                #expect(cells.mayNeedTrimming, "\(text.debugDescription)")
            }
            #expect(cells.ascii == bytes.allSatisfy { $0 < 0x80 })
        }
        #expect(found > 1000)
    }

    @Test func plainFilesNeedNoTrimming() {
        let plain = Self.cells(Array("CO1,company,Company 1 Ltd,,AH,\"a, b\"\r\nP2,person,Person 2,CO1,,\"x\"\n".utf8))
        #expect(plain == ContactImportCells(mayNeedTrimming: false, ascii: true))
        let accented = Self.cells(Array("É1,company,Café Noël,,é\nP2,person,\"Zoë\",É1,\u{2010}\n".utf8))
        #expect(accented == ContactImportCells(mayNeedTrimming: false, ascii: false))
        #expect(!Self.cells(Array("\"a ,\n b\",c\n".utf8)).mayNeedTrimming)
        for edged in [
            "\"x, \",y\n", "a ,b\n", "a,\tb\n", "a,\"b\n\"\n", "\"\r\nb\",c\n", "a,b\u{3000}\n", "\u{A0}a\n", "a,b \n",
        ] {
            #expect(Self.cells(Array(edged.utf8)).mayNeedTrimming, "\(edged.debugDescription)")
        }
    }

    @Test func importsTrimCodesAndWordsEitherWay() async throws {
        let kit = try await MasterDataKit.start()
        try await MasterDataImportServerTests.prepare(kit)
        // White space at edges, inside quotes too, and codes that are not ASCII: trimmed, upper-cased.
        let edged =
            "no,type,name,company_no,salesperson_code\n"
            + "\"c1\u{3000}\",Company,Acme,,\n"
            + "\"\u{A0}p1\",\"person\n\",\" Ann \",\"c1\u{2009}\",\tah\n"
            + "é2,COMPANY,Éclair,,\n"
        try await kit.ok("CONTACT-IMPORT", [], payload: Array(edged.utf8))
        // Nothing at any edge, all ASCII: case changed byte by byte, blank cells are NULL.
        let plain = "no,type,name,company_no,salesperson_code,email\np3,PERSON,Bo Ma,c1,ah,\"\"\n,,Beta Co,,,b@x\n"
        try await kit.ok("CONTACT-IMPORT", [], payload: Array(plain.utf8))
        // No number column: every row draws one, in file order.
        try await kit.ok("CONTACT-IMPORT", [], payload: Array("name\nGamma\nDelta\n".utf8))
        let rows = try await kit.sql(
            """
            SELECT no::text, type::text, name, coalesce(company_no, '-'), coalesce(salesperson_code, '-'),
                   coalesce(email, '-')
            FROM contacts ORDER BY no
            """
        )
        #expect(
            rows == [
                ["C1", "company", "Acme", "-", "-", "-"],
                ["CT000001", "company", "Beta Co", "-", "-", "b@x"],
                ["CT000002", "company", "Gamma", "-", "-", "-"],
                ["CT000003", "company", "Delta", "-", "-", "-"],
                ["P1", "person", " Ann ", "C1", "AH", "-"],
                ["P3", "person", "Bo Ma", "C1", "AH", "-"],
                ["É2", "company", "Éclair", "-", "-", "-"],
            ]
        )
        try await kit.stop()
    }
}
