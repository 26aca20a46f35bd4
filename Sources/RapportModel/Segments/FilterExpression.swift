/// A field filter in the spirit of BC's filter syntax, reduced to what criteria need (reference 3.7):
/// alternatives separated by `|`, each one of
///
/// - `value` — equal;
/// - `<>value` — not equal;
/// - `from..to`, `from..`, `..to` — an inclusive range;
/// - a pattern with `*` wildcards (`*HILL*`), for codes and text only.
///
/// Values are normalised for their field: codes and search names upper-cased, enumerations lower-cased,
/// dates checked. A value cannot contain `|` (BC would need quotes for that; not supported).
public struct FilterExpression: Sendable, Equatable, CustomStringConvertible {
    public enum Term: Sendable, Equatable {
        case equal(String)
        case notEqual(String)
        case range(from: String?, to: String?)
        case pattern(String)
    }

    /// What a field holds, which decides normalisation and which terms are allowed.
    public enum Kind: Sendable, Equatable {
        case code(maxLength: Int)
        /// Matched upper-cased (BC's Search Name).
        case searchText(maxLength: Int)
        case enumeration([String])
        case date
        case integer
    }

    /// At most this many alternatives, so that a filter stays a small SQL expression.
    public static let maximumTerms = 100

    public let terms: [Term]

    /// Parses `text` for a field of `kind`; `field` names the field in error messages.
    public init(_ text: String, kind: Kind, field: String) throws(FilterError) {
        let parts = text.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        guard parts.count <= Self.maximumTerms else {
            throw FilterError("filter \(field) has more than \(Self.maximumTerms) alternatives")
        }
        var terms: [Term] = []
        for part in parts {
            terms.append(try Self.term(part, kind: kind, field: field))
        }
        self.terms = terms
    }

    public init(terms: [Term]) {
        self.terms = terms
    }

    /// The canonical text, which parses back to the same expression.
    public var description: String {
        self.terms.map { term -> String in
            switch term {
            case .equal(let value): return value
            case .notEqual(let value): return "<>" + value
            case .range(let from, let to): return (from ?? "") + ".." + (to ?? "")
            case .pattern(let value): return value
            }
        }.joined(separator: "|")
    }

    private static func term(_ raw: String, kind: Kind, field: String) throws(FilterError) -> Term {
        let text = raw.trimmingWhitespace()
        guard !text.isEmpty else { throw FilterError("filter \(field) has an empty alternative") }
        if text.hasPrefix("<>") {
            let value = String(text.dropFirst(2))
            return .notEqual(try Self.value(value, kind: kind, field: field))
        }
        if let dots = text.firstRange(of: "..") {
            let from = String(text[text.startIndex..<dots.lowerBound]).trimmingWhitespace()
            let to = String(text[dots.upperBound...]).trimmingWhitespace()
            if case .enumeration = kind { throw FilterError("filter \(field) takes values, not ranges") }
            guard !(from.isEmpty && to.isEmpty) else { throw FilterError("filter \(field) has an empty range") }
            return .range(
                from: from.isEmpty ? nil : try Self.value(from, kind: kind, field: field),
                to: to.isEmpty ? nil : try Self.value(to, kind: kind, field: field)
            )
        }
        if text.contains("*") {
            switch kind {
            case .code, .searchText:
                return .pattern(text.uppercased())
            default:
                throw FilterError("filter \(field) does not take * patterns")
            }
        }
        return .equal(try Self.value(text, kind: kind, field: field))
    }

    private static func value(_ raw: String, kind: Kind, field: String) throws(FilterError) -> String {
        let text = raw.trimmingWhitespace()
        guard !text.isEmpty else { throw FilterError("filter \(field) has an empty value") }
        switch kind {
        case .code(let maximum), .searchText(let maximum):
            let value = text.uppercased()
            // Code points, as the database's length() counts them.
            guard value.unicodeScalars.count <= maximum else {
                throw FilterError("filter \(field): \"\(text)\" is longer than \(maximum) characters")
            }
            return value
        case .enumeration(let allowed):
            let lowered = text.lowercased()
            guard allowed.contains(lowered) else {
                throw FilterError(
                    "filter \(field): unknown value \"\(text)\"; use \(allowed.joined(separator: ", "))"
                )
            }
            return lowered
        case .date:
            guard DateText.isValid(text) else {
                throw FilterError("filter \(field): \"\(text)\" is not a YYYY-MM-DD date")
            }
            return text
        case .integer:
            guard text.count <= 18, text.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                throw FilterError("filter \(field): \"\(text)\" is not a number")
            }
            return String(Int64(text)!)
        }
    }
}

/// A filter that cannot be understood; the message names the field.
public struct FilterError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { self.message }
}

/// `YYYY-MM-DD` checks without Foundation.
enum DateText {
    static func isValid(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }),
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
            (1...9999).contains(year), (1...12).contains(month)
        else { return false }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        return (1...days).contains(day)
    }
}
