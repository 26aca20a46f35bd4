import LibPQ
import NIOCore
import NIOPosix
import Prometheus
import RapportModel
import RapportProtocol
import RapportStore
import RapportTestSupport
import Testing

@testable import RapportServer

/// A command blocked in PostgreSQL (a test connection holds `ACCESS EXCLUSIVE` on `languages`, which
/// `LANGUAGE-ADD` inserts into) is cancelled when its client's connection is reset or when the
/// command deadline passes: PostgreSQL stops the statement, the transaction rolls back, nothing is
/// written, and the pool's connection is idle again while the lock is still held.
@Suite("Command cancellation")
struct CommandCancellationTests {
    @Test func aResetConnectionCancelsItsRunningStatement() async throws {
        let log = CapturedLog()
        let server = try await TestServer.start(logger: log.logger(label: "rapportd.test"))
        try await server.createUser("BOSS", role: .manager)
        let lock = try await TableLock.take("languages", in: server.database)
        do {
            let backend = try await CancelClient.with(port: server.port) { client in
                try await client.login()
                // A second request pipelined behind it is dropped with it.
                try await client.send("LANGUAGE-ADD xcan name=Cancelled\r\nLANGUAGE-ADD xcn2 name=Queued")
                let backend = try await lock.waiter()
                try await client.reset()
                return backend
            }
            // The statement ends while the lock is still held; the pool's ROLLBACK leaves it idle.
            let state = try await lock.poll(
                "the backend \(backend) leaves the lock wait and is idle",
                diagnose: { observer in
                    let rows = try observer.query(
                        "SELECT concat_ws(' / ', state, wait_event_type, wait_event, query) FROM pg_stat_activity WHERE pid = \(Int32(backend))"
                    )
                    // The server's log tells a close it never saw from a cancel that did not work.
                    let lines = log.lines.suffix(12).joined(separator: " | ")
                    return try (rows.first?.decode(String.self, at: 0) ?? "gone")
                        + "; pool \(server.store.pool.statistics); log: \(lines)"
                }
            ) { observer -> String? in
                let rows = try observer.query(
                    "SELECT state, coalesce(wait_event_type, '') FROM pg_stat_activity WHERE pid = \(Int32(backend))"
                )
                guard let row = rows.first else { return "gone" }
                let (state, wait) = (try row.decode(String?.self, at: 0), try row.decode(String.self, at: 1))
                return state == "idle" && wait != "Lock" ? "idle" : nil
            }
            #expect(state == "idle", "the connection went back to the pool, not closed")
            #expect(try await lock.isHeld(), "the lock was still held: the cancel ended the statement")
            try await lock.release()
            #expect(
                try await server.rows("SELECT count(*)::text FROM languages WHERE code IN ('XCAN', 'XCN2')") == [["0"]]
            )
            let metrics = server.server.metrics
            try await eventually("the pool has its connection back and the command is counted") {
                var text: [UInt8] = []
                metrics.registry.emit(into: &text)
                return server.store.pool.statistics.leased == 0
                    && String(decoding: text, as: UTF8.self).contains(
                        #"rapport_commands_total{verb="LANGUAGE-ADD",outcome="DISCONNECTED"} 1"#
                    )
            }
        } catch {
            try? await lock.release()
            throw error
        }
        try await server.stop()
    }

    /// A child process spawned while a connection is open (a PostgreSQL cluster, HAProxy, smtp-sink: tests and
    /// the embedded default start them) must not inherit its socket: holding it open, the child would keep the
    /// server from ever seeing the client's reset. (SwiftNIO opens sockets without close-on-exec.)
    @Test func aChildProcessStartedMeanwhileDoesNotKeepAResetConnectionOpen() async throws {
        let log = CapturedLog()
        let server = try await TestServer.start(logger: log.logger(label: "rapportd.test"))
        let directory = TestPostgres.rootDirectory
        let child = try await CancelClient.with(port: server.port) { client in
            let child = try ChildProcess.spawn(
                name: "sleeper-\(server.port)",
                "/bin/sleep",
                ["60"],
                environment: [:],
                logDirectory: directory
            )
            try await client.reset()
            return child
        }
        try await withCleanup {
            try await eventually("the server sees the reset while the child runs") {
                log.lines.contains { $0.hasPrefix("debug connection closed") }
            }
            #expect(child.exitStatus() == nil, "the child still runs")
        } cleanup: {
            await child.stop()
        }
        try await server.stop()
    }

    @Test func aCommandPastItsDeadlineIsCancelledAndAnsweredTimeout() async throws {
        let server = try await TestServer.start(configure: { $0.commandTimeout = .seconds(1) })
        try await server.createUser("BOSS", role: .manager)
        let lock = try await TableLock.take("languages", in: server.database)
        do {
            try await CancelClient.with(port: server.port) { client in
                try await client.login()
                // Were the deadline not enforced, the statement would wait for the lock until the
                // database's own 30 s statement timeout; a watchdog lets it through long before
                // that, so that it would then succeed: the answer tells which happened.
                let watchdog = Task {
                    try await Task.sleep(for: .seconds(15))
                    try await lock.release()
                }
                let timedOut = try await client.request("LANGUAGE-ADD xtmo name=Late idem=late-1")
                watchdog.cancel()
                #expect(timedOut.code == .timeout)
                #expect(timedOut.code?.isRetryable == true)
                #expect(timedOut.text.contains("longer than 1 s"), "\(timedOut.text)")
                #expect(try await lock.isHeld())
                try await lock.release()
                #expect(try await server.rows("SELECT count(*)::text FROM languages WHERE code = 'XTMO'") == [["0"]])
                // The session goes on, and the retry with the same key writes once (the key was not recorded).
                let retried = try await client.request("LANGUAGE-ADD xtmo name=Late idem=late-1")
                #expect(retried.final == .ok("language XTMO created"))
                #expect(retried.response.dataLines.count == 1, "not a replay")
            }
            #expect(try await server.rows("SELECT count(*)::text FROM languages WHERE code = 'XTMO'") == [["1"]])
        } catch {
            try? await lock.release()
            throw error
        }
        try await server.stop()
    }

    @Test func aHalfCloseIsNoHangUpTheBlockedCommandIsStillAnswered() async throws {
        let server = try await TestServer.start()
        try await server.createUser("BOSS", role: .manager)
        let lock = try await TableLock.take("languages", in: server.database)
        do {
            try await CancelClient.with(port: server.port) { client in
                try await client.login()
                try await client.send("LANGUAGE-ADD xhlf name=Half")
                _ = try await lock.waiter()
                client.finishSending()
                try await lock.release()
                let reply = try await client.reply()
                #expect(reply?.final == .ok("language XHLF created"))
            }
            #expect(try await server.rows("SELECT count(*)::text FROM languages WHERE code = 'XHLF'") == [["1"]])
        } catch {
            try? await lock.release()
            throw error
        }
        try await server.stop()
    }
}

