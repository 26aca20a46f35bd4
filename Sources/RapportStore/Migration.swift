/// One numbered schema change from `sql/NNNN_name.sql`.
public struct Migration: Sendable, Hashable {
    public var version: Int
    public var name: String
    public var sql: String

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }

    /// Parses `NNNN_name.sql`; nil for a file name without a leading version number.
    public init?(fileName: String, sql: String) {
        let digits = fileName.prefix(while: \.isNumber)
        guard !digits.isEmpty, let version = Int(digits), fileName.hasSuffix(".sql") else { return nil }
        self.init(version: version, name: fileName, sql: sql)
    }

    /// The migrations compiled into this program from the package's `sql/` folder, in order.
    public static let embedded: [Migration] =
        embeddedMigrationFiles
        .compactMap { Migration(fileName: $0.name, sql: $0.sql) }
        .sorted { $0.version < $1.version }
}
