import LibPQ
import RapportTestSupport
import Testing

@Suite("LibPQ connections, errors and transactions")
struct ConnectionTests {
    let database: TestDatabase

    init() async throws {
        self.database = try await TestPostgres.freshDatabase(migrated: false)
    }

    @Test func uniqueViolationCarriesSQLState() async throws {
        let database = self.database
        let error = await #expect(throws: PGError.self) {
            try await TestPostgres.blocking {
                let connection = try database.connect()
                defer { connection.close() }
                try connection.execute("CREATE TABLE t (id int CONSTRAINT t_pk PRIMARY KEY, note text)")
                try connection.execute("INSERT INTO t VALUES (1, 'a')")
                try connection.execute("INSERT INTO t VALUES (1, 'b')")
            }
        }
        #expect(error?.sqlState == "23505")
        #expect(error?.isUniqueViolation == true)
        #expect(error?.constraint == "t_pk")
        #expect(error?.table == "t")
        #expect(error?.detail?.contains("(id)=(1)") == true)
    }

    @Test func transactionRollsBackOnThrow() async throws {
        struct Boom: Error {}
        let database = self.database
        let count = try await TestPostgres.blocking {
            let connection = try database.connect()
            defer { connection.close() }
            try connection.execute("CREATE TABLE t (id int)")
            do {
                try connection.transaction { connection in
                    try connection.execute("INSERT INTO t VALUES (1)")
                    throw Boom()
                }
            } catch is Boom {}
            #expect(connection.transactionState == .idle)
            try connection.transaction { connection in
                try connection.execute("INSERT INTO t VALUES (2)")
            }
            return try connection.query("SELECT count(*) FROM t")[0].decode(Int.self, at: 0)
        }
        #expect(count == 1)
    }

    @Test func affectedRows() async throws {
        let database = self.database
        let (inserted, updated) = try await TestPostgres.blocking {
            let connection = try database.connect()
            defer { connection.close() }
            try connection.execute("CREATE TABLE t (id int)")
            let inserted = try connection.execute("INSERT INTO t SELECT generate_series(1, 10)")
            let updated = try connection.execute("UPDATE t SET id = id + 1 WHERE id > \(7)")
            return (inserted, updated)
        }
        #expect(inserted == 10)
        #expect(updated == 3)
    }

    @Test func statementTimeoutCancelsWithClearError() async throws {
        let database = self.database
        let error = await #expect(throws: PGError.self) {
            try await TestPostgres.blocking {
                let connection = try PGConnection.connect(database.configuration(statementTimeout: .milliseconds(200)))
                defer { connection.close() }
                try connection.execute("SELECT pg_sleep(5)")
            }
        }
        #expect(error?.kind == .statementTimeout)
        #expect(error?.sqlState == "57014")
        #expect(error?.message.contains("statement timeout") == true)
    }

    @Test func connectionFailureIsReported() async throws {
        let error = #expect(throws: PGError.self) {
            _ = try PGConnection.connect(
                ConnectionConfiguration(parameters: ["host": "/nonexistent", "port": "1"], connectTimeoutSeconds: 1)
            )
        }
        #expect(error?.kind == .connectionFailed)
        #expect(error?.isConnectionFailure == true)
    }

    @Test func rowsDecodeByName() async throws {
        let database = self.database
        let rows = try await TestPostgres.blocking {
            let connection = try database.connect()
            defer { connection.close() }
            return try connection.query("SELECT n AS number, 'row ' || n AS label FROM generate_series(1, 3) n")
        }
        #expect(rows.count == 3)
        #expect(try rows.map { try $0.decode(Int.self, named: "number") } == [1, 2, 3])
        #expect(try rows[2].decode(String.self, named: "label") == "row 3")
        #expect(throws: PGError.self) { try rows[0].decode(Int.self, named: "missing") }
    }
}
