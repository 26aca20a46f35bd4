import CLibPQ
import NIOConcurrencyHelpers

/// One libpq connection. The only type that holds a `PGconn` pointer.
///
/// Calls block the calling thread: run them on the pool's dedicated threads, never on an event
/// loop or Swift's cooperative pool. The lock makes sure no two threads ever use the `PGconn`
/// at once (libpq's one threading rule); `cancel()` uses a separate `PGcancel` and its own lock,
/// so it can interrupt a statement from any thread.
public final class PGConnection: @unchecked Sendable {
    let lock = NIOLock()
    var handle: OpaquePointer?
    let cancelLock = NIOLock()
    private var cancelHandle: OpaquePointer?
    var cancelRequested = false
    /// Statements that completed on this connection since `beginLease()`; lets the pool retry a lease
    /// whose very first statement found the connection dead (nothing can have been done on it).
    var statementsThisLease = 0
    /// Statements waiting for the next round trip (`enqueue`).
    var queued: [QueuedStatement] = []
    /// Statements prepared on this connection, by text and parameter types; they die with it.
    var preparedNames: [PreparedKey: String] = [:]
    /// Exchanges with the server on this connection.
    var roundTrips = 0
    /// Deferrable writes held back for a batch (`enqueueDeferrable`).
    var deferred: [PGQuery] = []
    var deferring = false
    /// Merged texts of deferred writes, by the statement and how many were merged (nil: not mergeable).
    var mergedTexts: [PGQuery.MergedTextKey: String?] = [:]
    /// Answers read ahead for statements the unit of work now running will ask (`prime`).
    var primed: [PrimedStatement: [PGRows]] = [:]
    /// Where the pool counts round trips and prepares; nil outside a pool.
    var counters: PGStatementCounters?
    /// Set when the server answered an error after which this connection must not be used again
    /// (`PGError.requiresReconnect`, e.g. 25006 on a demoted primary): the pool closes it on release.
    var mustReconnectFlag = false

    /// The PostgreSQL backend's process id (for `pg_terminate_backend` in tests and logs).
    public let backendPID: Int32

    private init(handle: OpaquePointer) {
        self.handle = handle
        self.backendPID = PQbackendPID(handle)
        self.cancelHandle = PQgetCancel(handle)
    }

    deinit {
        self.close()
    }

    /// Opens a connection with `PQconnectdbParams`. Blocks.
    public static func connect(_ configuration: ConnectionConfiguration) throws -> PGConnection {
        let pairs = configuration.keywordValuePairs()
        let handle = withCStrings(pairs.map(\.0)) { keywords in
            withCStrings(pairs.map(\.1)) { values in
                PQconnectdbParams(keywords, values, 1)
            }
        }
        guard let handle else { throw PGError(.connectionFailed, "libpq could not allocate a connection") }
        guard PQstatus(handle) == CONNECTION_OK else {
            let message = String(cString: PQerrorMessage(handle)).trimmingTrailingNewlines()
            PQfinish(handle)
            throw PGError(.connectionFailed, message)
        }
        return PGConnection(handle: handle)
    }

    /// Closes the connection; later calls throw `connectionLost`.
    public func close() {
        self.cancelLock.withLock {
            if let cancel = self.cancelHandle { PQfreeCancel(cancel) }
            self.cancelHandle = nil
        }
        self.lock.withLock {
            if let handle = self.handle { PQfinish(handle) }
            self.handle = nil
        }
    }

    /// Asks the server to cancel the statement now running, if any, and refuses every later statement
    /// of the current lease (a cancel is for the caller's whole unit of work). Safe from any thread.
    /// Blocks while it connects to the server. Returns why the request could not be sent, nil when it
    /// was (the server may still have ignored it: see `LeaseCancellation`).
    @discardableResult
    public func cancel() -> String? {
        self.cancelLock.withLock {
            guard let cancel = self.cancelHandle else { return nil }
            self.cancelRequested = true
            var buffer = [CChar](repeating: 0, count: 256)
            guard PQcancel(cancel, &buffer, Int32(buffer.count)) == 0 else { return nil }
            let text = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
            return String(decoding: text, as: UTF8.self).trimmingTrailingNewlines()
        }
    }

    /// Refuses every later statement of the current lease, without a request to the server (nothing
    /// of the lease has been sent yet).
    func refuseStatements() {
        self.cancelLock.withLock { self.cancelRequested = true }
    }

    /// True once the server said something after which the connection is not used again: a
    /// read-only transaction error (the server is a standby now) or a shutdown notice.
    public var mustReconnect: Bool { self.lock.withLock { self.mustReconnectFlag } }

