import RapportProtocol

/// A logged-in session that survives its connection: after a `BYE` from a draining replica, a
/// failover or a lost connection it connects again (through the balancer, so to a replica that is
/// up), logs in with its session ticket (no password, no slow hash on the server), and sends
/// again the requests that are safe to send twice.
///
/// - Logging in: with the ticket when it has one; when the server refuses it (expired, revoked) or
///   there is none, with the password, asking for a new ticket (`issue-ticket=true`), which
///   `onTicket` is told about (the CLI writes it to its ticket file). Without a password a refused
///   ticket ends the session (``RapportClientError/server(code:message:)`` `AUTH_FAILED`).
/// - `ERR BUSY` to a password LOGIN (the server's hashing queue is full): waits the `retry-after=`
///   seconds the server names and tries again, up to the attempts allowed.
/// - Retries: a request whose connection ended before its reply is sent again on the new
///   connection only if that cannot write twice: it carries `idem=` (the server answers a repeated
///   key with the first reply), or it is a read (``isRetryable(verb:arguments:)``). A write without
///   an idempotency key is never sent again: the caller gets
///   ``RapportClientError/connectionClosed(bye:)``, since it may or may not have been carried out.
public actor ReconnectingSession {
    /// What happened to the session, for monitoring (``init(host:port:user:password:ticket:timeout:attempts:reconnectEagerly:onEvent:onTicket:)``).
    public enum Event: Sendable, Equatable {
        /// The connection ended (a `BYE`, the server or the network closing it).
        case connectionLost
        /// Logged in on a new connection, with the ticket or with the password.
        case loggedIn(withTicket: Bool)
    }

    public nonisolated let host: String
    public nonisolated let port: Int
    public nonisolated let user: String
    private let password: String?
    private let timeout: Duration
    private let attempts: Int
    private let onTicket: @Sendable (SessionTicket?) -> Void
    private let onEvent: @Sendable (Event) -> Void
    private let reconnectEagerly: Bool
    /// The ticket logins use (nil: the password is used, and a ticket asked for).
    public private(set) var ticket: SessionTicket?
    /// How many times a connection was opened and logged in (1 after the first).
    public private(set) var logins = 0
    /// How many of those logins used the ticket.
    public private(set) var ticketLogins = 0
    private var current: RapportConnection?
    private var opening: Task<RapportConnection, any Error>?
    private var closed = false
    private var useTickets = true

    /// ``logins`` and ``ticketLogins`` read together.
    public var loginCounts: (all: Int, ticket: Int) { (self.logins, self.ticketLogins) }

    /// Whether the session has an open, logged-in connection now.
    public var isConnected: Bool { self.current?.isOpen == true }

    /// From now on logs in with the password only, neither using nor asking for tickets (the
    /// comparison of a reconnect storm without them).
    public func stopUsingTickets() {
        self.useTickets = false
        self.ticket = nil
    }

    /// - Parameters:
    ///   - password: for the first login and whenever the ticket is refused; nil = ticket only.
    ///   - ticket: a ticket kept from an earlier session.
    ///   - attempts: connection and login attempts per (re)connection, with growing pauses.
    ///   - reconnectEagerly: log in again as soon as the connection ends (a drain, a failover),
    ///     rather than at the next request; not after `BYE idle timeout` (then at the next request).
    ///   - onEvent: told when the connection ends and when a login succeeds (called on the
    ///     session's executor: keep it short).
    ///   - onTicket: told each new ticket, and nil when the server refused the ticket kept.
    public init(
        host: String,
        port: Int,
        user: String,
        password: String?,
        ticket: SessionTicket? = nil,
        timeout: Duration = .seconds(10),
        attempts: Int = 8,
        reconnectEagerly: Bool = true,
        onEvent: @escaping @Sendable (Event) -> Void = { _ in },
        onTicket: @escaping @Sendable (SessionTicket?) -> Void = { _ in }
    ) {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.ticket = ticket
        self.timeout = timeout
        self.attempts = max(1, attempts)
        self.reconnectEagerly = reconnectEagerly
        self.onTicket = onTicket
        self.onEvent = onEvent
    }

    /// Whether a request `VERB arguments` may be sent again after its connection was lost: it
    /// carries `idem=`, or it only reads (`readVerbs`, and every `…-LIST` and `…-SHOW`; a test holds this
    /// against the server's command table: every command without `idem=` but the session's own).
    public static func isRetryable(verb: String, arguments: [Argument]) -> Bool {
        for case .named(let key, _) in arguments where key.lowercased() == "idem" { return true }
        let verb = verb.uppercased()
        return Self.readVerbs.contains(verb) || verb.hasSuffix("-LIST") || verb.hasSuffix("-SHOW")
    }

    static let readVerbs: Set<String> = [
        "PING", "HEALTH", "HELP", "WHOAMI", "STATS", "OPPORTUNITY-STATS", "ATTACHMENT-DOWNLOAD", "ATTACHMENT-GET",
        "LOG-ATTACHMENT", "SEGMENT-CRITERIA", "TEMPLATE-LAYOUT-DOWNLOAD", "COVER-SHEET-LAYOUT-DOWNLOAD",
    ]

    /// The logged-in connection, opening one (and logging in) if there is none.
    public func connection() async throws -> RapportConnection {
        if let current {
            if current.isOpen { return current }
            // Ended, and its watcher has not noticed yet (or there is none).
            self.onEvent(.connectionLost)
            self.current = nil
        }
        if let opening { return try await opening.value }
        guard !self.closed else { throw RapportClientError.connectionClosed(bye: nil) }
        let task = Task { try await self.open() }
        self.opening = task
        do {
            let connection = try await task.value
            self.opening = nil
            guard !self.closed else {
                // quit() came while this connection was being opened.
                await connection.quit()
                throw RapportClientError.connectionClosed(bye: nil)
            }
            self.current = connection
            if self.reconnectEagerly { self.watch(connection) }
            return connection
        } catch {
            self.opening = nil
            throw error
        }
    }

    /// Sends `VERB arguments…` on the session's connection and returns the reply; reconnects and
    /// sends again when the connection ends first and the request is retryable.
    public func send(_ verb: String, _ arguments: [Argument] = [], payload: [UInt8]? = nil) async throws -> Response {
        let retryable = Self.isRetryable(verb: verb, arguments: arguments)
        var tries = 0
        while true {
            let connection = try await self.connection()
            do {
                return try await connection.send(verb, arguments, payload: payload)
            } catch RapportClientError.connectionClosed(let bye) {
                if self.current === connection { self.onEvent(.connectionLost) }
                self.forget(connection)
                tries += 1
                guard retryable, tries < self.attempts, !self.closed else {
                    throw RapportClientError.connectionClosed(bye: bye)
                }
            }
        }
    }

    /// Ends the session (`QUIT`); no reconnection after it.
    public func quit() async {
        self.closed = true
        await self.current?.quit()
        self.current = nil
    }

    private func forget(_ connection: RapportConnection) {
        if self.current === connection { self.current = nil }
    }

    /// Logs in again as soon as `connection` ends, unless the session was closed meanwhile.
    private func watch(_ connection: RapportConnection) {
        Task {
            await connection.untilClosed()
            await self.reconnectAfterLoss(of: connection)
        }
    }

    private func reconnectAfterLoss(of connection: RapportConnection) async {
        guard !self.closed, self.current === connection else { return }
        self.onEvent(.connectionLost)
        self.current = nil
        // An idle session ended by the server stays closed until it is used again: logging in
        // every idle timeout would keep every idle client logged in for ever.
        if case .connectionClosed(let bye?)? = connection.endReason, bye.hasPrefix("idle timeout") { return }
        _ = try? await self.connection()
    }

    /// Connects and logs in, with growing pauses between failed attempts (a replica that is
    /// draining, a balancer that has not noticed yet, a busy hashing queue).
    private func open() async throws -> RapportConnection {
        var pause = Duration.milliseconds(50)
        var lastError: any Error = RapportClientError.connectionClosed(bye: nil)
        for attempt in 1...self.attempts {
            guard !self.closed else { throw RapportClientError.connectionClosed(bye: nil) }
            if attempt > 1 {
                try await Task.sleep(for: pause)
                pause = min(pause * 2, .seconds(2))
            }
            let connection: RapportConnection
            do {
                connection = try await RapportConnection.connect(
                    host: self.host,
                    port: self.port,
                    timeout: self.timeout
                )
            } catch {
                lastError = error
                continue
            }
            do {
                try await self.logIn(connection)
                return connection
            } catch RapportClientError.server(.busy, let message) {
                await connection.close()
                lastError = RapportClientError.server(code: .busy, message: message)
                pause = max(pause, .seconds(Self.retryAfter(message) ?? 1))
            } catch RapportClientError.server(let code, let message) {
                await connection.close()
                throw RapportClientError.server(code: code, message: message)
            } catch {
                await connection.close()
                lastError = error
            }
        }
        throw lastError
    }

    private func logIn(_ connection: RapportConnection) async throws {
        if let ticket = self.ticket {
            do {
                try await connection.login(user: self.user, ticket: ticket)
                self.logins += 1
                self.ticketLogins += 1
                self.onEvent(.loggedIn(withTicket: true))
                return
            } catch RapportClientError.server(.authenticationFailed, let message) {
                // Expired or revoked: forget it, and use the password if there is one.
                self.ticket = nil
                self.onTicket(nil)
                guard self.password != nil else {
                    throw RapportClientError.server(code: .authenticationFailed, message: message)
                }
            }
        }
        guard let password = self.password else {
            throw RapportClientError.server(code: .authenticationFailed, message: "no ticket and no password")
        }
        guard self.useTickets else {
            try await connection.login(user: self.user, secret: password)
            self.logins += 1
            self.onEvent(.loggedIn(withTicket: false))
            return
        }
        let ticket = try await connection.loginIssuingTicket(user: self.user, secret: password)
        self.logins += 1
        self.onEvent(.loggedIn(withTicket: false))
        if let ticket {
            self.ticket = ticket
            self.onTicket(ticket)
        }
    }

    /// The `retry-after=N` seconds of an `ERR BUSY` text.
    static func retryAfter(_ message: String) -> Int? {
        guard let range = message.firstRange(of: "retry-after=") else { return nil }
        return Int(message[range.upperBound...].prefix { $0.isNumber })
    }
}
