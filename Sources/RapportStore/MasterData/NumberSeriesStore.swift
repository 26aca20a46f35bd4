import LibPQ
import RapportModel

/// A number series (`number_series`).
public struct NumberSeries: Sendable, Equatable {
    public var code: String
    public var description: String?
    public var startingNo: String
    public var endingNo: String?
    public var lastNoUsed: String?
    public var incrementBy: Int
    public var allowManual: Bool

    public init(
        code: String,
        description: String? = nil,
        startingNo: String,
        endingNo: String? = nil,
        lastNoUsed: String? = nil,
        incrementBy: Int = 1,
        allowManual: Bool = false
    ) {
        self.code = code
        self.description = description
        self.startingNo = startingNo
        self.endingNo = endingNo
        self.lastNoUsed = lastNoUsed
        self.incrementBy = incrementBy
        self.allowManual = allowManual
    }
}

/// Number series, inside the caller's transaction.
public enum NumberSeriesStore {
    static let columns = "code, description, starting_no, ending_no, last_no_used, increment_by, allow_manual"

    static func decode(_ row: PGRow) throws -> NumberSeries {
        NumberSeries(
            code: try row.decode(String.self, at: 0),
            description: try row.decode(String?.self, at: 1),
            startingNo: try row.decode(String.self, at: 2),
            endingNo: try row.decode(String?.self, at: 3),
            lastNoUsed: try row.decode(String?.self, at: 4),
            incrementBy: try row.decode(Int.self, at: 5),
            allowManual: try row.decode(Bool.self, at: 6)
        )
    }

    public static func add(_ connection: PGConnection, _ series: NumberSeries) throws -> NumberSeries {
        guard series.startingNo.contains(where: \.isNumber) else {
            throw StoreError.invalid(
                "Starting No. \(series.startingNo) must contain a number: give starting-no= with digits, e.g. CT000001"
            )
        }
        if let ending = series.endingNo {
            guard ending.contains(where: \.isNumber) else {
                throw StoreError.invalid("Ending No. \(ending) must contain a number: give ending-no= with digits")
            }
            var probe = NumberSeriesFormat(
                code: series.code,
                startingNo: series.startingNo,
                endingNo: ending,
                lastNoUsed: nil,
                incrementBy: series.incrementBy
            )
            do {
                _ = try probe.take(1)
            } catch {
                throw StoreError.invalid(
                    "Ending No. \(ending) must not be before Starting No. \(series.startingNo): give a later ending-no="
                )
            }
        }
        return try MasterDataLookup.inserting("No. Series \(series.code) already exists") {
            let rows = try connection.query(
                """
                INSERT INTO number_series (code, description, starting_no, ending_no, increment_by, allow_manual)
                VALUES (\(series.code), \(series.description), \(series.startingNo), \(series.endingNo),
                        \(series.incrementBy), \(series.allowManual))
                RETURNING \(unescaped: Self.columns)
                """
            )
            return try Self.decode(rows[0])
        }
    }

    /// Number series in code order: a keyset page after `after` of at most `limit` (nil: all).
    /// How many number series there are (the total of a list).
    public static func count(_ connection: PGConnection) throws -> Int {
        try MasterDataLookup.count(connection, "SELECT count(*) FROM number_series")
    }

    public static func list(_ connection: PGConnection, after: String? = nil, limit: Int? = nil) throws
        -> [NumberSeries]
    {
        try connection.query(
            """
            SELECT \(unescaped: Self.columns) FROM number_series
            WHERE \(after)::text IS NULL OR code > \(after) ORDER BY code LIMIT \(limit)
            """
        ).map(Self.decode)
    }

    public static func get(_ connection: PGConnection, _ code: String) throws -> NumberSeries? {
        try connection.query("SELECT \(unescaped: Self.columns) FROM number_series WHERE code = \(code)")
            .first.map(Self.decode)
    }

    /// The next number of `code` (locks the series row to the end of the transaction).
    public static func next(_ connection: PGConnection, _ code: String) throws -> String {
        do {
            return try connection.query("SELECT rapport_next_number(\(code))")[0].decode(String.self, at: 0)
        } catch let error as PGError where error.sqlState == "P0001" {
            throw StoreError.invalid(error.message)
        } catch let error as PGError where error.sqlState == "P0002" {
            throw StoreError.notFound("No. Series \(code) does not exist")
        }
    }

    /// The next `count` numbers of `code` at once: one locked read, one update (bulk imports).
    public static func take(_ connection: PGConnection, _ code: String, count: Int) throws -> [String] {
        guard count > 0 else { return [] }
        let rows = try connection.query(
            "SELECT \(unescaped: Self.columns) FROM number_series WHERE code = \(code) FOR UPDATE"
        )
        guard let row = rows.first else { throw StoreError.notFound("No. Series \(code) does not exist") }
        let series = try Self.decode(row)
        var format = NumberSeriesFormat(
            code: series.code,
            startingNo: series.startingNo,
            endingNo: series.endingNo,
            lastNoUsed: series.lastNoUsed,
            incrementBy: series.incrementBy
        )
        let numbers: [String]
        do {
            numbers = try format.take(count)
        } catch {
            throw StoreError.invalid(error.description)
        }
        try connection.execute("UPDATE number_series SET last_no_used = \(numbers.last!) WHERE code = \(code)")
        return numbers
    }

    /// BC's TestManual: a number may be typed unless the series (if any) forbids manual numbers.
    public static func checkManual(_ connection: PGConnection, series code: String?) throws {
        guard let code, let series = try Self.get(connection, code), !series.allowManual else { return }
        throw StoreError.invalid(
            "You may not enter numbers manually. If you want to enter numbers manually, please activate "
                + "Manual Nos. in No. Series \(code)."
        )
    }
}
