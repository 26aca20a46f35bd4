import LibPQ
import RapportModel
import RapportProtocol
import RapportStore

/// A refusal with a protocol error code, raised by command handlers.
struct CommandError: Error, WireReportable {
    var errorCode: ErrorCode
    var errorText: String

    init(_ code: ErrorCode, _ text: String) {
        self.errorCode = code
        self.errorText = text
    }
}

/// Maps any error a command can raise to the final line the client sees. Database faults become
/// retryable server conditions; a constraint the database enforces becomes a refusal naming it;
/// anything unexpected becomes INTERNAL (and is logged by the caller, never shown in detail).
enum ErrorMapping {
    static func finalLine(for error: any Error) -> (FinalLine, unexpected: Bool) {
        switch error {
        case let error as any WireReportable:
            return (error.finalLine, false)
        case let error as StoreError:
            switch error {
            case .notFound(let text): return (.error(.notFound, text), false)
            case .conflict(let text): return (.error(.conflict, text), false)
            case .invalid(let text): return (.error(.invalid, text), false)
            }
        case let error as AccessDenied:
            return (.error(.denied, error.message), false)
        case let error as Code.Problem:
            return (.error(.badArguments, error.description), false)
        case let error as PGError:
            return self.finalLine(for: error)
        case is GroupCommit.CommitFailed:
            // Logged by the caller: a failed COMMIT is rare and worth a look.
            return (
                .error(
                    .unavailable,
                    "the commit failed and nothing was written; send the request again (with the same idem= key)"
                ),
                true
            )
        case is CancellationError:
            // The command's task was cancelled (deadline, hang-up, shutdown): any transaction it had
            // open rolled back.
            return (.error(.timeout, "the command was cancelled; nothing was written"), false)
        default:
            return (.error(.internal, "internal error"), true)
        }
    }

    private static func finalLine(for error: PGError) -> (FinalLine, unexpected: Bool) {
        if error.isConnectionFailure { return (.error(.unavailable, "the database is unavailable; try again"), false) }
        switch error.kind {
        case .poolBusy: return (.error(.busy, "the server is busy; try again"), false)
        case .poolClosed: return (.error(.shuttingDown, "the server is shutting down"), false)
        // SQLSTATE 57014: the statement was cancelled, so its transaction rolled back.
        case .statementTimeout:
            return (
                .error(
                    .timeout,
                    "the database cancelled a statement (it ran past the statement timeout, or an administrator cancelled it); nothing was written"
                ),
                false
            )
        case .canceled: return (.error(.timeout, "the command was cancelled; nothing was written"), false)
        case .invalidArgument: return (.error(.badArguments, error.message), false)
        default: break
        }
        if error.isSerializationFailure {
            return (.error(.busy, "a concurrent change got in the way; try again"), false)
        }
        switch error.sqlState {
        case "23505": return (.error(.conflict, "already exists" + Self.naming(error)), false)
        case "23503":
            return (
                .error(.invalid, "refers to something that does not exist or is still in use" + Self.naming(error)),
                false
            )
        case "23514", "23502", "22001", "22P02", "22003", "22007", "22008":
            // The server's own checks should have caught it: logged as unexpected, answered in the
            // product's words (PostgreSQL's text names relations and constraints).
            return (.error(.invalid, Self.databaseRefusal(error)), true)
        default:
            return (.error(.internal, "internal error"), true)
        }
    }

    /// `name is too long`, `email is not allowed`, …: the field as an argument name when the
    /// database says which column (or its constraint is the column's own `table_column_check`).
    static func databaseRefusal(_ error: PGError) -> String {
        let what =
            switch error.sqlState {
            case "23502": "must have a value"
            case "22001": "is too long"
            case "23514": "is not allowed"
            default: "is not a valid value"
            }
        var column = error.column
        if column == nil, let constraint = error.constraint, let table = error.table,
            constraint.hasPrefix(table + "_"), constraint.hasSuffix("_check")
        {
            column = String(constraint.dropFirst(table.count + 1).dropLast("_check".count))
        }
        guard let column, !column.isEmpty else { return "a value \(what)" }
        return String(column.map { $0 == "_" ? "-" : $0 }) + " " + what
    }

    private static func naming(_ error: PGError) -> String {
        error.detail.map { " (\($0))" } ?? ""
    }
}
