/// The stable, machine-readable codes of `ERR` lines.
public enum ErrorCode: String, Sendable, CaseIterable, Hashable {
    /// Who is at fault, which tells a client what to do about an error.
    public enum Category: String, Sendable, Hashable {
        /// The request itself is wrong; sending it again will not help.
        case request
        /// The request was understood but refused (login, permissions, missing or conflicting data, domain rules).
        case refusal
        /// The server could not serve it now; some of these may be retried.
        case server
    }

    // Request errors.
    /// Unknown verb.
    case badCommand = "BAD_COMMAND"
    /// The line does not follow the grammar.
    case badSyntax = "BAD_SYNTAX"
    /// A missing, unknown or ill-typed argument.
    case badArguments = "BAD_ARGS"
    /// The line exceeded the line length limit.
    case lineTooLong = "LINE_TOO_LONG"
    /// Invalid UTF-8, NUL, bare CR or a control character.
    case badEncoding = "BAD_ENCODING"
    /// A literal or the argument count exceeded its limit.
    case tooLarge = "TOO_LARGE"

    // Refusals.
    /// The command needs a logged-in session.
    case authenticationRequired = "AUTH_REQUIRED"
    /// Wrong user name or secret.
    case authenticationFailed = "AUTH_FAILED"
    /// The session's role may not do this.
    case denied = "DENIED"
    /// A named thing does not exist.
    case notFound = "NOT_FOUND"
    /// The request conflicts with the current state (already exists, already logged, changed meanwhile).
    case conflict = "CONFLICT"
    /// A domain rule refused the request.
    case invalid = "INVALID"

    // Server conditions.
    /// No capacity right now (e.g. the connection pool is exhausted).
    case busy = "BUSY"
    /// A dependency (the database) is unavailable.
    case unavailable = "UNAVAILABLE"
    /// The operation took too long.
    case timeout = "TIMEOUT"
    /// The server is draining; reconnect to another replica.
    case shuttingDown = "SHUTTING_DOWN"
    /// A bug or unexpected failure on the server.
    case `internal` = "INTERNAL"

    /// Who is at fault.
    public var category: Category {
        switch self {
        case .badCommand, .badSyntax, .badArguments, .lineTooLong, .badEncoding, .tooLarge:
            return .request
        case .authenticationRequired, .authenticationFailed, .denied, .notFound, .conflict, .invalid:
            return .refusal
        case .busy, .unavailable, .timeout, .shuttingDown, .internal:
            return .server
        }
    }

    /// Whether the same request may succeed if sent again later: server conditions, except `INTERNAL`.
    public var isRetryable: Bool {
        self.category == .server && self != .internal
    }
}
