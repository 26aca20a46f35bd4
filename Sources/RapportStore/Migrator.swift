import LibPQ
import Logging

/// Brings a database to the current schema.
///
/// - Each pending migration runs in its own transaction, together with the row that records it.
/// - A session advisory lock serialises migrators, so replicas starting together do not race:
///   the second waits, then finds nothing left to do.
/// - Each applied migration's SHA-256 is recorded; if an applied file has since changed, or the
///   database has a migration this program does not know, nothing is applied and an error says so.
public struct Migrator: Sendable {
    public enum MigrationError: Error, CustomStringConvertible, Equatable {
        case changedAfterApply(version: Int, name: String)
        case unknownApplied(version: Int, name: String)
        case duplicateVersion(Int)

        public var description: String {
            switch self {
            case .changedAfterApply(let version, let name):
                return
                    "migration \(version) (\(name)) was changed after it was applied; restore the original file and add a new migration instead"
            case .unknownApplied(let version, let name):
                return
                    "the database has migration \(version) (\(name)), which this rapportd does not know: it is older than the schema"
            case .duplicateVersion(let version):
                return "two migration files share version \(version)"
            }
        }
    }

    public struct Report: Sendable, Equatable {
        /// Versions applied by this run, in order.
        public var applied: [Int]
        /// Versions that were already applied before this run.
        public var alreadyApplied: [Int]
    }

    /// Arbitrary but fixed: the key of the advisory lock held while migrating ("RAPPORT" in ASCII).
    static let advisoryLockKey: Int64 = 0x52_41_50_50_4F_52_54

    public let migrations: [Migration]
    private let logger: Logger

    public init(migrations: [Migration] = Migration.embedded, logger: Logger = Logger(label: "rapport.migrate")) {
        self.migrations = migrations.sorted { $0.version < $1.version }
        self.logger = logger
    }

    /// Applies every pending migration on `connection`. Blocks; run it on a pool thread.
    public func migrate(_ connection: PGConnection) throws -> Report {
        if let duplicate = Dictionary(grouping: self.migrations, by: \.version).first(where: { $0.value.count > 1 }) {
            throw MigrationError.duplicateVersion(duplicate.key)
        }
        try connection.execute("SELECT pg_advisory_lock(\(Self.advisoryLockKey))")
        defer { _ = try? connection.execute("SELECT pg_advisory_unlock(\(Self.advisoryLockKey))") }
        // Only create the bookkeeping table when it is missing: a server running as a role without
        // DDL rights (rapport_app) must be able to start on a current schema.
        let exists = try connection.query("SELECT to_regclass('rapport_schema_migrations') IS NOT NULL")
        if try !exists[0].decode(Bool.self, at: 0) {
            try connection.executeScript(Self.bookkeepingDDL)
        }

        let rows = try connection.query(
            "SELECT version, name, checksum FROM rapport_schema_migrations ORDER BY version"
        )
        var applied: [Int: (name: String, checksum: String)] = [:]
        for row in rows {
            applied[try row.decode(Int.self, at: 0)] = (
                try row.decode(String.self, at: 1), try row.decode(String.self, at: 2)
            )
        }
        let known = Dictionary(uniqueKeysWithValues: self.migrations.map { ($0.version, $0) })
        for (version, record) in applied.sorted(by: { $0.key < $1.key }) {
            guard let migration = known[version] else {
                throw MigrationError.unknownApplied(version: version, name: record.name)
            }
            if try Self.checksum(of: migration, on: connection) != record.checksum {
                throw MigrationError.changedAfterApply(version: version, name: migration.name)
            }
        }

        var report = Report(applied: [], alreadyApplied: applied.keys.sorted())
        for migration in self.migrations where applied[migration.version] == nil {
            try connection.transaction { connection in
                try connection.executeScript(migration.sql)
                try connection.execute(
                    """
                    INSERT INTO rapport_schema_migrations (version, name, checksum)
                    VALUES (\(migration.version), \(migration.name), encode(sha256(convert_to(\(migration.sql), 'UTF8')), 'hex'))
                    """
                )
            }
            self.logger.info(
                "applied migration",
                metadata: ["version": "\(migration.version)", "name": "\(migration.name)"]
            )
            report.applied.append(migration.version)
        }
        if !report.applied.isEmpty {
            // New tables and views must be reachable by the server and reporting roles (sql/0009).
            try connection.execute(
                "SELECT rapport_grant_roles() WHERE to_regprocedure('rapport_grant_roles()') IS NOT NULL"
            )
        }
        return report
    }

    /// PostgreSQL computes the checksum, so this module needs no hashing library.
    private static func checksum(of migration: Migration, on connection: PGConnection) throws -> String {
        let rows = try connection.query("SELECT encode(sha256(convert_to(\(migration.sql), 'UTF8')), 'hex')")
        return try rows[0].decode(String.self, at: 0)
    }

    static let bookkeepingDDL = """
        CREATE TABLE IF NOT EXISTS rapport_schema_migrations (
            version integer PRIMARY KEY,
            name text NOT NULL,
            checksum text NOT NULL,
            applied_at timestamptz NOT NULL DEFAULT now()
        );
        COMMENT ON TABLE rapport_schema_migrations IS 'Schema migrations applied by rapportd migrate, one row per sql/NNNN_*.sql file.';
        COMMENT ON COLUMN rapport_schema_migrations.version IS 'The number at the start of the migration file name.';
        COMMENT ON COLUMN rapport_schema_migrations.name IS 'The migration file name.';
        COMMENT ON COLUMN rapport_schema_migrations.checksum IS 'SHA-256 (hex) of the file as applied; rapportd refuses to run when an applied file has changed.';
        COMMENT ON COLUMN rapport_schema_migrations.applied_at IS 'When the migration was applied.';
        """
}
