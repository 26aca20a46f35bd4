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

    /// Thrown (through the connection's pipeline) when `enqueueClaim` found the key already used.
    public struct AlreadyClaimed: Error {}

    /// Queues the claim of `key` for `user`, to go out with the command's first statements in one
    /// round trip; that round trip throws `AlreadyClaimed` if the key was used before, and the caller
    /// then rolls back and asks `storedReply`. A concurrent transaction with the same key waits for
    /// this one (the primary key).
    public static func enqueueClaim(
        _ connection: PGConnection,
        user: String,
        key: String,
        command: String,
        requestHash: String
    ) {
        connection.enqueue(
            """
            INSERT INTO idempotency_keys (user_id, idempotency_key, command, request_hash)
            VALUES (\(user), \(key), \(command), \(requestHash))
            ON CONFLICT DO NOTHING
            RETURNING true
            """
        ) { rows in
            if rows.isEmpty { throw AlreadyClaimed() }
        }
    }

    /// The reply stored for a key that `enqueueClaim` found used (outside the rolled-back transaction).
    public static func storedReply(_ connection: PGConnection, user: String, key: String, requestHash: String)
        throws -> String
    {
        let rows = try connection.query(
            "SELECT request_hash, response FROM idempotency_keys WHERE user_id = \(user) AND idempotency_key = \(key)"
        )
        guard let row = rows.first else {
            throw StoreError.conflict("idempotency key \(key) was released by a request that failed: send it again")
        }
        guard try row.decode(String.self, at: 0) == requestHash else {
            throw StoreError.conflict("idempotency key \(key) was already used for a different request")
        }
        guard let response = try row.decode(String?.self, at: 1) else {
            throw StoreError.conflict("idempotency key \(key) is in use by a request still running")
        }
        return response
    }

    /// Stores the reply of the command that claimed `key`: queued, it goes out with the COMMIT.
    public static func record(_ connection: PGConnection, user: String, key: String, response: String) {
        connection.enqueue(
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
