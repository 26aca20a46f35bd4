/// Tab completion for `rapport shell`: verbs (from `HELP`), then the argument names of the verb (from
/// `HELP <VERB>`) as `name=`. Matching ignores case; verbs are offered as the server spells them.
public enum Completion {
    /// The candidates for `word`, the word being typed, given the text of the line before it.
    ///
    /// - Parameters:
    ///   - lineBeforeWord: the line up to the start of `word` (a leading `#tag` is skipped).
    ///   - verbs: the server's verbs.
    ///   - argumentNames: the argument names of a verb (uppercase), or nil when unknown.
    public static func candidates(
        lineBeforeWord: String,
        word: String,
        verbs: [String],
        argumentNames: (String) -> [String]?
    ) -> [String] {
        var words = lineBeforeWord.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        if words.first?.hasPrefix("#") == true { words.removeFirst() }
        let lowered = word.lowercased()
        guard let verb = words.first else {
            if word.hasPrefix("#") { return [] }
            return verbs.filter { $0.lowercased().hasPrefix(lowered) }.sorted()
        }
        // A value is being typed: nothing to offer.
        if word.contains("=") { return [] }
        guard let names = argumentNames(verb.uppercased()) else { return [] }
        let given = Set(words.dropFirst().compactMap { $0.split(separator: "=", maxSplits: 1).first.map(String.init) })
        return names.filter { !given.contains($0) && $0.lowercased().hasPrefix(lowered) }.map { $0 + "=" }
    }
}
