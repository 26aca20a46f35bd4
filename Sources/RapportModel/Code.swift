/// Business Central "Code[n]" values: identifiers stored trimmed and upper-cased.
public enum Code {
    public enum Problem: Error, Equatable, CustomStringConvertible {
        case empty(field: String)
        case tooLong(field: String, maximum: Int)

        public var description: String {
            switch self {
            case .empty(let field): return "\(field) must have a value"
            case .tooLong(let field, let maximum): return "\(field) must be at most \(maximum) characters"
            }
        }
    }

    /// Trims and upper-cases `text`; nil for blank input (blank codes are stored as NULL).
    public static func normalize(_ text: String) -> String? {
        let trimmed = text.trimmingWhitespace()
        return trimmed.isEmpty ? nil : trimmed.uppercased()
    }

    /// Trims and upper-cases `text`, refusing blank or over-long values.
    public static func required(_ text: String, field: String, maximum: Int) throws(Problem) -> String {
        guard let code = Self.normalize(text) else { throw .empty(field: field) }
        // Code points, as the database's length() counts them.
        guard code.unicodeScalars.count <= maximum else { throw .tooLong(field: field, maximum: maximum) }
        return code
    }
}

extension String {
    /// The first `maximum` code points: a cut that fits a database column of `maximum` characters
    /// (PostgreSQL counts code points, Swift's `prefix` counts grapheme clusters).
    public func prefix(codePoints maximum: Int) -> String {
        String(String.UnicodeScalarView(self.unicodeScalars.prefix(maximum)))
    }

    func trimmingWhitespace() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
