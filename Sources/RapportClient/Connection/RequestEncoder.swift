import RapportProtocol

/// Builds the bytes of one request: `[#tag SP] VERB *(SP argument) [SP {N}] CRLF [payload]`.
enum RequestEncoder {
    /// Longest verb or tag name the server accepts.
    private static let maximumNameLength = 32

    /// Encodes a request built from parts, checking locally what would otherwise break the line.
    static func encode(
        tag: String?,
        verb: String,
        arguments: [Argument],
        payload: [UInt8]?
    ) throws(RapportClientError) -> [UInt8] {
        guard Self.isName(verb) else {
            throw .invalidRequest("verb must be 1–32 letters, digits, _ or -: \(verb)")
        }
        var line = tag.map { $0 + " " } ?? ""
        line += verb
        for argument in arguments {
            if case .named(let key, _) = argument, !Self.isKey(key) {
                throw .invalidRequest("invalid argument key \(key)")
            }
            line += " " + WireEncoding.argument(argument)
        }
        return Self.frame(line, payload: payload)
    }

    /// Encodes a line typed by a person, unchanged, refusing what would desynchronise the session.
    static func encodeRaw(_ line: String, payload: [UInt8]?) throws(RapportClientError) -> [UInt8] {
        if line.unicodeScalars.contains(where: { $0 == "\n" || $0 == "\r" }) {
            throw .invalidRequest("a line cannot contain a line break")
        }
        if line.unicodeScalars.allSatisfy({ $0 == " " || $0 == "\t" }) {
            // The server does not answer blank lines, so nobody would ever resume the caller.
            throw .invalidRequest("empty line")
        }
        if Self.endsWithLiteralMarker(line) {
            throw .invalidRequest("a literal {N} cannot be typed; pass the bytes as a payload")
        }
        return Self.frame(line, payload: payload)
    }

    /// The tag a raw line starts with, if it is a valid one (the server echoes only valid tags).
    static func tag(ofRawLine line: String) -> String? {
        let trimmed = line.drop { $0 == " " || $0 == "\t" }
        guard trimmed.hasPrefix("#") else { return nil }
        let word = trimmed.prefix { $0 != " " && $0 != "\t" }
        let name = word.dropFirst()
        return Self.isName(name) ? String(word) : nil
    }

    /// Whether `text` is 1–32 letters, digits, `_` or `-` (verbs and tag names).
    static func isName(_ text: some StringProtocol) -> Bool {
        let scalars = text.unicodeScalars
        return (1...Self.maximumNameLength).contains(scalars.count)
            && scalars.allSatisfy { $0.isASCII && (Self.isAlphanumeric($0) || $0 == "_" || $0 == "-") }
    }

    /// Whether `key` matches `[A-Za-z][A-Za-z0-9_.-]*`, the rule of argument keys.
    static func isKey(_ key: some StringProtocol) -> Bool {
        let scalars = key.unicodeScalars
        guard let first = scalars.first, first.isASCII, first.properties.isAlphabetic else { return false }
        return scalars.allSatisfy { $0.isASCII && (Self.isAlphanumeric($0) || $0 == "_" || $0 == "." || $0 == "-") }
    }

    private static func isAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
    }

    /// Whether the last token of `line` is `{digits}` after a blank: the server would wait for that many bytes.
    private static func endsWithLiteralMarker(_ line: String) -> Bool {
        var scalars = Substring(line).unicodeScalars
        while let last = scalars.last, last == " " || last == "\t" { scalars.removeLast() }
        guard scalars.last == "}" else { return false }
        scalars.removeLast()
        let digits = scalars.reversed().prefix { ("0"..."9").contains($0) }.count
        guard digits > 0 else { return false }
        scalars.removeLast(digits)
        guard scalars.last == "{" else { return false }
        scalars.removeLast()
        guard let blank = scalars.last else { return false }
        return blank == " " || blank == "\t"
    }

    private static func frame(_ line: String, payload: [UInt8]?) -> [UInt8] {
        var bytes = Array(line.utf8)
        if let payload {
            bytes.append(contentsOf: " {\(payload.count)}".utf8)
        }
        bytes.append(contentsOf: WireEncoding.lineTerminator.utf8)
        if let payload {
            // No line end after the literal: the server's framer resumes scanning right after the N bytes.
            bytes.append(contentsOf: payload)
        }
        return bytes
    }
}
