import LibPQ
import Logging
import RapportStore
import RapportTestSupport
import Testing

let quietLogger: Logger = {
    var logger = Logger(label: "rapport.tests")
    logger.logLevel = .warning
    return logger
}()

@Suite("Migrations")
struct MigratorTests {
    let database: TestDatabase

    init() async throws {
        self.database = try await TestPostgres.freshDatabase(migrated: false)
    }

    func migrate(_ migrator: Migrator = Migrator(logger: quietLogger)) async throws -> Migrator.Report {
        let database = self.database
        return try await TestPostgres.blocking {
            let connection = try database.connect()
            defer { connection.close() }
            return try migrator.migrate(connection)
        }
    }

    func query<T: PGDecodable>(_ sql: PGQuery, as type: T.Type) async throws -> [T] {
        let database = self.database
        return try await TestPostgres.blocking {
            let connection = try database.connect()
            defer { connection.close() }
            return try connection.query(sql).map { try $0.decode(T.self, at: 0) }
        }
    }

    @Test func emptyDatabaseReachesCurrentSchemaThenSecondRunIsNoOp() async throws {
        let all = Migration.embedded.map(\.version)
        #expect(!all.isEmpty)
        let first = try await self.migrate()
        #expect(first.applied == all)
        #expect(first.alreadyApplied.isEmpty)
        let recorded = try await self.query(
            "SELECT version FROM rapport_schema_migrations ORDER BY version",
            as: Int.self
        )
        #expect(recorded == all)
        let tables = try await self.query(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename = 'interaction_log_entries'",
            as: Int.self
        )
        #expect(tables == [1])

        let second = try await self.migrate()
        #expect(second.applied.isEmpty)
        #expect(second.alreadyApplied == all)
    }

    @Test func changedAppliedMigrationIsRefused() async throws {
        _ = try await self.migrate()
        var changed = Migration.embedded
        changed[0].sql += "\n-- edited after release\n"
        let error = await #expect(throws: Migrator.MigrationError.self) {
            try await self.migrate(Migrator(migrations: changed, logger: quietLogger))
        }
        #expect(error == .changedAfterApply(version: changed[0].version, name: changed[0].name))
    }

    @Test func unknownAppliedMigrationIsRefused() async throws {
        _ = try await self.migrate()
        let older = Array(Migration.embedded.dropLast())
        let last = Migration.embedded.last!
        let error = await #expect(throws: Migrator.MigrationError.self) {
            try await self.migrate(Migrator(migrations: older, logger: quietLogger))
        }
        #expect(error == .unknownApplied(version: last.version, name: last.name))
    }

    @Test func failingMigrationLeavesNothingBehind() async throws {
        let broken = Migration(
            version: 9000,
            name: "9000_broken.sql",
            sql: "CREATE TABLE half_done (id int); SELECT 1/0;"
        )
        await #expect(throws: PGError.self) {
            try await self.migrate(Migrator(migrations: Migration.embedded + [broken], logger: quietLogger))
        }
        let leftovers = try await self.query(
            "SELECT count(*) FROM pg_tables WHERE tablename = 'half_done'",
            as: Int.self
        )
        #expect(leftovers == [0])
        let recorded = try await self.query(
            "SELECT count(*) FROM rapport_schema_migrations WHERE version = 9000",
            as: Int.self
        )
        #expect(recorded == [0])
        // Everything before the broken one was applied and recorded.
        let report = try await self.migrate()
        #expect(report.applied.isEmpty)
    }

    @Test func twoMigratorsAtOnceFinishWithOneSchema() async throws {
        async let first = self.migrate()
        async let second = self.migrate()
        let reports = try await [first, second]
        let all = Migration.embedded.map(\.version)
        // One applied everything; the other waited on the advisory lock and found nothing to do.
        #expect(reports.map(\.applied).sorted { $0.count < $1.count } == [[], all])
        let recorded = try await self.query("SELECT count(*) FROM rapport_schema_migrations", as: Int.self)
        #expect(recorded == [all.count])
    }
}
