/// Writes values with the protocol's quoting so that ``Tokenizer`` reads back exactly what was written.
public enum WireEncoding {
    /// Line terminator of everything the server sends.
    public static let lineTerminator = "\r\n"

    /// Encodes a positional value: a bare atom when that reads back unchanged, otherwise a quoted string.
    ///
    /// A value is quoted when it is empty, holds a character that is not an atom character or is white space,
    /// starts like a named argument (`key=`), or starts with `{` (so it cannot pass for a literal marker).
    public static func token(_ value: String) -> String {
        let scalars = value.unicodeScalars
        let needsQuotes =
            scalars.isEmpty || scalars.first == "{" || !Self.isBare(scalars)
            || CharacterClasses.namedPrefixLength(scalars) != nil
        return needsQuotes ? Self.quoted(value) : value
    }

    /// Encodes a named argument `key=value`; the key is lower-cased and the value quoted when needed.
    ///
    /// - Precondition: `key` matches `[A-Za-z][A-Za-z0-9_.-]*`.
    public static func named(_ key: String, _ value: String) -> String {
        precondition(CharacterClasses.isValidKey(key), "invalid argument key \(key)")
        let scalars = value.unicodeScalars
        let encodedValue = !scalars.isEmpty && Self.isBare(scalars) ? value : Self.quoted(value)
        return key.lowercased() + "=" + encodedValue
    }

    /// Encodes one argument.
    public static func argument(_ argument: Argument) -> String {
        switch argument {
        case .positional(let value): return Self.token(value)
        case .named(let key, let value): return Self.named(key, value)
        }
    }

    /// Encodes `value` as one quoted segment.
    ///
    /// NUL cannot travel in the protocol; it is written as U+FFFD.
    public static func quoted(_ value: String) -> String {
        var result = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case "\0": result.unicodeScalars.append("\u{FFFD}")
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                let hex = String(scalar.value, radix: 16, uppercase: true)
                result += "\\x" + (hex.count == 1 ? "0" + hex : hex)
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }

    /// Makes free text safe for a final line: control characters become spaces.
    public static func sanitizedText(_ text: String) -> String {
        var result = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            result.append(CharacterClasses.isControl(scalar) ? " " : scalar)
        }
        return String(result)
    }

    /// Builds a data line `[tag SP] "*" *(SP token) [SP "{N}"] CRLF`.
    ///
    /// - Parameter payloadLength: when set, the line announces a literal of that many bytes, which the caller
    ///   writes right after the line, followed by CRLF.
    public static func dataLine(_ tokens: [Argument], tag: String? = nil, payloadLength: Int? = nil) -> String {
        var line = Self.tagPrefix(tag) + "*"
        for token in tokens { line += " " + Self.argument(token) }
        if let payloadLength { line += " {\(payloadLength)}" }
        return line + Self.lineTerminator
    }

    /// Builds a final line `[tag SP] (OK [SP text] | ERR SP code [SP text] | BYE [SP text]) CRLF`.
    public static func finalLine(_ final: FinalLine, tag: String? = nil) -> String {
        let (head, text): (String, String) =
            switch final {
            case .ok(let text): ("OK", text)
            case .error(let code, let text): ("ERR " + code.rawValue, text)
            case .bye(let text): ("BYE", text)
            }
        let body = text.isEmpty ? head : head + " " + Self.sanitizedText(text)
        return Self.tagPrefix(tag) + body + Self.lineTerminator
    }

    private static func tagPrefix(_ tag: String?) -> String {
        tag.map { $0 + " " } ?? ""
    }

    /// Atom characters only, and no white space (which would be confusing to read even where it is legal).
    private static func isBare(_ scalars: String.UnicodeScalarView) -> Bool {
        scalars.allSatisfy { scalar in
            // An ASCII atom is never white space (space, tab and the controls are not atoms): the
            // Unicode property table, costly on every character of every reply, only beyond ASCII.
            CharacterClasses.isAtom(scalar) && (scalar.isASCII || !scalar.properties.isWhitespace)
        }
    }
}
