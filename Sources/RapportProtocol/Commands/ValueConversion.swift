/// Checks and normalises one argument value against its type.
enum ValueConversion {
    /// Most significant digits of a decimal (PostgreSQL `numeric` goes further; money never needs more).
    static let maximumDecimalDigits = 38

    static func convert(_ raw: String, for spec: ArgumentSpec) throws(ArgumentError) -> BoundValue {
        let name = spec.name
        if spec.blankable, raw.isEmpty { return .blank }
        switch spec.valueType {
        case .text(let maxLength):
            // Counted in code points, as PostgreSQL's length() and varchar(n) count: a name with
            // combining marks or ZWJ emoji must not pass here and fail in the database.
            guard raw.unicodeScalars.count <= maxLength else {
                throw ArgumentError("argument \(name) must be at most \(maxLength) characters")
            }
            return .text(raw)
        case .code(let maxLength):
            let code = Self.trimmed(raw).uppercased()
            guard (1...maxLength).contains(code.unicodeScalars.count) else {
                throw ArgumentError("argument \(name) must be a code of 1 to \(maxLength) characters")
            }
            return .code(code)
        case .integer(let range):
            guard let value = Self.integer(raw), range.contains(value) else {
                let bounds = ArgumentSpec.ValueType.describe(range)
                throw ArgumentError("argument \(name) must be an integer" + (bounds.isEmpty ? "" : " " + bounds))
            }
            return .integer(value)
        case .decimal, .signedDecimal:
            guard let value = Self.decimal(raw, allowsNegative: spec.valueType == .signedDecimal) else {
                throw ArgumentError("argument \(name) must be a \(spec.valueType.summary)")
            }
            return .decimal(value)
        case .bool:
            switch raw.lowercased() {
            case "true", "yes", "1": return .bool(true)
            case "false", "no", "0": return .bool(false)
            default: throw ArgumentError("argument \(name) must be true or false")
            }
        case .date:
            guard let date = CalendarDate(raw) else {
                throw ArgumentError("argument \(name) must be a date YYYY-MM-DD")
            }
            return .date(date)
        case .time:
            guard let time = TimeOfDay(raw) else {
                throw ArgumentError("argument \(name) must be a time HH:MM[:SS]")
            }
            return .time(time)
        case .enumeration(let words):
            let lowered = raw.lowercased()
            guard let word = words.first(where: { $0.lowercased() == lowered }) else {
                throw ArgumentError("argument \(name) must be one of " + words.joined(separator: ", "))
            }
            return .enumeration(word)
        case .list:
            return .list(raw.split(separator: ",").map { Self.trimmed(String($0)) }.filter { !$0.isEmpty })
        }
    }

    /// An optionally signed decimal integer of ASCII digits.
    private static func integer(_ raw: String) -> Int? {
        let digits = raw.hasPrefix("-") || raw.hasPrefix("+") ? raw.dropFirst() : Substring(raw)
        guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return Int(raw)
    }

    /// `[-]digits[.digits]` in canonical form: leading zeros dropped, no sign on zero; the scale is kept.
    private static func decimal(_ raw: String, allowsNegative: Bool) -> String? {
        var text = Substring(raw)
        let isNegative = text.hasPrefix("-")
        if isNegative { text = text.dropFirst() }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), parts.allSatisfy({ !$0.isEmpty && Self.isDigits($0) }) else { return nil }
        var whole = parts[0].drop { $0 == "0" }
        if whole.isEmpty { whole = "0" }
        let fraction = parts.count == 2 ? parts[1] : ""
        let significantDigits = (whole == "0" ? 0 : whole.count) + fraction.count
        guard significantDigits <= Self.maximumDecimalDigits else { return nil }
        let isZero = whole == "0" && fraction.allSatisfy { $0 == "0" }
        guard !isNegative || allowsNegative || isZero else { return nil }
        let body = fraction.isEmpty ? String(whole) : whole + "." + fraction
        return isNegative && !isZero ? "-" + body : body
    }

    private static func isDigits(_ text: Substring) -> Bool {
        text.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }

    /// Removes leading and trailing white space.
    static func trimmed(_ text: String) -> String {
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }
}