    /// True while the connection is open and not broken.
    public var isOpen: Bool {
        self.lock.withLock {
            guard let handle = self.handle else { return false }
            return PQstatus(handle) == CONNECTION_OK
        }
    }

    public enum TransactionState: Sendable, Equatable {
        case idle, active, inTransaction, failedTransaction, unknown
    }

    public var transactionState: TransactionState {
        self.lock.withLock {
            guard let handle = self.handle else { return .unknown }
            switch PQtransactionStatus(handle) {
            case PQTRANS_IDLE: return .idle
            case PQTRANS_ACTIVE: return .active
            case PQTRANS_INTRANS: return .inTransaction
            case PQTRANS_INERROR: return .failedTransaction
            default: return .unknown
            }
        }
    }

    func beginLease() {
        self.lock.withLock { self.statementsThisLease = 0 }
        self.cancelLock.withLock { self.cancelRequested = false }
    }

    var hasRunStatementsThisLease: Bool {
        self.lock.withLock { self.statementsThisLease > 0 }
    }

    /// Runs a statement and returns its rows (empty for commands). Statements queued with `enqueue`
    /// go out first, in the same round trip. Blocks.
    @discardableResult
    public func query(_ query: PGQuery) throws -> PGRows {
        try self.queries([query])[0]
    }

    /// Runs several statements that do not need each other's results in one round trip (after the
    /// queued ones) and returns the rows of each. The first failure throws. Blocks.
    public func queries(_ list: [PGQuery]) throws -> [PGRows] {
        try self.lock.withLock {
            guard let handle = self.handle else { throw PGError(.connectionLost, "the connection is closed") }
            let queued = self.queued
            self.queued = []
            let statements = queued + list.map { QueuedStatement(query: $0, check: nil) }
            if let answers = try self.primedAnswers(statements) { return Array(answers.dropFirst(queued.count)) }
            let answers = try self.runPipeline(handle, statements)
            return Array(answers.dropFirst(queued.count))
        }
    }

    /// Gives the answers of `statements`, read ahead (in a round trip shared with other units of work),
    /// to the unit of work about to run: when it asks exactly these statements (those it queued and
    /// those it asks for), it gets them without a round trip, their checks run as if just answered.
    /// Anything else goes to the server as usual. Forgotten by `discardPrimed()`.
    public func prime(_ statements: [PGQuery], answers: [PGRows]) {
        self.lock.withLock {
            for (statement, rows) in zip(statements, answers) {
                self.primed[PrimedStatement(statement), default: []].append(rows)
            }
        }
    }

    /// Forgets the answers read ahead that were not asked for.
    public func discardPrimed() {
        self.lock.withLock { self.primed = [:] }
    }

    /// The read-ahead answers of `statements` if every one has one (each is used once); nil, and nothing
    /// used, otherwise. Must be called with `lock` held.
    private func primedAnswers(_ statements: [QueuedStatement]) throws -> [PGRows]? {
        guard !self.primed.isEmpty else { return nil }
        var remaining = self.primed
        var answers: [PGRows] = []
        for statement in statements {
            let key = PrimedStatement(statement.query)
            guard var rows = remaining[key], !rows.isEmpty else { return nil }
            answers.append(rows.removeFirst())
            remaining[key] = rows
        }
        self.primed = remaining
        for (statement, rows) in zip(statements, answers) { try statement.check?(rows) }
        return answers
    }

    /// Runs a statement and returns the number of rows it changed. Blocks.
    @discardableResult
    public func execute(_ query: PGQuery) throws -> Int {
        try self.query(query).affectedRows
    }

    /// Queues a statement whose rows nobody needs now (BEGIN, a write whose result is known, COMMIT):
    /// it goes out with the next statement that needs an answer, or with `flush()`, in one round trip.
    /// Its error, or the error thrown by `check` when its rows arrive, is thrown by that call.
    public func enqueue(_ query: PGQuery, check: ((PGRows) throws -> Void)? = nil) {
        self.lock.withLock { self.queued.append(QueuedStatement(query: query, check: check)) }
    }

    /// Queues a write that nothing later in its unit of work reads, and that only refers to rows written
    /// before it or to rows of other deferrable writes queued before it. While `beginDeferring()` is on
    /// (a group commit's batch), it is held back until `takeDeferred()`, where the same statements
    /// of the batch's units become one multi-row statement; otherwise it is queued like any other.
    public func enqueueDeferrable(_ query: PGQuery) {
        self.lock.withLock {
            if self.deferring {
                self.deferred.append(query)
            } else {
                self.queued.append(QueuedStatement(query: query, check: nil))
            }
        }
    }

