import LibPQ
import RapportTestSupport
import Testing

@Suite("LibPQ COPY FROM STDIN")
struct CopyTests {
    let database: TestDatabase

    init() async throws {
        self.database = try await TestPostgres.freshDatabase(migrated: false)
    }

    @Test func copiesCSVInSeveralChunks() async throws {
        let database = self.database
        // Over one chunk (1 MiB), with a quoted line break and a quoted comma.
        var text = "\"multi\nline\",\"a, b\"\n"
        for row in 1...60_000 { text += "row \(row),value \(row)\n" }
        let bytes = Array(text.utf8)
        #expect(bytes.count > PGConnectionChunk.bytes)
        let (copied, count, first) = try await TestPostgres.blocking {
            let connection = try database.connect()
            defer { connection.close() }
            try connection.execute("CREATE TABLE t (n bigint GENERATED ALWAYS AS IDENTITY, a text, b text)")
            let copied = try bytes.withUnsafeBytes {
                try connection.copyIn("COPY t (a, b) FROM STDIN (FORMAT csv)", data: $0)
            }
            let count = try connection.query("SELECT count(*) FROM t")[0].decode(Int.self, at: 0)
            let first = try connection.query("SELECT a || '|' || b FROM t WHERE n = 1")[0].decode(String.self, at: 0)
            return (copied, count, first)
        }
        #expect(copied == 60_001)
        #expect(count == 60_001)
        #expect(first == "multi\nline|a, b")
    }

    @Test func badDataThrowsAndTheConnectionStaysUsable() async throws {
        let database = self.database
        let (error, state, after) = try await TestPostgres.blocking {
            let connection = try database.connect()
            defer { connection.close() }
            try connection.execute("CREATE TABLE t (a text, b int)")
            var error: PGError?
            try connection.execute("BEGIN")
            do {
                try Array("x,1\ny,not a number\n".utf8).withUnsafeBytes {
                    try connection.copyIn("COPY t FROM STDIN (FORMAT csv)", data: $0)
                }
            } catch let caught as PGError {
                error = caught
            }
            let state = connection.transactionState
            try connection.execute("ROLLBACK")
            let after = try connection.query("SELECT count(*) FROM t")[0].decode(Int.self, at: 0)
            return (error, state, after)
        }
        #expect(error?.sqlState == "22P02")
        #expect(state == .failedTransaction)
        #expect(after == 0)
    }

    @Test func refusesAStatementThatIsNotACopy() async throws {
        let database = self.database
        await #expect(throws: PGError.self) {
            try await TestPostgres.blocking {
                let connection = try database.connect()
                defer { connection.close() }
                try [UInt8]().withUnsafeBytes { _ = try connection.copyIn("SELECT 1", data: $0) }
            }
        }
    }
}

enum PGConnectionChunk {
    static let bytes = 1 << 20
}
