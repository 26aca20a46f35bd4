import Foundation
import Mustache
import ZIPFoundation

/// What a merge template is made of.
public enum MergeFormat: String, Sendable, CaseIterable {
    /// A Word package (`.docx`): `MERGEFIELD`s and `«Field»` markers in the document, headers and footers.
    case docx
    /// An HTML e-mail body: Mustache `{{Field}}` (HTML-escaped) and `«Field»` markers.
    case html
    /// A plain-text body: Mustache `{{Field}}` (not escaped) and `«Field»` markers.
    case text

    /// The format of a file by its extension (`docx`, `html`/`htm`, `txt`); nil when it cannot be merged.
    public init?(fileName: String) {
        guard let dot = fileName.lastIndex(of: ".") else { return nil }
        switch fileName[fileName.index(after: dot)...].lowercased() {
        case "docx": self = .docx
        case "html", "htm": self = .html
        case "txt", "text": self = .text
        default: return nil
        }
    }

    public var contentType: String {
        switch self {
        case .docx: return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        case .html: return "text/html; charset=utf-8"
        case .text: return "text/plain; charset=utf-8"
        }
    }
}

/// Why a template cannot be merged.
public struct MergeError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// A template prepared once and merged for many contacts: the fields are found when it is made, so that
/// ``merge(_:)`` only joins text (a segment of thousands of lines parses its template once).
public struct MergeTemplate: Sendable {
    public let format: MergeFormat
    /// The field names the template uses, as written (known or not), in order of first use.
    public let fieldsUsed: [String]
    private let body: Body

    private enum Body: Sendable {
        /// The package's entries in order; merged parts as pieces, the others as they are.
        case docx([DocxEntry])
        case mustache(MustacheTemplate)
    }

    private struct DocxEntry: Sendable {
        var path: String
        var content: Data
        var pieces: [XMLPiece]?
    }

    /// Prepares `content` of `format`; throws when it is not a valid package or template.
    public init(_ content: [UInt8], format: MergeFormat) throws {
        self.format = format
        switch format {
        case .docx:
            let (entries, used) = try Self.prepareDocx(Data(content))
            self.body = .docx(entries)
            self.fieldsUsed = used
        case .html, .text:
            guard let text = String(bytes: content, encoding: .utf8) else {
                throw MergeError("the \(format.rawValue) template is not UTF-8 text")
            }
            let (source, used) = MustacheSource.canonical(text)
            let pragma = format == .text ? "{{%CONTENT_TYPE:TEXT}}" : ""
            do {
                self.body = .mustache(try MustacheTemplate(string: pragma + source))
            } catch {
                throw MergeError("the \(format.rawValue) template is not a valid Mustache template: \(error)")
            }
            self.fieldsUsed = used
        }
    }

    /// The fields used that ``MergeFields/Name`` does not know.
    public var unknownFields: [String] {
        self.fieldsUsed.filter { MergeFields.Name(lenient: $0) == nil }
    }

    /// The merged document: no merge field or marker of a known field is left; an unknown field merges as
    /// empty text.
    public func merge(_ fields: MergeFields) throws -> [UInt8] {
        switch self.body {
        case .mustache(let template):
            return Array(template.render(fields.dictionary).utf8)
        case .docx(let entries):
            let archive: Archive
            do {
                archive = try Archive(data: Data(), accessMode: .create)
            } catch {
                throw MergeError("cannot create the merged package: \(error)")
            }
            for entry in entries {
                let data: Data
                if let pieces = entry.pieces {
                    data = Data(XMLPiece.render(pieces, fields).utf8)
                } else {
                    data = entry.content
                }
                try archive.addEntry(
                    with: entry.path,
                    type: .file,
                    uncompressedSize: Int64(data.count),
                    // Media (PNG, JPEG …) is compressed already: only the XML is deflated for each contact.
                    compressionMethod: entry.pieces != nil || Self.isText(entry.path) ? .deflate : .none,
                    provider: { position, size in
                        data.subdata(in: Data.Index(position)..<Data.Index(position) + size)
                    }
                )
            }
            guard let merged = archive.data else { throw MergeError("cannot write the merged package") }
            return Array(merged)
        }
    }

    /// Reads every entry; the document, header and footer parts become pieces.
    private static func prepareDocx(_ data: Data) throws -> ([DocxEntry], [String]) {
        let archive: Archive
        do {
            archive = try Archive(data: data, accessMode: .read)
        } catch {
            throw MergeError("the .docx file is not a ZIP package: \(error)")
        }
        var entries: [DocxEntry] = []
        var used: [String] = []
        var sawDocument = false
        for entry in archive where entry.type == .file {
            var content = Data()
            do {
                _ = try archive.extract(entry, skipCRC32: false) { content.append($0) }
            } catch {
                throw MergeError("cannot read \(entry.path) of the .docx package: \(error)")
            }
            var pieces: [XMLPiece]?
            if Self.isMergedPart(entry.path) {
                sawDocument = sawDocument || entry.path == "word/document.xml"
                guard let xml = String(data: content, encoding: .utf8) else {
                    throw MergeError("\(entry.path) of the .docx package is not UTF-8 XML")
                }
                let prepared = WordFields.prepare(xml)
                pieces = prepared
                for case .field(let name) in prepared where !used.contains(name) { used.append(name) }
            }
            entries.append(DocxEntry(path: entry.path, content: content, pieces: pieces))
        }
        guard sawDocument else { throw MergeError("the .docx package has no word/document.xml") }
        return (entries, used)
    }

