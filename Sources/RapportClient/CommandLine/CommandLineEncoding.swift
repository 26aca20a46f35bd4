import RapportProtocol

/// Turns the words of a command line into request arguments.
///
/// A word `key=value` whose key matches `[A-Za-z][A-Za-z0-9_.-]*` becomes a named argument (key lower-cased);
/// every other word is a positional value, quoted on the wire when needed so that the server reads back exactly
/// that word.
public enum CommandLineEncoding {
    /// The argument one command-line word stands for.
    public static func argument(_ word: String) -> Argument {
        if let equals = word.firstIndex(of: "="), RequestEncoder.isKey(word[..<equals]) {
            return .named(word[..<equals].lowercased(), String(word[word.index(after: equals)...]))
        }
        return .positional(word)
    }

    /// The arguments of all words, in order.
    public static func arguments(_ words: [String]) -> [Argument] {
        words.map(Self.argument)
    }

    /// The wire form of one word (what follows the verb on the request line).
    public static func wireToken(_ word: String) -> String {
        WireEncoding.argument(Self.argument(word))
    }

    /// The request line (without tag and terminator) for `verb` and `words`, as shown to people.
    public static func requestLine(verb: String, words: [String]) -> String {
        ([verb] + words.map(Self.wireToken)).joined(separator: " ")
    }
}
