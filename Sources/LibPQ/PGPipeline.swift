import CLibPQ
import Glibc
import NIOConcurrencyHelpers

/// Counts what the connections of one pool send, for metrics and for tests that hold a command to
/// its number of round trips and prove that no statement is parsed twice on one connection.
public final class PGStatementCounters: Sendable {
    public struct Values: Sendable, Equatable {
        /// Exchanges with the server: one per pipeline sync, one per simple query or COPY.
        public var roundTrips = 0
        /// Statements executed (prepared or not).
        public var statements = 0
        /// Statements parsed with `PQsendPrepare`, i.e. seen for the first time on their connection.
        public var prepares = 0
        /// Per statement text: how many times it was prepared, on any connection.
        public var preparesByText: [String: Int] = [:]
    }

    /// What a metrics exporter is told of each exchange: round trips, statements, prepares.
    public typealias Observer = @Sendable (_ roundTrips: Int, _ statements: Int, _ prepares: Int) -> Void

    private let box = NIOLockedValueBox(Values())
    private let observerLock = NIOLock()
    /// A concrete stored property (guarded by `observerLock`), not a generic box: a closure kept in
    /// generic storage is re-wrapped in conversion thunks each time it is read.
    nonisolated(unsafe) private var observer: Observer?

    public init() {}

    public var values: Values { self.box.withLockedValue { $0 } }

    /// Calls `observer` after every exchange (one at a time: a later call replaces it).
    public func observe(_ observer: @escaping Observer) {
        self.observerLock.withLock { self.observer = observer }
    }

    func record(roundTrips: Int, statements: Int, prepared: [String]) {
        self.box.withLockedValue { values in
            values.roundTrips += roundTrips
            values.statements += statements
            values.prepares += prepared.count
            for text in prepared { values.preparesByText[text, default: 0] += 1 }
        }
        let observer = self.observerLock.withLock { self.observer }
        observer?(roundTrips, statements, prepared.count)
    }
}

/// A statement queued on a connection for the next round trip, with an optional check of its rows
/// that runs when the answer arrives (e.g. "the idempotency key was claimed").
struct QueuedStatement {
    var query: PGQuery
    var check: ((PGRows) throws -> Void)?
}

/// A statement as a key for answers read ahead: its text and its parameters.
struct PrimedStatement: Hashable {
    var sql: String
    var binds: [PGBind]

    init(_ query: PGQuery) {
        self.sql = query.sql
        self.binds = query.binds
    }
}

extension PGConnection {
    /// The most statements one connection keeps prepared; beyond it statements run unnamed (parsed
    /// each time), so SQL built from user criteria cannot grow the server's memory without bound.
    static let preparedStatementLimit = 512

    /// Identifies a prepared statement: its text and the types of its parameters (a statement prepared
    /// for `int8` must not receive the binary bytes of another type).
    struct PreparedKey: Hashable {
        var sql: String
        var types: [UInt32]
    }