    private static func isText(_ path: String) -> Bool {
        path.hasSuffix(".xml") || path.hasSuffix(".rels") || path.hasSuffix(".txt")
    }

    private static func isMergedPart(_ path: String) -> Bool {
        guard path.hasPrefix("word/"), path.hasSuffix(".xml") else { return false }
        let name = path.dropFirst("word/".count)
        return name == "document.xml" || (!name.contains("/") && (name.hasPrefix("header") || name.hasPrefix("footer")))
    }
}

/// A prepared XML part: text as it is, and fields whose values are XML-escaped when merged.
enum XMLPiece: Sendable, Equatable {
    case literal(String)
    case field(String)

    static func render(_ pieces: [XMLPiece], _ fields: MergeFields) -> String {
        var out = ""
        for piece in pieces {
            switch piece {
            case .literal(let text): out += text
            case .field(let name): out += XMLText.escape(MergeFields.Name(lenient: name).map { fields[$0] } ?? "")
            }
        }
        return out
    }
}

/// Mustache source with `«Field»` markers of known fields turned into `{{Field}}` and the names of simple
/// tags (`{{name}}`, `{{{name}}}`, `{{&name}}`) written as the field list writes them.
enum MustacheSource {
    static func canonical(_ text: String) -> (String, [String]) {
        var used: [String] = []
        func note(_ name: String) { if !used.contains(name) { used.append(name) } }
        var out = ""
        var rest = Substring(text)
        while let open = rest.firstIndex(where: { $0 == "{" || $0 == "«" }) {
            out += rest[..<open]
            rest = rest[open...]
            if rest.hasPrefix("«") {
                if let close = rest.firstIndex(of: "»") {
                    let inner = rest[rest.index(after: rest.startIndex)..<close]
                    if let name = MergeFields.Name(lenient: inner) {
                        note(name.rawValue)
                        out += "{{\(name.rawValue)}}"
                        rest = rest[rest.index(after: close)...]
                        continue
                    }
                }
                out += "«"
                rest = rest.dropFirst()
                continue
            }
            guard rest.hasPrefix("{{") else {
                out += "{"
                rest = rest.dropFirst()
                continue
            }
            let triple = rest.hasPrefix("{{{")
            let openLength = triple ? 3 : 2
            let closing = triple ? "}}}" : "}}"
            guard let closeRange = rest.range(of: closing) else {
                out += rest
                rest = ""
                break
            }
            let inner = rest[rest.index(rest.startIndex, offsetBy: openLength)..<closeRange.lowerBound]
            var sigil = ""
            var name = inner.trimmingCharacters(in: .whitespaces)
            if !triple, let first = name.first, first == "&" {
                sigil = "&"
                name = String(name.dropFirst()).trimmingCharacters(in: .whitespaces)
            }
            let isVariable = !name.isEmpty && name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" }
            if isVariable && (triple || sigil == "&" || !"#^/!>=%".contains(inner.first ?? " ")) {
                let canonical = MergeFields.Name(lenient: name)?.rawValue ?? name
                note(canonical)
                out += String(repeating: "{", count: openLength) + sigil + canonical + closing
            } else {
                out += rest[..<closeRange.upperBound]
            }
            rest = rest[closeRange.upperBound...]
        }
        out += rest
        return (out, used)
    }
}

/// XML text escaping for merged values and the reading of `w:t` content.
enum XMLText {
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.append(character)
            }
        }
        return out
    }

    static func unescape(_ text: some StringProtocol) -> String {
        guard text.contains("&") else { return String(text) }
        var out = ""
        var rest = Substring(text)
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            guard let semi = rest[amp...].firstIndex(of: ";"), rest.distance(from: amp, to: semi) <= 10 else {
                out += "&"
                rest = rest[rest.index(after: amp)...]
                continue
            }
            let entity = rest[rest.index(after: amp)..<semi]
            var decoded: String?
            switch entity {
            case "amp": decoded = "&"
            case "lt": decoded = "<"
            case "gt": decoded = ">"
            case "quot": decoded = "\""
            case "apos": decoded = "'"
            default:
                if entity.hasPrefix("#x") || entity.hasPrefix("#X") {
                    decoded = UInt32(entity.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init).map { String($0) }
                } else if entity.hasPrefix("#") {
                    decoded = UInt32(entity.dropFirst(), radix: 10).flatMap(Unicode.Scalar.init).map { String($0) }
                }
            }
            if let decoded {
                out += decoded
                rest = rest[rest.index(after: semi)...]
            } else {
                out += "&"
                rest = rest[rest.index(after: amp)...]
            }
        }
        out += rest
        return out
    }
}
