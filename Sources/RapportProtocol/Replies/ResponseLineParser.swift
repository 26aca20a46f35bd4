/// Parses one line of server output (terminator removed, literal marker removed) into its parts.
enum ResponseLineParser {
    /// What one line of server output is.
    enum Line: Equatable {
        case data(tag: String?, tokens: [Argument])
        case final(tag: String?, FinalLine)
    }

    static func parse(_ text: String) throws(ResponseParseError) -> Line {
        let scalars = Array(text.unicodeScalars)
        var start = 0
        var tag: String?
        if scalars.first == "#" {
            guard let space = scalars.firstIndex(of: " ") else { throw ResponseParseError("tag without a line") }
            let word = Self.string(scalars[0..<space])
            guard CharacterClasses.isValidTag(word) else { throw ResponseParseError("invalid tag \(word)") }
            tag = word
            start = space + 1
        }
        if start < scalars.count, scalars[start] == "*" {
            return .data(tag: tag, tokens: try Self.dataTokens(text, from: start + 1))
        }
        return .final(tag: tag, try Self.finalLine(scalars[start...]))
    }

    private static func dataTokens(_ text: String, from index: Int) throws(ResponseParseError) -> [Argument] {
        var scanner = TokenScanner(text, from: index)
        guard scanner.skipBlanks() || scanner.isAtEnd else {
            throw ResponseParseError("data line needs a space after *")
        }
        var tokens: [Argument] = []
        do {
            while !scanner.isAtEnd {
                tokens.append(try scanner.readArgument())
                scanner.skipBlanks()
            }
        } catch {
            throw ResponseParseError("bad data line: \(error)")
        }
        return tokens
    }

    private static func finalLine(_ scalars: ArraySlice<Unicode.Scalar>) throws(ResponseParseError) -> FinalLine {
        let (word, text) = Self.splitFirstWord(scalars)
        switch word {
        case "OK": return .ok(Self.string(text))
        case "BYE": return .bye(Self.string(text))
        case "ERR":
            let (codeWord, message) = Self.splitFirstWord(text)
            guard let code = ErrorCode(rawValue: codeWord) else {
                throw ResponseParseError("unknown error code \(codeWord)")
            }
            return .error(code, Self.string(message))
        default:
            throw ResponseParseError("unexpected line starting with \(word)")
        }
    }

    /// The scalars up to the first space, and those after it.
    private static func splitFirstWord(
        _ scalars: ArraySlice<Unicode.Scalar>
    ) -> (String, ArraySlice<Unicode.Scalar>) {
        guard let space = scalars.firstIndex(of: " ") else { return (Self.string(scalars), []) }
        return (Self.string(scalars[..<space]), scalars[(space + 1)...])
    }

    private static func string(_ scalars: ArraySlice<Unicode.Scalar>) -> String {
        String(String.UnicodeScalarView(scalars))
    }
}
