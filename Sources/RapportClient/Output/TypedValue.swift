import RapportProtocol

/// A data-line value as JSON, by the type its command declares (`HELP <VERB>`: `* result <key> <type>`).
///
/// Blank (`key=`) is `null`; `integer` and `decimal` are JSON numbers written with the server's exact digits
/// (never through `Double`, so `12.30` stays `12.30`); `bool` is `true`/`false`; everything else is a string.
/// A value that does not read as its type stays a string rather than being lost.
public enum TypedValue {
    /// `value` as a JSON value of `type` (nil type: a string, as when nothing is declared).
    public static func json(_ value: String?, type: ResultColumn.ValueType?) -> String {
        guard let value else { return "null" }
        guard let type else { return JSONRenderer.string(value) }
        if value.isEmpty { return "null" }
        switch type {
        case .integer: return Self.number(value, fractionAllowed: false) ?? JSONRenderer.string(value)
        case .decimal: return Self.number(value, fractionAllowed: true) ?? JSONRenderer.string(value)
        case .bool:
            switch value.lowercased() {
            case "true", "yes", "1": return "true"
            case "false", "no", "0": return "false"
            default: return JSONRenderer.string(value)
            }
        default: return JSONRenderer.string(value)
        }
    }

    /// `text` as a JSON number (RFC 8259 grammar), or nil: an optional sign, digits, optionally `.digits`.
    /// Leading zeros are dropped (`007` → `7`), a bare fraction gets its zero (`.5` → `0.5`), `+` is dropped.
    static func number(_ text: String, fractionAllowed: Bool) -> String? {
        var rest = Substring(text)
        var sign = ""
        if rest.first == "-" {
            sign = "-"
            rest = rest.dropFirst()
        } else if rest.first == "+" {
            rest = rest.dropFirst()
        }
        let parts = rest.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let isDigits = { (part: Substring) in part.allSatisfy { $0.isASCII && $0.isNumber } }
        guard let whole = parts.first, isDigits(whole) else { return nil }
        var integer = String(whole.drop { $0 == "0" })
        if integer.isEmpty { integer = "0" }
        if parts.count == 2 {
            guard fractionAllowed, !parts[1].isEmpty, isDigits(parts[1]), !(whole.isEmpty && parts[1].isEmpty)
            else { return nil }
            return sign + integer + "." + parts[1]
        }
        guard !whole.isEmpty else { return nil }
        return sign + integer
    }
}
