import LibPQ
import RapportTestSupport
import Testing

/// Properties of the migrated schema that a DBA relies on.
@Suite("Schema")
struct SchemaTests {
    let database: TestDatabase

    init() async throws {
        self.database = try await TestPostgres.freshDatabase(migrated: true)
    }

    func strings(_ sql: PGQuery) async throws -> [String] {
        let database = self.database
        return try await TestPostgres.blocking {
            let connection = try database.connect()
            defer { connection.close() }
            return try connection.query(sql).map { try $0.decode(String.self, at: 0) }
        }
    }

    @Test func everyTableAndColumnHasAComment() async throws {
        let tablesWithout = try await self.strings(
            """
            SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm')
              AND obj_description(c.oid, 'pg_class') IS NULL
            """
        )
        #expect(tablesWithout == [])
        let columnsWithout = try await self.strings(
            """
            SELECT (c.relname || '.' || a.attname)::text FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace
            JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
            WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm')
              AND col_description(c.oid, a.attnum) IS NULL
            """
        )
        #expect(columnsWithout == [])
    }

    @Test func numberSeriesIncrementKeepingWidthAndStopAtTheEnd() async throws {
        let database = self.database
        let numbers = try await TestPostgres.blocking {
            let connection = try database.connect()
            defer { connection.close() }
            try connection.execute(
                "INSERT INTO number_series (code, description, starting_no, ending_no) VALUES ('SEG', 'Segments', 'SEG00008', 'SEG00010')"
            )
            return try (0..<3).map { _ in
                try connection.query("SELECT rapport_next_number('SEG')")[0].decode(String.self, at: 0)
            }
        }
        #expect(numbers == ["SEG00008", "SEG00009", "SEG00010"])
        let database2 = self.database
        let error = await #expect(throws: PGError.self) {
            try await TestPostgres.blocking {
                let connection = try database2.connect()
                defer { connection.close() }
                try connection.execute("SELECT rapport_next_number('SEG')")
            }
        }
        #expect(error?.sqlState == "P0001")
    }

    @Test func enumAndAmountChecksRefuseBadValues() async throws {
        let database = self.database
        let states = try await TestPostgres.blocking {
            let connection = try database.connect()
            defer { connection.close() }
            try connection.execute("INSERT INTO interaction_groups (code, description) VALUES ('PHONE', 'Phone calls')")
            var states: [String?] = []
            for sql: PGQuery in [
                "INSERT INTO interaction_templates (code, interaction_group_code, unit_cost) VALUES ('T1', 'PHONE', -1)",
                "INSERT INTO interaction_templates (code, interaction_group_code, information_flow) VALUES ('T2', 'PHONE', 'sideways')",
                "INSERT INTO interaction_templates (code, interaction_group_code) VALUES ('lower', 'PHONE')",
                "INSERT INTO interaction_templates (code, interaction_group_code) VALUES ('T3', 'NOPE')",
            ] {
                do {
                    try connection.execute(sql)
                    states.append(nil)
                } catch let error as PGError {
                    states.append(error.sqlState)
                }
            }
            return states
        }
        #expect(states == ["23514", "23514", "23514", "23503"])
    }
}
