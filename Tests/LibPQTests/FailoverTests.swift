import LibPQ
import RapportTestSupport
import Testing

/// What the pool does for a replicated cluster (issue 16): multi-host URLs reach the writable
/// server, and a connection that finds itself on a standby (SQLSTATE 25006) is never reused.
@Suite("LibPQ failover")
struct FailoverTests {
    let database: TestDatabase

    init() async throws {
        self.database = try await TestPostgres.freshDatabase(migrated: false)
    }

    /// A `postgresql://` URL naming several hosts, the unreachable one first: libpq tries them in
    /// turn (`expand_dbname` keeps the whole list; nothing of ours parses the URL).
    func multiHostURL(attributes: String) -> String {
        let parameters = self.database.configuration().parameters
        let socket = parameters["host"]!
        let port = parameters["port"]!
        let user = parameters["user"]!
        return "postgresql:///\(self.database.name)?host=/nonexistent-rapport-socket,\(socket)&port=\(port),\(port)"
            + "&user=\(user)&target_session_attrs=\(attributes)"
    }

    @Test func multiHostURLWithReadWriteReachesTheWritableHost() async throws {
        let configuration = ConnectionConfiguration(url: self.multiHostURL(attributes: "read-write"))
        let pool = PGPool(configuration: .init(connection: configuration, size: 1))
        let answer = try await pool.withConnection { connection in
            try connection.query("SELECT pg_is_in_recovery()::text || ' ' || current_database()")[0]
                .decode(String.self, at: 0)
        }
        #expect(answer == "false \(self.database.name)")
        await pool.shutdown()
    }

    @Test func multiHostURLAskingForAStandbyFindsNone() async throws {
        // The only live server is a primary: libpq refuses it for target_session_attrs=standby.
        let configuration = ConnectionConfiguration(url: self.multiHostURL(attributes: "standby"))
        let pool = PGPool(configuration: .init(connection: configuration, size: 1))
        do {
            try await pool.withConnection { try $0.execute("SELECT 1") }
            Issue.record("a primary was accepted as a standby")
        } catch let error as PGError {
            #expect(error.kind == .connectionFailed, "\(error)")
            #expect(error.isConnectionFailure)
        }
        await pool.shutdown()
    }

    @Test func readOnlyTransactionErrorIsRetryableAndDropsTheConnection() async throws {
        let pool = PGPool(configuration: .init(connection: self.database.configuration(), size: 1))
        // A session that became read-only, as one to a demoted primary is (its server is a standby now).
        let firstPID = try await pool.withConnection { connection -> Int32 in
            try connection.execute("SET default_transaction_read_only = on")
            return connection.backendPID
        }
        do {
            try await pool.withTransaction { connection in
                try connection.execute("CREATE TABLE written_on_a_standby (x int)")
            }
            Issue.record("a write in a read-only session succeeded")
        } catch let error as PGError {
            #expect(error.sqlState == "25006", "\(error)")
            #expect(error.isReadOnlyTransaction)
            #expect(error.isConnectionFailure)
        }
        // The pool closed that connection: the next lease has a new backend, writable again.
        let (secondPID, readOnly) = try await pool.withConnection { connection in
            (
                connection.backendPID,
                try connection.query("SHOW default_transaction_read_only")[0].decode(String.self, at: 0)
            )
        }
        #expect(secondPID != firstPID)
        #expect(readOnly == "off")
        #expect(pool.statistics.open == 1)
        await pool.shutdown()
    }

    @Test func shutdownStatesRequireAReconnect() {
        for state in ["57P01", "57P02", "57P03", "25006", "08006"] {
            #expect(PGError.requiresReconnect(sqlState: state), "\(state)")
        }
        for state in ["23505", "40001", "57014", "25001"] {
            #expect(!PGError.requiresReconnect(sqlState: state), "\(state)")
        }
    }
}
