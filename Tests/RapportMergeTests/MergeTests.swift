import Foundation
import Testing
import ZIPFoundation

@testable import RapportMerge

/// Builds .docx packages in memory, as Word writes them (content types, relationships, document part).
enum Docx {
    static func package(document body: String, parts: [String: String] = [:]) throws -> [UInt8] {
        let archive = try Archive(data: Data(), accessMode: .create)
        var files: [(String, String)] = [
            (
                "[Content_Types].xml",
                """
                <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
                <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
                <Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
                <Default Extension="xml" ContentType="application/xml"/>\
                <Override PartName="/word/document.xml" \
                ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>
                """
            ),
            (
                "_rels/.rels",
                """
                <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
                <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
                <Relationship Id="rId1" \
                Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" \
                Target="word/document.xml"/></Relationships>
                """
            ),
            ("word/document.xml", Self.document(body)),
        ]
        files += parts.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        for (path, text) in files {
            let data = Data(text.utf8)
            try archive.addEntry(
                with: path,
                type: .file,
                uncompressedSize: Int64(data.count),
                compressionMethod: .deflate,
                provider: { position, size in data.subdata(in: Int(position)..<Int(position) + size) }
            )
        }
        return Array(archive.data!)
    }

    static func document(_ body: String) -> String {
        """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>\(body)</w:body></w:document>
        """
    }

    /// The text of one part of a package.
    static func part(_ path: String, of package: [UInt8]) throws -> String {
        let archive = try Archive(data: Data(package), accessMode: .read)
        guard let entry = archive[path] else { throw MergeError("no \(path)") }
        var data = Data()
        _ = try archive.extract(entry) { data.append($0) }
        return String(decoding: data, as: UTF8.self)
    }

    static func paths(of package: [UInt8]) throws -> [String] {
        try Archive(data: Data(package), accessMode: .read).map(\.path)
    }
}

@Suite("Merge engine")
struct MergeTests {
    static var fields: MergeFields {
        var fields = MergeFields()
        fields.contactNo = "CT000012"
        fields.contactName = "Ann <Lee> & Co"
        fields.companyName = "Lee Ltd."
        fields.salutation = "Dear Ann"
        fields.city = "Oslo"
        fields.salespersonName = "Anna Holm"
        fields.date = "2026-11-27"
        fields.description = "Spring offer"
        return fields
    }

