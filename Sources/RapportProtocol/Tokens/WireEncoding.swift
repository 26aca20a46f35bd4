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
    /// NUL cannot travel in the protocol; it is written as U+FFFD. Works on the UTF-8 bytes (every character
    /// that needs escaping is ASCII; the bytes of other characters pass as they are): appending scalar by
    /// scalar to a `String` cost a server most of its time encoding a page of entries.
    public static func quoted(_ value: String) -> String {
        let backslash = UInt8(ascii: "\\")
        var bytes: [UInt8] = [UInt8(ascii: "\"")]
        bytes.reserveCapacity(value.utf8.count + 8)
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""), backslash: bytes += [backslash, byte]
            case UInt8(ascii: "\n"): bytes += [backslash, UInt8(ascii: "n")]
            case UInt8(ascii: "\r"): bytes += [backslash, UInt8(ascii: "r")]
            case UInt8(ascii: "\t"): bytes += [backslash, UInt8(ascii: "t")]
            case 0: bytes += [0xEF, 0xBF, 0xBD]  // U+FFFD
            case 0..<0x20, 0x7F:
                bytes += [backslash, UInt8(ascii: "x"), Self.hexDigit(byte >> 4), Self.hexDigit(byte & 0xF)]
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "A") + value - 10
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
        for token in tokens {
            line += " "
            line += Self.argument(token)
        }
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
