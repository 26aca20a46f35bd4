import RapportProtocol

/// A session ticket from `LOGIN … issue-ticket=true`: logs the same user in again without the
/// password (and without the server's slow password hash) until it expires or is revoked. As
/// secret as the password: keep it out of logs and in private files.
public struct SessionTicket: Sendable, Equatable, CustomStringConvertible {
    /// The opaque token, sent back as `LOGIN user ticket=…`.
    public var token: String
    /// When the server stops accepting it, as the server wrote it (`2026-11-28T04:00:00Z`).
    public var expires: String

    public init(token: String, expires: String) {
        self.token = token
        self.expires = expires
    }

    /// Never the token: a ticket printed by mistake must not leak.
    public var description: String { "SessionTicket(expires: \(self.expires))" }

    /// The ticket of a LOGIN reply's data line, if it has one.
    init?(_ response: Response) {
        guard let tokens = response.dataLines.first?.tokens else { return nil }
        var token: String?
        var expires = ""
        for case .named(let key, let value) in tokens {
            if key == "ticket" { token = value }
            if key == "expires" { expires = value }
        }
        guard let token, !token.isEmpty else { return nil }
        self.init(token: token, expires: expires)
    }
}

extension RapportConnection {
    /// Logs in with the password and asks for a session ticket (`issue-ticket=true`).
    ///
    /// - Returns: the ticket, or nil when the server answered none (an older server).
    /// - Throws: ``RapportClientError/server(code:message:)`` when the server answers `ERR`.
    public func loginIssuingTicket(user: String, secret: String) async throws -> SessionTicket? {
        let response = try await self.send(
            "LOGIN",
            [.positional(user), .positional(secret), .named("issue-ticket", "true")]
        ).checked()
        return SessionTicket(response)
    }

    /// Logs in with a session ticket (`LOGIN user ticket=…`): no password, no slow hash.
    ///
    /// - Throws: ``RapportClientError/server(code:message:)`` with `AUTH_FAILED` when the ticket is
    ///   wrong, expired or revoked (log in with the password then).
    public func login(user: String, ticket: SessionTicket) async throws {
        _ = try await self.send("LOGIN", [.positional(user), .named("ticket", ticket.token)]).checked()
    }
}
