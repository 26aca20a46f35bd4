/// An error from libpq, from PostgreSQL, or from this module's pool and decoding.
///
/// Server errors carry the fields of PostgreSQL's error report, copied into Swift strings
/// before the libpq result is cleared, so they stay valid for as long as the error lives.
public struct PGError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// A connection could not be opened.
        case connectionFailed
        /// The connection broke while a statement ran (server restarted, backend terminated, network).
        case connectionLost
        /// PostgreSQL refused the statement; `sqlState` says why.
        case server
        /// The statement ran longer than `statement_timeout` and PostgreSQL cancelled it.
        case statementTimeout
        /// The statement was cancelled on request (the calling task was cancelled).
        case canceled
        /// No connection became free in time, or too many callers were already waiting.
        case poolBusy
        /// The pool is shut down.
        case poolClosed
        /// A value could not be decoded into the requested Swift type.
        case decoding
        /// The caller asked for something this module cannot do (e.g. NUL inside a text parameter).
        case invalidArgument
    }

    public var kind: Kind
    public var message: String
    public var sqlState: String?
    public var detail: String?
    public var hint: String?
    public var constraint: String?
    public var table: String?
    public var column: String?

    public init(
        _ kind: Kind,
        _ message: String,
        sqlState: String? = nil,
        detail: String? = nil,
        hint: String? = nil,
        constraint: String? = nil,
        table: String? = nil,
        column: String? = nil
    ) {
        self.kind = kind
        self.message = message
        self.sqlState = sqlState
        self.detail = detail
        self.hint = hint
        self.constraint = constraint
        self.table = table
        self.column = column
    }

    /// True when the database was unreachable or went away: the request may be retried later.
    ///
    /// This includes `25006` (read-only transaction): a write reached a server that is a standby now,
    /// a primary demoted by a failover or switchover under a connection that was made before. The
    /// pool then drops that connection (`PGConnection.mustReconnect`), and the next one goes to the
    /// new primary (a multi-host URL with `target_session_attrs=read-write`, or HAProxy).
    public var isConnectionFailure: Bool {
        switch self.kind {
        case .connectionFailed, .connectionLost: return true
        default:
            guard let state = self.sqlState else { return false }
            return Self.requiresReconnect(sqlState: state)
        }
    }

    /// SQLSTATEs after which a connection is not used again: 08 (connection exception), 57P01–57P03
    /// (administrator or crash shutdown, cannot connect now) and 25006 (read-only transaction: the
    /// server is a standby now).
    public static func requiresReconnect(sqlState state: String) -> Bool {
        state.hasPrefix("08") || state == "57P01" || state == "57P02" || state == "57P03" || state == "25006"
    }

    /// SQLSTATE 25006: a write on a server that is in recovery (a standby) or read-only.
    public var isReadOnlyTransaction: Bool { self.sqlState == "25006" }

    /// SQLSTATE 23505.
    public var isUniqueViolation: Bool { self.sqlState == "23505" }
    /// SQLSTATE 23503.
    public var isForeignKeyViolation: Bool { self.sqlState == "23503" }
    /// SQLSTATE 23514.
    public var isCheckViolation: Bool { self.sqlState == "23514" }
    /// SQLSTATE 40001 or 40P01: the transaction may succeed if run again.
    public var isSerializationFailure: Bool { self.sqlState == "40001" || self.sqlState == "40P01" }

    public var description: String {
        var text = "PGError(\(self.kind)"
        if let state = self.sqlState { text += ", \(state)" }
        text += "): \(self.message)"
        if let detail = self.detail { text += " — \(detail)" }
        if let constraint = self.constraint { text += " [constraint \(constraint)]" }
        return text
    }
}
