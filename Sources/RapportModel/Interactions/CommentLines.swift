/// Comment lines of a log entry (reference 1.7): Text[80] each, numbered 10000, 20000, …
public enum CommentLines {
    public static let maximumLength = 80
    public static let lineNoStep = 10000

    /// Splits a multi-line comment (lines separated by LF or CRLF) into comment lines, skipping empty lines.
    public static func split(_ text: String) throws(InteractionProblem) -> [String] {
        var lines: [String] = []
        // "\r\n" is one Character in Swift, so both separators are named.
        for raw in text.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            let line = String(raw)
            // Code points, as the database's length() counts them.
            guard line.unicodeScalars.count <= Self.maximumLength else {
                throw InteractionProblem(
                    .invalid,
                    "comment line \(lines.count + 1) is longer than \(Self.maximumLength) characters"
                )
            }
            lines.append(line)
        }
        return lines
    }
}