    @Test("every field name is unique and found whatever its case")
    func names() {
        #expect(
            Set(MergeFields.Name.allCases.map { $0.rawValue.lowercased() }).count == MergeFields.Name.allCases.count
        )
        #expect(MergeFields.Name(lenient: "contactname") == .contactName)
        #expect(MergeFields.Name(lenient: "CONTACTNO") == .contactNo)
        #expect(MergeFields.Name(lenient: "Shoe size") == nil)
        #expect(Self.fields.dictionary["ContactName"] == "Ann <Lee> & Co")
    }

    @Test("simple MERGEFIELDs in a .docx: replaced and XML-escaped, formatting kept, other parts unchanged")
    func simpleFields() throws {
        let package = try Docx.package(
            document: """
                <w:p><w:r><w:t xml:space="preserve">To: </w:t></w:r>\
                <w:fldSimple w:instr=" MERGEFIELD ContactName \\* MERGEFORMAT "><w:r><w:rPr><w:b/></w:rPr>\
                <w:t>«ContactName»</w:t></w:r></w:fldSimple>\
                <w:fldSimple w:instr="MERGEFIELD &quot;City&quot;"/></w:p>
                """
        )
        let template = try MergeTemplate(package, format: .docx)
        #expect(template.fieldsUsed == ["ContactName", "City"])
        #expect(template.unknownFields.isEmpty)
        let merged = try template.merge(Self.fields)
        let xml = try Docx.part("word/document.xml", of: merged)
        #expect(
            xml.contains("<w:r><w:rPr><w:b/></w:rPr><w:t xml:space=\"preserve\">Ann &lt;Lee&gt; &amp; Co</w:t></w:r>")
        )
        #expect(xml.contains(">Oslo</w:t>"))
        #expect(!xml.contains("MERGEFIELD") && !xml.contains("«") && !xml.contains("fldSimple"))
        #expect(try Docx.paths(of: merged) == Docx.paths(of: package))
        #expect(try Docx.part("_rels/.rels", of: merged) == Docx.part("_rels/.rels", of: package))
    }

    @Test("complex fields whose instruction and result are split over several runs")
    func complexFields() throws {
        let package = try Docx.package(
            document: """
                <w:p><w:r><w:rPr><w:i/></w:rPr><w:fldChar w:fldCharType="begin"/></w:r>\
                <w:r><w:instrText xml:space="preserve"> MERGE</w:instrText></w:r>\
                <w:r><w:instrText xml:space="preserve">FIELD Contact</w:instrText></w:r>\
                <w:r><w:instrText>Name </w:instrText></w:r>\
                <w:r><w:fldChar w:fldCharType="separate"/></w:r>\
                <w:r><w:t>«Contact</w:t></w:r><w:r><w:t>Name»</w:t></w:r>\
                <w:r><w:fldChar w:fldCharType="end"/></w:r>\
                <w:r><w:t xml:space="preserve"> page </w:t></w:r>\
                <w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> PAGE </w:instrText></w:r>\
                <w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>1</w:t></w:r>\
                <w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>
                """
        )
        let merged = try MergeTemplate(package, format: .docx).merge(Self.fields)
        let xml = try Docx.part("word/document.xml", of: merged)
        #expect(
            xml.contains("<w:r><w:rPr><w:i/></w:rPr><w:t xml:space=\"preserve\">Ann &lt;Lee&gt; &amp; Co</w:t></w:r>")
        )
        #expect(!xml.contains("MERGE") && !xml.contains("«"))
        // Other fields stay fields.
        #expect(xml.contains("<w:instrText> PAGE </w:instrText>"))
    }

    @Test("«Field» markers split across runs, in the document, a header and a footer")
    func markers() throws {
        let header = """
            <w:hdr xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:p>\
            <w:r><w:t>«Company</w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t>Name» – «Date»</w:t></w:r></w:p></w:hdr>
            """
        let footer = """
            <w:ftr xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:p>\
            <w:r><w:t>&#171;SalespersonName&#187;</w:t></w:r></w:p></w:ftr>
            """
        let package = try Docx.package(
            document: """
                <w:p><w:r><w:t xml:space="preserve">«Salutation», </w:t></w:r><w:r><w:t>«</w:t></w:r>\
                <w:r><w:t>contactname</w:t></w:r><w:r><w:t>» from «City».</w:t></w:r></w:p>\
                <w:p><w:r><w:t>« bonjour » «ShoeSize»</w:t></w:r></w:p>
                """,
            parts: ["word/header1.xml": header, "word/footer1.xml": footer]
        )
        let template = try MergeTemplate(package, format: .docx)
        let merged = try template.merge(Self.fields)
        let document = try Docx.part("word/document.xml", of: merged)
        #expect(
            document.contains(
                "<w:t xml:space=\"preserve\">Dear Ann, </w:t></w:r><w:r><w:t xml:space=\"preserve\">Ann &lt;Lee&gt; &amp; Co</w:t>"
            )
        )
        #expect(document.contains("<w:t xml:space=\"preserve\"> from Oslo.</w:t>"))
        // Text that is not a known field stays text (French quotes, an unknown name).
        #expect(document.contains("« bonjour » «ShoeSize»"))
        let mergedHeader = try Docx.part("word/header1.xml", of: merged)
        #expect(mergedHeader.contains(">Lee Ltd.</w:t>") && mergedHeader.contains("> – 2026-11-27</w:t>"))
        #expect(!mergedHeader.contains("«"))
        #expect(try Docx.part("word/footer1.xml", of: merged).contains(">Anna Holm</w:t>"))
    }

    @Test("look-alike elements are not runs or text: w:rPr, w:tab, w:tbl, empty runs")
    func lookAlikes() throws {
        let package = try Docx.package(
            document: """
                <w:tbl><w:tr><w:tc><w:p><w:r/><w:r w:rsidR="00A1"><w:rPr><w:rFonts w:ascii="Arial"/></w:rPr>\
                <w:tab/><w:t>«City»</w:t></w:r></w:p></w:tc></w:tr></w:tbl>\
                <w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText>MERGEFIELD Email</w:instrText></w:r>\
                <w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>
                """
        )
        var fields = Self.fields
        fields.email = "ann@lee.example"
        let xml = try Docx.part("word/document.xml", of: try MergeTemplate(package, format: .docx).merge(fields))
        #expect(xml.contains("<w:tab/><w:t xml:space=\"preserve\">Oslo</w:t>"))
        #expect(xml.contains("<w:r><w:t xml:space=\"preserve\">ann@lee.example</w:t></w:r>"))
        #expect(xml.contains("<w:r/>") && xml.contains("<w:tbl><w:tr><w:tc>") && Self.noMarkers(xml))
    }

    static func noMarkers(_ xml: String) -> Bool {
        !xml.contains("MERGEFIELD") && !xml.contains("«") && !xml.contains("fldChar")
    }

    @Test("unknown MERGEFIELDs are reported and merge as empty text")
    func unknownFields() throws {
        let package = try Docx.package(
            document: "<w:p><w:fldSimple w:instr=\" MERGEFIELD ShoeSize \"><w:r><w:t>x</w:t></w:r></w:fldSimple></w:p>"
        )
        let template = try MergeTemplate(package, format: .docx)
        #expect(template.unknownFields == ["ShoeSize"])
        let xml = try Docx.part("word/document.xml", of: template.merge(Self.fields))
        #expect(xml.contains("<w:t xml:space=\"preserve\"></w:t>") && !xml.contains("MERGEFIELD"))
    }

    @Test("a file that is not a package, or a package without a document, is refused")
    func badPackages() throws {
        #expect(throws: MergeError.self) { try MergeTemplate(Array("not a zip".utf8), format: .docx) }
        let archive = try Archive(data: Data(), accessMode: .create)
        let data = Data("x".utf8)
        try archive.addEntry(
            with: "a.txt",
            type: .file,
            uncompressedSize: Int64(1),
            provider: { (_: Int64, _: Int) in data }
        )
        #expect(throws: MergeError.self) { try MergeTemplate(Array(archive.data!), format: .docx) }
    }

    @Test("HTML bodies: Mustache tags and markers, HTML-escaped")
    func html() throws {
        let template = try MergeTemplate(
            Array(
                "<p>{{ salutation }}, {{ContactName}} ({{{City}}}) «Date» {{#Description}}[{{.}}]{{/Description}}</p>"
                    .utf8
            ),
            format: .html
        )
        #expect(template.fieldsUsed == ["Salutation", "ContactName", "City", "Date"])
        let merged = String(decoding: try template.merge(Self.fields), as: UTF8.self)
        #expect(merged == "<p>Dear Ann, Ann &lt;Lee&gt; &amp; Co (Oslo) 2026-11-27 [Spring offer]</p>")
    }

    @Test("plain-text bodies are not escaped")
    func text() throws {
        let template = try MergeTemplate(Array("Hello {{ContactName}}, «Salutation».\n{{Nope}}".utf8), format: .text)
        #expect(template.unknownFields == ["Nope"])
        #expect(String(decoding: try template.merge(Self.fields), as: UTF8.self) == "Hello Ann <Lee> & Co, Dear Ann.\n")
    }

    @Test("formats by file name")
    func formats() {
        #expect(MergeFormat(fileName: "Offer.DOCX") == .docx)
        #expect(MergeFormat(fileName: "body.htm") == .html)
        #expect(MergeFormat(fileName: "body.txt") == .text)
        #expect(MergeFormat(fileName: "scan.pdf") == nil)
        #expect(MergeFormat(fileName: "docx") == nil)
    }
}
