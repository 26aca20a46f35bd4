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
