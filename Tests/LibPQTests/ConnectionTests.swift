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

    /// A group commit's deferred writes: the same INSERT of several units becomes one statement per batch;
    /// the connection keeps the merged text by batch size, so a later batch of another size gets its own
    /// text and one of the same size the kept one, and every row arrives with its own values.
    @Test func deferredWritesMergeIntoOneStatementAndTheKeptTextServesLaterBatches() async throws {
        let database = self.database
        let (statements, rows) = try await TestPostgres.blocking { () -> ([[String]], [[String]]) in
            let connection = try database.connect()
            defer { connection.close() }
            try connection.execute("CREATE TABLE d (batch int, n int, note text)")
            var statements: [[String]] = []
            for (batch, size) in [3, 2, 3].enumerated() {
                connection.beginDeferring()
                for n in 0..<size {
                    connection.enqueueDeferrable("INSERT INTO d (batch, n, note) VALUES (\(batch), \(n), \("x\(n)"))")
                }
                let merged = connection.takeDeferred()
                statements.append(merged.map(\.sql))
                for query in merged { try connection.execute(query) }
            }
            let rows = try connection.query("SELECT batch::text, n::text, note FROM d ORDER BY batch, n").map {
                [
                    try $0.decode(String.self, at: 0), try $0.decode(String.self, at: 1),
                    try $0.decode(String.self, at: 2),
                ]
            }
            return (statements, rows)
        }
        let three = "INSERT INTO d (batch, n, note) VALUES ($1, $2, $3), ($4, $5, $6), ($7, $8, $9)"
        #expect(statements == [[three], ["INSERT INTO d (batch, n, note) VALUES ($1, $2, $3), ($4, $5, $6)"], [three]])
        #expect(
            rows == [
                ["0", "0", "x0"], ["0", "1", "x1"], ["0", "2", "x2"], ["1", "0", "x0"], ["1", "1", "x1"],
                ["2", "0", "x0"], ["2", "1", "x1"], ["2", "2", "x2"],
            ]
        )
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
