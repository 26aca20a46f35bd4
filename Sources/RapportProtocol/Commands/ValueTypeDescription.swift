extension ArgumentSpec.ValueType {
    /// A short name of the type for synopses (`<code>`, `<date>`, `a|b`).
    public var placeholder: String {
        switch self {
        case .text: return "text"
        case .code: return "code"
        case .integer: return "integer"
        case .decimal, .signedDecimal: return "decimal"
        case .bool: return "bool"
        case .date: return "date"
        case .time: return "time"
        case .enumeration(let words): return words.joined(separator: "|")
        case .list: return "list"
        }
    }

    /// What the type accepts, for HELP and the documentation, e.g. `code, at most 10 characters`.
    public var summary: String {
        switch self {
        case .text(let maxLength): return "text, at most \(maxLength) characters"
        case .code(let maxLength): return "code, at most \(maxLength) characters"
        case .integer(let range):
            let bounds = Self.describe(range)
            return bounds.isEmpty ? "integer" : "integer \(bounds)"
        case .decimal: return "decimal number ≥ 0"
        case .signedDecimal: return "decimal number"
        case .bool: return "true or false"
        case .date: return "date YYYY-MM-DD"
        case .time: return "time HH:MM[:SS]"
        case .enumeration(let words): return "one of " + words.joined(separator: ", ")
        case .list: return "comma-separated list"
        }
    }

    static func describe(_ range: ClosedRange<Int>) -> String {
        switch (range.lowerBound, range.upperBound) {
        case (Int.min, Int.max): return ""
        case (Int.min, let upper): return "≤ \(upper)"
        case (let lower, Int.max): return "≥ \(lower)"
        case (let lower, let upper): return "from \(lower) to \(upper)"
        }
    }
}
