/// Parses request lines: `[tag SP] verb *(SP argument)`.
public enum Tokenizer {
    /// Most arguments a request may carry.
    public static let maximumArgumentCount = 64

    /// Parses one request line (without terminator and without literal marker).
    ///
    /// - Returns: the request with a nil payload, or nil for a blank line (which gets no reply).
    /// - Throws: ``SyntaxError`` naming the first offending column.
    public static func parse(_ line: String) throws(SyntaxError) -> Request? {
        var scanner = TokenScanner(line)
        scanner.skipBlanks()
        guard let first = scanner.current else { return nil }
        var tag: String?
        if first == "#" {
            let tagColumn = scanner.column
            let word = scanner.readBareWord()
            guard CharacterClasses.isValidTag(word) else {
                throw SyntaxError("tag must be # and 1–32 letters, digits, _ or -", column: tagColumn)
            }
            tag = word
            scanner.skipBlanks()
            guard !scanner.isAtEnd else { throw SyntaxError("missing verb after tag", column: scanner.column) }
        }
        let verb = try Self.readVerb(&scanner)
        var arguments: [Argument] = []
        while true {
            scanner.skipBlanks()
            if scanner.isAtEnd { break }
            guard arguments.count < Self.maximumArgumentCount else {
                throw SyntaxError(
                    "too many arguments (at most \(Self.maximumArgumentCount))",
                    column: scanner.column,
                    kind: .tooManyArguments
                )
            }
            arguments.append(try scanner.readArgument())
        }
        return Request(tag: tag, verb: verb, arguments: arguments)
    }

    private static func readVerb(_ scanner: inout TokenScanner) throws(SyntaxError) -> String {
        let verbColumn = scanner.column
        let word = scanner.readBareWord()
        let scalars = word.unicodeScalars
        guard (1...CharacterClasses.maximumNameLength).contains(scalars.count),
            scalars.allSatisfy(CharacterClasses.isNameCharacter)
        else {
            throw SyntaxError("verb must be 1–32 letters, digits, _ or -", column: verbColumn)
        }
        return word.uppercased()
    }
}
