/// Strings that stress the quoting: everything the grammar treats specially, and Unicode that is easy to get wrong.
enum TrickyStrings {
    /// Pieces a generated string is made of; NUL is left out on purpose (it cannot travel).
    static let pieces: [String] = [
        "a", "Z", "7", "_", "-", ".", " ", "  ", "\t", "\"", "\\", "=", "a=", "key=", "{", "}", "{12}", "#", "*",
        "\n", "\r", "\r\n", "\u{01}", "\u{1B}", "\u{1F}", "\u{7F}", "\u{85}", "\u{9F}", "\u{A0}", "é",
        "e\u{301}", "\u{301}", "\u{2028}", "日本", "😀", "👍🏽", "👩‍👩‍👧", "🇫🇷", "\u{FEFF}", "\u{FFFD}", "x\\ny",
        "\\x41", "OK", "ERR",
    ]

    /// Fixed cases that must always be covered.
    static let fixed: [String] = ["", " ", "=", "a=", "a=b", "\"", "\\", "{0}", "{12}", "x=", "#tag", "*", "\u{301}"]

    /// A generated string of up to `maximumPieces` pieces.
    static func random(using generator: inout SeededGenerator, maximumPieces: Int = 8) -> String {
        let count = Int.random(in: 0...maximumPieces, using: &generator)
        return (0..<count).map { _ in Self.pieces.randomElement(using: &generator)! }.joined()
    }

    /// The fixed cases followed by `count` generated ones.
    static func corpus(count: Int, seed: UInt64) -> [String] {
        var generator = SeededGenerator(seed: seed)
        return Self.fixed + (0..<count).map { _ in Self.random(using: &generator) }
    }
}