    /// Sends `statements` in one pipeline (one round trip, however many statements) and returns the
    /// rows of each. The first statement that fails throws its error; PostgreSQL skips the rest of the
    /// pipeline, as it would skip the rest of a transaction. Checks run in order once all answers are in.
    /// Must be called with `lock` held.
    func runPipeline(_ handle: OpaquePointer, _ statements: [QueuedStatement]) throws -> [PGRows] {
        for statement in statements {
            for bind in statement.query.binds where !bind.isBinary && bind.bytes?.contains(0) == true {
                throw PGError(
                    .invalidArgument,
                    "a text parameter contains a NUL character, which PostgreSQL cannot store"
                )
            }
        }
        // A cancel that arrived before this round trip (between two statements of the lease, or
        // before the first) ends the lease's work here; PQcancel alone would only reach a running one.
        if self.cancelLock.withLock({ self.cancelRequested }) {
            throw PGError(.canceled, "canceling statement due to user request")
        }
        guard PQenterPipelineMode(handle) == 1 else { throw self.sendFailure(handle) }
        defer { _ = PQexitPipelineMode(handle) }
        // Nonblocking while sending, so that a long pipeline cannot deadlock with a server that is
        // itself blocked writing answers nobody reads yet (libpq's pipeline documentation).
        guard PQsetnonblocking(handle, 1) == 0 else { throw self.sendFailure(handle) }
        defer { _ = PQsetnonblocking(handle, 0) }

        // What was sent, in order: a prepare (whose result is read and dropped) or an execution.
        enum Sent {
            case prepare(PreparedKey, name: String)
            case execute(index: Int)
        }
        var sent: [Sent] = []
        var newlyPrepared: [String] = []
        for (index, statement) in statements.enumerated() {
            let query = statement.query
            let key = PreparedKey(sql: query.sql, types: query.binds.map(\.type.rawValue))
            var name = self.preparedNames[key]
            if name == nil, self.preparedNames.count < Self.preparedStatementLimit {
                let newName = "rapport_\(self.preparedNames.count + 1)"
                let types = key.types.map { Oid($0) }
                guard PQsendPrepare(handle, newName, query.sql, Int32(types.count), types) == 1 else {
                    throw self.sendFailure(handle)
                }
                sent.append(.prepare(key, name: newName))
                // Remembered at once so that a second use in this same pipeline reuses it; forgotten
                // below if the prepare fails.
                self.preparedNames[key] = newName
                newlyPrepared.append(query.sql)
                name = newName
            }
            let accepted = Self.withParameters(query.binds) { count, types, values, lengths, formats in
                if let name {
                    return PQsendQueryPrepared(handle, name, count, values, lengths, formats, 0)
                }
                return PQsendQueryParams(handle, query.sql, count, types, values, lengths, formats, 0)
            }
            guard accepted == 1 else { throw self.sendFailure(handle) }
            sent.append(.execute(index: index))
        }
        guard PQpipelineSync(handle) == 1 else { throw self.sendFailure(handle) }
        try self.flushOutput(handle)
        self.counters?.record(roundTrips: 1, statements: statements.count, prepared: newlyPrepared)
        self.roundTrips += 1

        // Read every answer before anything is thrown: the connection must be left at the sync.
        var outcomes = [Result<PGRows, PGError>?](repeating: nil, count: statements.count)
        // An error that belongs to no statement (a failed prepare, a lost connection).
        var firstError: PGError?
        for item in sent {
            guard let result = PQgetResult(handle) else {
                firstError = firstError ?? self.sendFailure(handle)
                break
            }
            let status = PQresultStatus(result)
            switch item {
            case .prepare(let key, _):
                if status != PGRES_COMMAND_OK {
                    self.preparedNames[key] = nil
                    if status != PGRES_PIPELINE_ABORTED {
                        firstError = firstError ?? self.error(from: result, handle: handle)
                    }
                }
            case .execute(let index):
                switch status {
                case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
                    outcomes[index] = .success(Self.copyRows(result))
                    self.statementsThisLease += 1
                case PGRES_PIPELINE_ABORTED:
                    break
                default:
                    let error = self.error(from: result, handle: handle)
                    if error.sqlState == "0A000" {
                        // "cached plan must not change result type": the table changed under a prepared
                        // statement; prepare it again next time.
                        self.forgetPrepared(sql: statements[index].query.sql)
                    }
                    outcomes[index] = .failure(error)
                }
            }
            PQclear(result)
            // Each statement's results end with NULL.
            while let extra = PQgetResult(handle) { PQclear(extra) }
            if PQstatus(handle) != CONNECTION_OK { break }
        }
        if PQstatus(handle) == CONNECTION_OK {
            // The sync's own result.
            while let result = PQgetResult(handle) {
                let status = PQresultStatus(result)
                PQclear(result)
                if status == PGRES_PIPELINE_SYNC { break }
            }
        } else {
            let lost = PGError(.connectionLost, String(cString: PQerrorMessage(handle)).trimmingTrailingNewlines())
            throw firstError.map { $0.kind == .connectionLost ? $0 : lost } ?? lost
        }
        // In statement order, so that a check (e.g. "this key was used before") wins over the error of a
        // statement after it, exactly as if each had been sent alone.
        var answers: [PGRows] = []
        answers.reserveCapacity(statements.count)
        for (index, statement) in statements.enumerated() {
            switch outcomes[index] {
            case .success(let rows)?:
                try statement.check?(rows)
                answers.append(rows)
            case .failure(let error)?:
                throw error
            case nil:
                throw firstError ?? PGError(.server, "the statement was skipped after an earlier failure")
            }
        }
        return answers
    }

    private func forgetPrepared(sql: String) {
        for key in self.preparedNames.keys where key.sql == sql { self.preparedNames[key] = nil }
    }

    /// Sends what libpq still buffers, reading answers meanwhile so that neither side blocks the other.
    private func flushOutput(_ handle: OpaquePointer) throws {
        while true {
            let pending = PQflush(handle)
            if pending == 0 { return }
            if pending < 0 { throw self.sendFailure(handle) }
            var descriptor = pollfd(fd: PQsocket(handle), events: Int16(POLLIN | POLLOUT), revents: 0)
            if poll(&descriptor, 1, -1) < 0, errno != EINTR { throw self.sendFailure(handle) }
            if descriptor.revents & Int16(POLLIN) != 0, PQconsumeInput(handle) == 0 {
                throw self.sendFailure(handle)
            }
        }
    }

    func sendFailure(_ handle: OpaquePointer) -> PGError {
        PGError(
            PQstatus(handle) == CONNECTION_OK ? .server : .connectionLost,
            String(cString: PQerrorMessage(handle)).trimmingTrailingNewlines()
        )
    }

    /// Lays the parameters out as libpq wants them: one buffer holds every value, each followed by a
    /// NUL (text parameters are C strings), plus arrays of types, lengths and formats.
    static func withParameters<R>(
        _ binds: [PGBind],
        _ body: (
            Int32, [Oid], [UnsafePointer<CChar>?], [Int32], [Int32]
        ) -> R
    ) -> R {
        let types = binds.map { Oid($0.type.rawValue) }
        let lengths = binds.map { Int32($0.bytes?.count ?? 0) }
        let formats = binds.map { Int32($0.isBinary ? 1 : 0) }
        var storage: [UInt8] = []
        var offsets: [Int?] = []
        for bind in binds {
            if let bytes = bind.bytes {
                offsets.append(storage.count)
                storage.append(contentsOf: bytes)
                storage.append(0)
            } else {
                offsets.append(nil)
            }
        }
        if storage.isEmpty { storage.append(0) }
        return storage.withUnsafeBufferPointer { buffer in
            let base = UnsafeRawPointer(buffer.baseAddress!)
            let values: [UnsafePointer<CChar>?] = offsets.map { offset in
                offset.map { (base + $0).assumingMemoryBound(to: CChar.self) }
            }
            return body(Int32(binds.count), types, values, lengths, formats)
        }
    }
}