    /// Holds back deferrable writes from now on (see `enqueueDeferrable`).
    public func beginDeferring() {
        self.lock.withLock { self.deferring = true }
    }

    /// How many writes are held back.
    public var deferredCount: Int { self.lock.withLock { self.deferred.count } }

    /// Forgets the held-back writes after the first `count` (those of a unit of work that failed).
    public func discardDeferred(keeping count: Int) {
        self.lock.withLock { self.deferred.removeLast(max(0, self.deferred.count - count)) }
    }

    /// Ends deferring and returns the held-back writes, the same `INSERT … VALUES (…)` statements merged
    /// into one multi-row statement each, in the order their first one was queued.
    public func takeDeferred() -> [PGQuery] {
        self.lock.withLock {
            defer {
                self.deferred = []
                self.deferring = false
            }
            return PGQuery.merged(self.deferred) { key in
                if let known = self.mergedTexts[key] { return known }
                // A handful of statements and batch sizes: bounded all the same.
                if self.mergedTexts.count >= 512 { self.mergedTexts = [:] }
                let text = PGQuery.mergedText(key)
                self.mergedTexts[key] = .some(text)
                return text
            }
        }
    }
    /// Sends the queued statements, if any, in one round trip. Blocks.
    public func flush() throws {
        try self.lock.withLock {
            guard !self.queued.isEmpty else { return }
            guard let handle = self.handle else { throw PGError(.connectionLost, "the connection is closed") }
            let queued = self.queued
            self.queued = []
            _ = try self.runPipeline(handle, queued)
        }
    }

    /// Forgets queued statements without sending them (the transaction they belonged to is abandoned).
    public func discardQueued() {
        self.lock.withLock { self.queued = [] }
    }

    /// Sends what is queued under a savepoint of its own (`SAVEPOINT name` first, `RELEASE` last), in
    /// one round trip, so that an error in it can be rolled back alone. Nothing queued: nothing sent.
    public func flushUnderSavepoint(_ name: String) throws {
        try self.lock.withLock {
            guard !self.queued.isEmpty else { return }
            guard let handle = self.handle else { throw PGError(.connectionLost, "the connection is closed") }
            let statements =
                [QueuedStatement(query: PGQuery(sql: "SAVEPOINT \(name)"), check: nil)] + self.queued
                + [QueuedStatement(query: PGQuery(sql: "RELEASE SAVEPOINT \(name)"), check: nil)]
            self.queued = []
            _ = try self.runPipeline(handle, statements)
        }
    }

    /// Forgets queued and held-back statements and ends deferring (a lease ends).
    func discardEverythingQueued() {
        self.lock.withLock {
            self.primed = [:]
            self.queued = []
            self.deferred = []
            self.deferring = false
        }
    }

    /// How many statements are queued.
    public var queuedCount: Int { self.lock.withLock { self.queued.count } }

    /// Forgets the statements queued after the first `count` (what one unit of work queued on top of
    /// its caller's).
    public func discardQueued(keeping count: Int) {
        self.lock.withLock { self.queued.removeLast(max(0, self.queued.count - count)) }
    }

    /// Exchanges with the server so far on this connection: tells a caller whether anything it queued
    /// was sent.
    public var roundTripCount: Int { self.lock.withLock { self.roundTrips } }

    /// Runs a script of several statements with the simple query protocol. Only for trusted SQL
    /// shipped with the program (migrations); it takes no parameters. Blocks.
    public func executeScript(_ sql: String) throws {
        try self.flush()
        _ = try self.run { handle in PQexec(handle, sql) }
    }

    /// Sends one statement through libpq, copies the result into Swift values and clears it.
    private func run(_ send: (OpaquePointer) -> OpaquePointer?) throws -> PGRows {
        try self.lock.withLock {
            guard let handle = self.handle else { throw PGError(.connectionLost, "the connection is closed") }
            if self.cancelLock.withLock({ self.cancelRequested }) {
                throw PGError(.canceled, "canceling statement due to user request")
            }
            self.counters?.record(roundTrips: 1, statements: 1, prepared: [])
            self.roundTrips += 1
            guard let result = send(handle) else {
                throw PGError(
                    PQstatus(handle) == CONNECTION_OK ? .server : .connectionLost,
                    String(cString: PQerrorMessage(handle)).trimmingTrailingNewlines()
                )
            }
            defer { PQclear(result) }
            switch PQresultStatus(result) {
            case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
                self.statementsThisLease += 1
                return Self.copyRows(result)
            default:
                throw self.error(from: result, handle: handle)
            }
        }
    }

