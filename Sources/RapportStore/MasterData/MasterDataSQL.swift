import Foundation
import LibPQ

/// The assignments of a partial UPDATE (`SET a = $1, b = $2`), built from the fields a request
/// gives; each value is a parameter, column names are chosen by code.
struct MasterDataAssignments {
    private(set) var query = PGQuery(sql: "")
    private var parts: [String] = []

    var isEmpty: Bool { self.parts.isEmpty }

    /// `a = $1, b = $2`.
    var setClause: String { self.parts.joined(separator: ", ") }

    /// `column = value` (nil = NULL).
    mutating func set(_ column: String, _ value: some PGEncodable) {
        let placeholder = self.query.bind(value)
        self.parts.append("\(column) = \(placeholder)")
    }

    /// `column = value` when `change` is given (`.some(nil)` blanks the column).
    mutating func set<Value: PGEncodable>(_ column: String, change: Value??) {
        if let value = change { self.set(column, value) }
    }

    /// `column = value` when `value` is given.
    mutating func set<Value: PGEncodable>(_ column: String, ifGiven value: Value?) {
        if let value { self.set(column, value) }
    }

    /// `UPDATE table SET … WHERE keyColumn = key RETURNING returning`.
    func update(_ table: String, keyColumn: String, key: String, returning: String) -> PGQuery {
        var query = self.query
        let placeholder = query.bind(key)
        query.sql =
            "UPDATE \(table) SET \(self.setClause) WHERE \(keyColumn) = \(placeholder) "
            + "RETURNING \(returning)"
        return query
    }
}

/// Small look-ups the master data stores share.
enum MasterDataLookup {
    /// The number a `SELECT count(*) …` returns: the total a list of a small table prints.
    static func count(_ connection: PGConnection, _ query: PGQuery) throws -> Int {
        try connection.query(query)[0].decode(Int.self, at: 0)
    }

    /// Whether `query` returns a row.
    static func exists(_ connection: PGConnection, _ query: PGQuery) throws -> Bool {
        var wrapped = query
        wrapped.sql = "SELECT EXISTS (\(query.sql))"
        return try connection.query(wrapped)[0].decode(Bool.self, at: 0)
    }

    /// Refuses with `StoreError.notFound(message)` when `code` (if given) is not in `table.column`.
    static func require(
        _ connection: PGConnection,
        _ code: String?,
        in table: String,
        column: String = "code",
        _ message: String
    ) throws {
        guard let code else { return }
        let found = try self.exists(
            connection,
            "SELECT 1 FROM \(unescaped: table) WHERE \(unescaped: column) = \(code)"
        )
        if !found { throw StoreError.notFound(message) }
    }

    /// Runs `body`, turning a foreign key violation (something still refers to the row) into a conflict.
    @discardableResult
    static func deleting<T>(_ message: @autoclosure () -> String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as PGError where error.isForeignKeyViolation {
            throw StoreError.conflict(message())
        }
    }

    /// Runs `body`, turning a unique violation into a conflict.
    @discardableResult
    static func inserting<T>(_ message: @autoclosure () -> String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as PGError where error.isUniqueViolation {
            throw StoreError.conflict(message())
        }
    }
}

/// A `text[]` parameter encoded straight into bytes: the bulk import sends 19 arrays of 5,000
/// values per statement, where escaping character by character would cost more than the INSERT.
/// Values without a quote or backslash (nearly all) are copied whole.
struct MasterDataTextArray: PGEncodable {
    var values: [String]

    init(_ values: [String]) {
        self.values = values
    }

    var pgBind: PGBind {
        var bytes: [UInt8] = [Self.open]
        bytes.reserveCapacity(self.values.reduce(2) { $0 + $1.utf8.count + 3 })
        for (index, value) in self.values.enumerated() {
            if index > 0 { bytes.append(Self.comma) }
            bytes.append(Self.quote)
            var value = value
            value.withUTF8 { utf8 in
                guard let base = utf8.baseAddress else { return }
                if memchr(base, Int32(Self.quote), utf8.count) == nil,
                    memchr(base, Int32(Self.backslash), utf8.count) == nil
                {
                    bytes.append(contentsOf: utf8)
                } else {
                    for byte in utf8 {
                        if byte == Self.quote || byte == Self.backslash { bytes.append(Self.backslash) }
                        bytes.append(byte)
                    }
                }
            }
            bytes.append(Self.quote)
        }
        bytes.append(Self.close)
        var bind = PGBind(type: .textArray, text: nil)
        bind.bytes = bytes
        return bind
    }

    private static let quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\")
    private static let comma = UInt8(ascii: ","), open = UInt8(ascii: "{"), close = UInt8(ascii: "}")
}
