/// Reads tokens (atoms and quoted segments) from a line of Unicode scalars.
///
/// Works on scalars, never on `Character`s: a combining mark after a `"` would otherwise merge with it into one
/// grapheme and hide the quote. Values are gathered as UTF-8 bytes and made a `String` once: appending scalar by
/// scalar to a `String` was most of a client's time reading a page of entries.
struct TokenScanner {
    private let scalars: [Unicode.Scalar]
    /// Index of the next scalar to read.
    private(set) var index: Int

    init(_ line: String, from index: Int = 0) {
        self.scalars = Array(line.unicodeScalars)
        self.index = index
    }

    var isAtEnd: Bool { self.index >= self.scalars.count }

    /// The 1-based column of the next scalar.
    var column: Int { self.index + 1 }

    /// The scalar at the read position, if any.
    var current: Unicode.Scalar? { self.isAtEnd ? nil : self.scalars[self.index] }

    /// Skips spaces and TABs; returns whether any were skipped.
    @discardableResult
    mutating func skipBlanks() -> Bool {
        let start = self.index
        while let scalar = self.current, CharacterClasses.isBlank(scalar) { self.index += 1 }
        return self.index > start
    }

    /// Reads raw scalars up to the next blank, without interpreting quotes (for tags and verbs).
    mutating func readBareWord() -> String {
        var word = String.UnicodeScalarView()
        while let scalar = self.current, !CharacterClasses.isBlank(scalar) {
            word.append(scalar)
            self.index += 1
        }
        return String(word)
    }

    /// Reads one argument: named if it starts with an unquoted `key=`, positional otherwise.
    mutating func readArgument() throws(SyntaxError) -> Argument {
        // Key characters are never blank, so the rest of the line serves as well as the token.
        guard let keyLength = CharacterClasses.namedPrefixLength(self.scalars[self.index...]) else {
            return .positional(try self.readValue())
        }
        // Key characters are ASCII: one byte each.
        let keyBytes = self.scalars[self.index..<(self.index + keyLength)].map { UInt8($0.value) }
        let key = String(decoding: keyBytes, as: UTF8.self)
        self.index += keyLength + 1
        return .named(key.lowercased(), try self.readValue())
    }

    /// Reads the value of a token: atoms and quoted segments up to the next blank or the end.
    mutating func readValue() throws(SyntaxError) -> String {
        var value: [UInt8] = []
        while let scalar = self.current, !CharacterClasses.isBlank(scalar) {
            switch scalar {
            case "\"":
                try self.readQuotedSegment(into: &value)
            case "\\":
                throw SyntaxError("backslash outside quotes", column: self.column)
            case "\0":
                throw SyntaxError("NUL character", column: self.column)
            case _ where CharacterClasses.isControl(scalar):
                throw SyntaxError("control character \(Self.codePoint(scalar))", column: self.column)
            default:
                Self.append(scalar, to: &value)
                self.index += 1
            }
        }
        return String(decoding: value, as: UTF8.self)
    }

    /// Appends the UTF-8 encoding of `scalar`.
    private static func append(_ scalar: Unicode.Scalar, to bytes: inout [UInt8]) {
        if scalar.isASCII {
            bytes.append(UInt8(scalar.value))
        } else {
            UTF8.encode(scalar) { bytes.append($0) }
        }
    }

    private mutating func readQuotedSegment(into value: inout [UInt8]) throws(SyntaxError) {
        let openingColumn = self.column
        self.index += 1
        while let scalar = self.current {
            switch scalar {
            case "\"":
                self.index += 1
                return
            case "\\":
                Self.append(try self.readEscape(), to: &value)
            case "\0":
                throw SyntaxError("NUL character", column: self.column)
            case "\t":
                Self.append(scalar, to: &value)
                self.index += 1
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                // C1 controls may appear raw inside quotes: they have no `\xHH` form.
                throw SyntaxError("control character \(Self.codePoint(scalar))", column: self.column)
            default:
                Self.append(scalar, to: &value)
                self.index += 1
            }
        }
        throw SyntaxError("unterminated quote", column: openingColumn)
    }

    private mutating func readEscape() throws(SyntaxError) -> Unicode.Scalar {
        let escapeColumn = self.column
        self.index += 1
        guard let letter = self.current else { throw SyntaxError("unterminated quote", column: escapeColumn) }
        self.index += 1
        switch letter {
        case "\\": return "\\"
        case "\"": return "\""
        case "n": return "\n"
        case "r": return "\r"
        case "t": return "\t"
        case "x":
            guard self.index + 2 <= self.scalars.count,
                let high = Self.hexValue(self.scalars[self.index]),
                let low = Self.hexValue(self.scalars[self.index + 1])
            else { throw SyntaxError("\\x needs two hex digits", column: escapeColumn) }
            self.index += 2
            let byte = high * 16 + low
            guard byte != 0 else { throw SyntaxError("NUL character", column: escapeColumn) }
            guard byte < 0x80 else { throw SyntaxError("\\x escape above 7F", column: escapeColumn) }
            return Unicode.Scalar(UInt8(byte))
        default:
            throw SyntaxError("bad escape \\\(String(letter))", column: escapeColumn)
        }
    }

    private static func hexValue(_ scalar: Unicode.Scalar) -> UInt32? {
        switch scalar {
        case "0"..."9": return scalar.value - 0x30
        case "a"..."f": return scalar.value - 0x61 + 10
        case "A"..."F": return scalar.value - 0x41 + 10
        default: return nil
        }
    }

    static func codePoint(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }
}