    func error(from result: OpaquePointer, handle: OpaquePointer) -> PGError {
        func field(_ code: Int32) -> String? {
            guard let value = PQresultErrorField(result, code) else { return nil }
            return String(cString: value)
        }
        let sqlState = field(RAPPORT_DIAG_SQLSTATE)
        var message =
            field(RAPPORT_DIAG_MESSAGE_PRIMARY)
            ?? String(cString: PQerrorMessage(handle)).trimmingTrailingNewlines()
        if message.isEmpty { message = "unknown error" }
        var kind = PGError.Kind.server
        if let sqlState, PGError.requiresReconnect(sqlState: sqlState) { self.mustReconnectFlag = true }
        if PQstatus(handle) != CONNECTION_OK {
            kind = .connectionLost
        } else if sqlState == "57014" {
            kind = self.cancelLock.withLock { self.cancelRequested } ? .canceled : .statementTimeout
        }
        return PGError(
            kind,
            message,
            sqlState: sqlState,
            detail: field(RAPPORT_DIAG_MESSAGE_DETAIL),
            hint: field(RAPPORT_DIAG_MESSAGE_HINT),
            constraint: field(RAPPORT_DIAG_CONSTRAINT_NAME),
            table: field(RAPPORT_DIAG_TABLE_NAME),
            column: field(RAPPORT_DIAG_COLUMN_NAME)
        )
    }

    static func copyRows(_ result: OpaquePointer) -> PGRows {
        let rowCount = Int(PQntuples(result))
        let columnCount = Int(PQnfields(result))
        var columns: [PGColumn] = []
        columns.reserveCapacity(columnCount)
        for column in 0..<columnCount {
            columns.append(
                PGColumn(
                    name: String(cString: PQfname(result, Int32(column))),
                    type: PGType(rawValue: UInt32(PQftype(result, Int32(column))))
                )
            )
        }
        var storage: [UInt8] = []
        var cells: [(offset: Int32, length: Int32)] = []
        cells.reserveCapacity(rowCount * columnCount)
        for row in 0..<Int32(rowCount) {
            for column in 0..<Int32(columnCount) {
                if PQgetisnull(result, row, column) == 1 {
                    cells.append((Int32(storage.count), -1))
                    continue
                }
                let length = Int(PQgetlength(result, row, column))
                let offset = storage.count
                PQgetvalue(result, row, column).withMemoryRebound(to: UInt8.self, capacity: length) { pointer in
                    storage.append(contentsOf: UnsafeBufferPointer(start: pointer, count: length))
                }
                cells.append((Int32(offset), Int32(length)))
            }
        }
        let tuples = String(cString: PQcmdTuples(result))
        return PGRows(
            columns: columns,
            affectedRows: Int(tuples) ?? rowCount,
            storage: storage,
            cells: cells
        )
    }
}

extension PGConnection {
    public enum IsolationLevel: String, Sendable {
        case readCommitted = "READ COMMITTED"
        case repeatableRead = "REPEATABLE READ"
        case serializable = "SERIALIZABLE"
    }

    /// Runs `body` in one transaction: COMMIT when it returns, ROLLBACK when it throws. Blocks.
    @discardableResult
    public func transaction<T>(
        _ isolation: IsolationLevel = .readCommitted,
        _ body: (PGConnection) throws -> T
    ) throws -> T {
        // BEGIN goes out with the body's first statement, COMMIT with its last queued writes.
        self.enqueue(PGQuery(sql: "BEGIN ISOLATION LEVEL \(isolation.rawValue)"))
        let value: T
        do {
            value = try body(self)
            self.enqueue("COMMIT")
            try self.flush()
        } catch {
            self.discardQueued()
            if self.transactionState != .idle { _ = try? self.execute("ROLLBACK") }
            throw error
        }
        return value
    }
}

/// Calls `body` with a NULL-terminated array of C strings that live for the call.
private func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
    var storage: [UInt8] = []
    var offsets: [Int] = []
    for string in strings {
        offsets.append(storage.count)
        storage.append(contentsOf: string.utf8)
        storage.append(0)
    }
    return storage.withUnsafeBufferPointer { buffer in
        let base = UnsafeRawPointer(buffer.baseAddress!)
        var pointers: [UnsafePointer<CChar>?] = offsets.map { (base + $0).assumingMemoryBound(to: CChar.self) }
        pointers.append(nil)
        return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
    }
}

extension String {
    func trimmingTrailingNewlines() -> String {
        var text = self
        while text.last == "\n" || text.last == "\r" { text.removeLast() }
        return text
    }
}
