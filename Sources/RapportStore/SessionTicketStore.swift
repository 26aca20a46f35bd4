import Foundation
import LibPQ

/// Session tickets (`sql/0021_session_tickets.sql`): the store sees only the SHA-256 of a token
/// (lower-case hex), never the token.
extension Store {
    /// Stores a new ticket of `userID` valid for `seconds` (database clock) and returns its expiry;
    /// the user's expired tickets go in the same statement (cleanup on use).
    public func issueTicket(_ userID: String, tokenHash: String, seconds: Int) async throws -> Date {
        try await self.pool.withConnection { connection in
            let rows = try connection.query(
                """
                WITH expired AS (
                    DELETE FROM session_tickets WHERE user_id = \(userID) AND expires_at <= now()
                )
                INSERT INTO session_tickets (token_hash, user_id, expires_at)
                VALUES (\(tokenHash), \(userID), now() + make_interval(secs => \(seconds)::int))
                RETURNING expires_at
                """
            )
            return try rows[0].decode(Date.self, at: 0)
        }
    }

    /// The user a ticket logs in, if the ticket is `userID`'s, not expired, and the user not
    /// blocked: one look-up by primary key.
    public func ticketUser(_ userID: String, tokenHash: String) async throws -> UserRecord? {
        try await self.pool.withConnection { connection in
            let rows = try connection.query(
                """
                SELECT \(unescaped: Self.userColumns) FROM session_tickets t JOIN users USING (user_id)
                WHERE t.token_hash = \(tokenHash) AND t.user_id = \(userID) AND t.expires_at > now()
                  AND NOT users.blocked
                """
            )
            return try rows.first.map(Self.decodeUser)
        }
    }

    /// Revokes one ticket (a plain LOGOUT revokes the session's own).
    public func revokeTicket(tokenHash: String) async throws {
        try await self.pool.withConnection { connection in
            _ = try connection.execute("DELETE FROM session_tickets WHERE token_hash = \(tokenHash)")
        }
    }

    /// Revokes every ticket of `userID` (LOGOUT all=true); returns how many there were.
    public func revokeTickets(_ userID: String) async throws -> Int {
        try await self.pool.withConnection { try Self.revokeTickets($0, userID) }
    }

    /// Revokes every ticket of `userID` inside the caller's transaction (USER-TICKETS-REVOKE).
    public static func revokeTickets(_ connection: PGConnection, _ userID: String) throws -> Int {
        try connection.execute("DELETE FROM session_tickets WHERE user_id = \(userID)")
    }

    /// Whether `userID` names a user.
    public static func userExists(_ connection: PGConnection, _ userID: String) throws -> Bool {
        try !connection.query("SELECT 1 FROM users WHERE user_id = \(userID)").isEmpty
    }

    /// How many unexpired tickets `userID` has.
    public static func countTickets(_ connection: PGConnection, _ userID: String) throws -> Int {
        try connection.query(
            "SELECT count(*) FROM session_tickets WHERE user_id = \(userID) AND expires_at > now()"
        )[0].decode(Int.self, at: 0)
    }

    /// Deletes expired tickets (the expiry service, next to idempotency keys); returns how many.
    public static func expireTickets(_ connection: PGConnection) throws -> Int {
        try connection.execute("DELETE FROM session_tickets WHERE expires_at <= now()")
    }
}
