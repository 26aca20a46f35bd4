import LibPQ

/// Idempotency keys: a write command's key and its reply are stored in the command's own
/// transaction, so a client that lost its connection can send the same request again and gets the
/// first reply instead of a second write.
public enum IdempotencyStore {
    public enum Claim: Sendable, Equatable {
        /// The key is new and now held by this transaction: run the command, then `record` its reply.
        case claimed
        /// The key was used before by the same request: here is the reply it got.
        case replay(String)
    }

    /// Claims `key` for `user` inside the current transaction. A concurrent transaction with the
    /// same key waits for this one (the primary key), then sees its reply.
    public static func claim(
        _ connection: PGConnection,
        user: String,
        key: String,
        command: String,
        requestHash: String
    ) throws -> Claim {
        let inserted = try connection.execute(
            """
            INSERT INTO idempotency_keys (user_id, idempotency_key, command, request_hash)
            VALUES (\(user), \(key), \(command), \(requestHash))
            ON CONFLICT DO NOTHING
            """
        )
        if inserted == 1 { return .claimed }
        let rows = try connection.query(
            "SELECT request_hash, response FROM idempotency_keys WHERE user_id = \(user) AND idempotency_key = \(key)"
        )
        guard let row = rows.first else { return .claimed }
        guard try row.decode(String.self, at: 0) == requestHash else {
            throw StoreError.conflict("idempotency key \(key) was already used for a different request")
        }
        guard let response = try row.decode(String?.self, at: 1) else {
            throw StoreError.conflict("idempotency key \(key) is in use by a request still running")
        }
        return .replay(response)
    }

    /// Stores the reply of the command that claimed `key`.
    public static func record(_ connection: PGConnection, user: String, key: String, response: String) throws {
        try connection.execute(
            "UPDATE idempotency_keys SET response = \(response) WHERE user_id = \(user) AND idempotency_key = \(key)"
        )
    }

    /// Forgets keys older than `days` (run by the server now and then; replays are for retries, not history).
    @discardableResult
    public static func expire(_ connection: PGConnection, olderThanDays days: Int) throws -> Int {
        try connection.execute(
            "DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(days => \(days)::int)"
        )
    }
}
