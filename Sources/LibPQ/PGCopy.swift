import CLibPQ
import NIOConcurrencyHelpers

extension PGConnection {
    /// Bytes handed to `PQputCopyData` per call.
    static let copyChunkBytes = 1 << 20

    /// Runs `COPY … FROM STDIN` (trusted SQL: no parameters) and streams `data` to it as is, in the
    /// format the statement names; returns the number of rows copied. Blocks.
    ///
    /// A refusal (bad data, a constraint) throws the server's error, as for any statement; the
    /// transaction the COPY ran in is then aborted, as after any failed statement.
    @discardableResult
    public func copyIn(_ sql: String, data: UnsafeRawBufferPointer) throws -> Int {
        try self.flush()
        return try self.lock.withLock {
            guard let handle = self.handle else { throw PGError(.connectionLost, "the connection is closed") }
            if self.cancelLock.withLock({ self.cancelRequested }) {
                throw PGError(.canceled, "canceling statement due to user request")
            }
            self.counters?.record(roundTrips: 1, statements: 1, prepared: [])
            self.roundTrips += 1
            guard let started = PQexec(handle, sql) else { throw self.failure(handle) }
            let status = PQresultStatus(started)
            if status != PGRES_COPY_IN {
                defer { PQclear(started) }
                if status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK {
                    throw PGError(.invalidArgument, "the statement is not a COPY … FROM STDIN")
                }
                throw self.error(from: started, handle: handle)
            }
            PQclear(started)
            var offset = 0
            var sendFailure: String?
            while offset < data.count, sendFailure == nil {
                let length = min(Self.copyChunkBytes, data.count - offset)
                let pointer = data.baseAddress!.advanced(by: offset).assumingMemoryBound(to: CChar.self)
                if PQputCopyData(handle, pointer, Int32(length)) != 1 {
                    sendFailure = String(cString: PQerrorMessage(handle)).trimmingTrailingNewlines()
                }
                offset += length
            }
            if PQputCopyEnd(handle, nil) != 1, sendFailure == nil {
                sendFailure = String(cString: PQerrorMessage(handle)).trimmingTrailingNewlines()
            }
            // Every result must be read (until NULL) before the connection takes another statement.
            var outcome: Result<Int, PGError>?
            while let result = PQgetResult(handle) {
                defer { PQclear(result) }
                guard outcome == nil else { continue }
                switch PQresultStatus(result) {
                case PGRES_COMMAND_OK:
                    outcome = .success(Int(String(cString: PQcmdTuples(result))) ?? 0)
                case PGRES_COPY_IN:
                    // Only if ending the copy failed: give up on this connection's copy.
                    outcome = .failure(PGError(.connectionLost, sendFailure ?? "COPY did not end"))
                    _ = PQputCopyEnd(handle, "aborted")
                default:
                    outcome = .failure(self.error(from: result, handle: handle))
                }
            }
            if let sendFailure, PQstatus(handle) != CONNECTION_OK {
                throw PGError(.connectionLost, sendFailure)
            }
            switch outcome {
            case .success(let rows):
                self.statementsThisLease += 1
                return rows
            case .failure(let error): throw error
            case nil:
                throw PGError(.connectionLost, sendFailure ?? "COPY ended without a result")
            }
        }
    }

    private func failure(_ handle: OpaquePointer) -> PGError {
        PGError(
            PQstatus(handle) == CONNECTION_OK ? .server : .connectionLost,
            String(cString: PQerrorMessage(handle)).trimmingTrailingNewlines()
        )
    }
}