/// PostgreSQL's cancel of a statement (SQLSTATE 57014), as the pool's cancellation handler or the
/// statement timeout causes it, is answered as a retryable TIMEOUT that says nothing was written.
@Suite("Cancelled statements as errors")
struct CancelledStatementErrorTests {
    @Test func aStatementTimeoutAndACancelAreRetryableTimeouts() async throws {
        let database = try await TestPostgres.freshDatabase(migrated: false)
        let timedOut = try await TestPostgres.blocking { () -> PGError? in
            let connection = try PGConnection.connect(database.configuration(statementTimeout: .milliseconds(50)))
            defer { connection.close() }
            do {
                try connection.execute("SELECT pg_sleep(5)")
                return nil
            } catch let error as PGError {
                return error
            }
        }
        #expect(timedOut?.kind == .statementTimeout)
        #expect(timedOut?.sqlState == "57014")

        let pool = PGPool(configuration: .init(connection: database.configuration(), size: 1))
        let running = Task { try await pool.withConnection { try $0.execute("SELECT pg_sleep(5)") } }
        try await eventually("pg_sleep runs") {
            try await TestPostgres.blocking {
                let observer = try database.connect()
                defer { observer.close() }
                return try !observer.query(
                    "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND query = 'SELECT pg_sleep(5)' AND state = 'active'"
                ).isEmpty
            }
        }
        running.cancel()
        let canceled: PGError?
        do {
            _ = try await running.value
            canceled = nil
        } catch let error as PGError {
            canceled = error
        }
        await pool.shutdown()
        #expect(canceled?.kind == .canceled)

        for error in [timedOut, canceled].compactMap(\.self) {
            let (final, unexpected) = ErrorMapping.finalLine(for: error)
            guard case .error(let code, let text) = final else {
                Issue.record("\(final)")
                continue
            }
            #expect(code == .timeout && code.isRetryable && !unexpected)
            #expect(text.hasSuffix("nothing was written"), "\(text)")
        }
        let (final, _) = ErrorMapping.finalLine(for: CancellationError())
        #expect(final == .error(.timeout, "the command was cancelled; nothing was written"))
    }
}

/// A direct database connection holding a table lock in an open transaction, and a second one to
/// watch the server's backend with.
private final class TableLock: Sendable {
    let connection: PGConnection
    let observer: PGConnection
    let table: String

    private init(connection: PGConnection, observer: PGConnection, table: String) {
        self.connection = connection
        self.observer = observer
        self.table = table
    }

    static func take(_ table: String, in database: TestDatabase) async throws -> TableLock {
        try await TestPostgres.blocking {
            let connection = try database.connect()
            let observer = try database.connect()
            try connection.execute("BEGIN")
            try connection.execute(PGQuery(sql: "LOCK TABLE \(table) IN ACCESS EXCLUSIVE MODE"))
            return TableLock(connection: connection, observer: observer, table: table)
        }
    }

