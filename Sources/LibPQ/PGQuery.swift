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
    /// order each text first appears. `text` gives the merged text (a connection caches it: the same
    /// few statements are merged batch after batch).
    static func merged(
        _ queries: [PGQuery],
        text mergedText: (MergedTextKey) -> String? = { PGQuery.mergedText($0) }
    ) -> [PGQuery] {
        var order: [String] = []
        var groups: [String: [PGQuery]] = [:]
        for query in queries {
            if groups[query.sql] == nil { order.append(query.sql) }
            groups[query.sql, default: []].append(query)
        }
        var result: [PGQuery] = []
        for text in order {
            let group = groups[text]!
            let parameters = group[0].binds.count
            guard group.count > 1, group.allSatisfy({ $0.binds.count == parameters }),
                let sql = mergedText(MergedTextKey(text: text, count: group.count, parameters: parameters))
            else {
                result += group
                continue
            }
            result.append(PGQuery(sql: sql, binds: group.flatMap(\.binds)))
        }
        return result
    }

    /// `count` statements of `text`, each with `parameters` parameters, as one.
    struct MergedTextKey: Hashable {
        var text: String
        var count: Int
        var parameters: Int
    }

    /// The text of `key.count` statements of `key.text` as one: the `VALUES` tuple repeated, each copy's
    /// parameters renumbered after the previous copies'; nil when the text has no single `VALUES (…)`.
    static func mergedText(_ key: MergedTextKey) -> String? {
        guard let (head, tuple, tail) = Self.valuesTuple(key.text) else { return nil }
        var sql = head
        for index in 0..<key.count {
            if index > 0 { sql += ", " }
            sql += Self.renumbered(tuple, by: index * key.parameters)
        }
        return sql + tail
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
        let bytes = Array(sql.utf8)
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count + 16)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            result.append(byte)
            guard byte == UInt8(ascii: "$") else { continue }
            var number = 0
            var digits = 0
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
                number = number * 10 + Int(bytes[index] - UInt8(ascii: "0"))
                digits += 1
                index += 1
            }
            if digits > 0 { result += String(number + offset).utf8 }
        }
        return String(decoding: result, as: UTF8.self)
    }
}
