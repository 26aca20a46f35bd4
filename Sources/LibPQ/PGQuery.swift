import Foundation

/// A SQL statement whose interpolated values become `$n` parameters, never SQL text.
///
///     let rows = try connection.query("SELECT name FROM contacts WHERE no = \(contactNo)")
///
/// `\(unescaped: …)` pastes trusted SQL (a column list chosen by code), never user input.
public struct PGQuery: Sendable, ExpressibleByStringInterpolation, CustomStringConvertible {
    public var sql: String
    public var binds: [PGBind]

    public init(stringLiteral value: String) {
        self.sql = value
        self.binds = []
    }

    public init(stringInterpolation: StringInterpolation) {
        self.sql = stringInterpolation.sql
        self.binds = stringInterpolation.binds
    }

    /// A statement built by code, with its parameters already numbered.
    public init(sql: String, binds: [PGBind] = []) {
        self.sql = sql
        self.binds = binds
    }

    public struct StringInterpolation: StringInterpolationProtocol {
        var sql = ""
        var binds: [PGBind] = []

        public init(literalCapacity: Int, interpolationCount: Int) {
            self.sql.reserveCapacity(literalCapacity + interpolationCount * 3)
            self.binds.reserveCapacity(interpolationCount)
        }

        public mutating func appendLiteral(_ literal: String) {
            self.sql += literal
        }

        public mutating func appendInterpolation(_ value: some PGEncodable) {
            self.binds.append(value.pgBind)
            self.sql += "$\(self.binds.count)"
        }

        /// NULL when `value` is nil (spelled out so the compiler does not warn about optionals).
        public mutating func appendInterpolation<Value: PGEncodable>(_ value: Value?) {
            self.binds.append(value.pgBind)
            self.sql += "$\(self.binds.count)"
        }

        public mutating func appendInterpolation(unescaped sql: String) {
            self.sql += sql
        }
    }

    /// Appends `value` as the next parameter and returns its placeholder, for statements built in steps.
    public mutating func bind(_ value: some PGEncodable) -> String {
        self.binds.append(value.pgBind)
        return "$\(self.binds.count)"
    }

    public var description: String { self.sql }
}

extension PGQuery {
    /// Statements of the same text whose rows come from one `VALUES (…)` tuple become one statement with
    /// a tuple per statement (parameters renumbered); others stay as they are. Grouped by text, in the
    /// order each text first appears.
    static func merged(_ queries: [PGQuery]) -> [PGQuery] {
        var order: [String] = []
        var groups: [String: [PGQuery]] = [:]
        for query in queries {
            if groups[query.sql] == nil { order.append(query.sql) }
            groups[query.sql, default: []].append(query)
        }
        var result: [PGQuery] = []
        for text in order {
            let group = groups[text]!
            guard group.count > 1, let (head, tuple, tail) = Self.valuesTuple(text) else {
                result += group
                continue
            }
            var sql = head
            var binds: [PGBind] = []
            for (index, query) in group.enumerated() {
                if index > 0 { sql += ", " }
                sql += Self.renumbered(tuple, by: binds.count)
                binds += query.binds
            }
            result.append(PGQuery(sql: sql + tail, binds: binds))
        }
        return result
    }

    /// `(head, tuple, tail)` of `… VALUES (…) …`, the tuple with its parentheses; nil without one.
    static func valuesTuple(_ sql: String) -> (String, String, String)? {
        guard let values = sql.range(of: "VALUES ("),
            sql.range(of: "VALUES (", range: values.upperBound..<sql.endIndex) == nil
        else { return nil }
        let open = sql.index(before: values.upperBound)
        var depth = 0
        var index = open
        while index < sql.endIndex {
            switch sql[index] {
            case "(": depth += 1
            case ")":
                depth -= 1
                if depth == 0 {
                    let close = sql.index(after: index)
                    return (String(sql[..<open]), String(sql[open..<close]), String(sql[close...]))
                }
            case "'":
                // A quoted literal: its parentheses do not count ('' inside is a quote).
                index = sql.index(after: index)
                while index < sql.endIndex, sql[index] != "'" { index = sql.index(after: index) }
                if index == sql.endIndex { return nil }
            default: break
            }
            index = sql.index(after: index)
        }
        return nil
    }

    /// `$n` becomes `$(n + offset)`.
    static func renumbered(_ sql: String, by offset: Int) -> String {
        guard offset > 0 else { return sql }
        var result = ""
        var index = sql.startIndex
        while index < sql.endIndex {
            let character = sql[index]
            index = sql.index(after: index)
            guard character == "$" else {
                result.append(character)
                continue
            }
            var digits = ""
            while index < sql.endIndex, let digit = sql[index].wholeNumberValue, sql[index].isASCII {
                digits += String(digit)
                index = sql.index(after: index)
            }
            result += digits.isEmpty ? "$" : "$\(Int(digits)! + offset)"
        }
        return result
    }
}