    /// The pid of the backend waiting for the lock (the server's), once there is one. (Other tests'
    /// databases run at the same time, with the same table OIDs: only this database counts.)
    func waiter() async throws -> Int {
        let table = self.table
        let found = try await self.poll("a backend waits for the lock on \(table)") { observer in
            let rows = try observer.query(
                PGQuery(
                    sql: """
                        SELECT a.pid FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                        WHERE a.datname = current_database() AND NOT l.granted
                        AND l.relation = '\(table)'::regclass AND a.wait_event_type = 'Lock'
                        """
                )
            )
            return try rows.first.map { try $0.decode(Int32.self, at: 0) }
        }
        return Int(found)
    }

    /// Whether the lock is still held by this connection.
    func isHeld() async throws -> Bool {
        let (observer, table) = (self.observer, self.table)
        let holder = try await TestPostgres.blocking { () -> Int32 in
            try self.connection.query("SELECT pg_backend_pid()")[0].decode(Int32.self, at: 0)
        }
        return try await TestPostgres.blocking {
            try !observer.query(
                PGQuery(
                    sql: """
                        SELECT 1 FROM pg_locks WHERE pid = \(holder) AND granted
                        AND mode = 'AccessExclusiveLock' AND relation = '\(table)'::regclass
                        """
                )
            ).isEmpty
        }
    }

    /// Rolls the locking transaction back and closes both connections (once; later calls do nothing).
    func release() async throws {
        let (connection, observer) = (self.connection, self.observer)
        try await TestPostgres.blocking {
            defer {
                connection.close()
                observer.close()
            }
            if connection.isOpen { try connection.execute("ROLLBACK") }
        }
    }

    /// Polls `probe` on the observer connection (each statement its own snapshot) every 20 ms until
    /// it gives a value (at once, normally); fails after 8 s (the shared test box can be very loaded).
    func poll<T: Sendable>(
        _ what: String,
        diagnose: (@Sendable (PGConnection) throws -> String)? = nil,
        _ probe: @escaping @Sendable (PGConnection) throws -> T?
    ) async throws -> T {
        let observer = self.observer
        let clock = ContinuousClock()
        let end = clock.now + .seconds(8)
        while true {
            if let value = try await TestPostgres.blocking({ try probe(observer) }) { return value }
            guard clock.now < end else {
                var seen: String? = nil
                if let diagnose { seen = try await TestPostgres.blocking { try diagnose(observer) } }
                throw NotSeenInTime(what: what + (seen.map { " (last seen: \($0))" } ?? ""), limit: .seconds(8))
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}

/// A raw protocol client over TCP that can half-close or reset its connection.
private final class CancelClient {
    private let channel: any Channel
    private var iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    private let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    private var parser = ResponseParser()

    static func with<T: Sendable>(port: Int, _ body: (CancelClient) async throws -> T) async throws -> T {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.allowRemoteHalfClosure, value: true)
            .connectTimeout(.seconds(5))
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(
                        wrappingChannelSynchronously: channel,
                        configuration: .init(isOutboundHalfClosureEnabled: true)
                    )
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            let client = CancelClient(
                channel: channel.channel,
                iterator: inbound.makeAsyncIterator(),
                outbound: outbound
            )
            #expect(try await client.reply()?.final == .ok("rapportd ready proto=1"))
            return try await body(client)
        }
    }

    private init(
        channel: any Channel,
        iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator,
        outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    ) {
        self.channel = channel
        self.iterator = iterator
        self.outbound = outbound
    }

    struct Answer {
        var response: Response
        var final: FinalLine { self.response.final }
        var code: ErrorCode? {
            if case .error(let code, _) = self.final { return code }
            return nil
        }
        var text: String {
            switch self.final {
            case .ok(let text), .error(_, let text), .bye(let text): text
            }
        }
    }

    func login() async throws {
        let answer = try await self.request("LOGIN boss \"\(TestServer.defaultPassword)\"")
        guard case .ok = answer.final else { throw LoginRefused(final: answer.final) }
    }

    func send(_ line: String) async throws {
        try await self.outbound.write(ByteBuffer(string: line + "\r\n"))
    }

    func request(_ line: String) async throws -> Answer {
        try await self.send(line)
        guard let reply = try await self.reply() else { throw ClosedEarly() }
        return reply
    }

    /// The next reply, or nil once the server closed the connection.
    func reply() async throws -> Answer? {
        while true {
            if let reply = try self.parser.next() { return Answer(response: reply.response) }
            guard var bytes = try await self.iterator.next() else { return nil }
            self.parser.append(bytes.readBytes(length: bytes.readableBytes) ?? [])
        }
    }

    /// Half-close: end of input for the server, which still answers.
    func finishSending() {
        self.outbound.finish()
    }

    /// Closes with a TCP reset (SO_LINGER 0), as a client does that goes away with unread data.
    func reset() async throws {
        guard let options = self.channel as? any SocketOptionProvider else {
            Issue.record("the channel offers no socket options")
            return
        }
        try await options.setSoLinger(linger(l_onoff: 1, l_linger: 0)).get()
        try await self.channel.close()
    }

    struct ClosedEarly: Error {}
    struct LoginRefused: Error {
        var final: FinalLine
    }
}
