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

    /// Thrown when the key was used before (found at the start, or inserted by a concurrent request
    /// that committed first): the caller rolls back and answers with `storedReply`.
    public struct AlreadyClaimed: Error {}

    /// Queues the look-up of `key`, to go out with the command's first statements in one round trip;
    /// that round trip throws `AlreadyClaimed` if the key was used before.
    ///
    /// The key itself is written only at the end, with the reply (`record`), in the same round trip as
    /// the COMMIT: one write per command instead of a claim and an update. Two requests with the same
    /// key at once both run; the second one's insert waits for the first transaction and, once that
    /// has committed, fails on the primary key (`isAlreadyClaimed`), so exactly one takes effect.
    public static func enqueueLookup(_ connection: PGConnection, user: String, key: String) {
        connection.enqueue(self.lookup(user: user, key: key)) { rows in
            if !rows.isEmpty { throw AlreadyClaimed() }
        }
    }

    /// The statement `enqueueLookup` queues (for reading it ahead).
    public static func lookup(user: String, key: String) -> PGQuery {
        "SELECT true FROM idempotency_keys WHERE user_id = \(user) AND idempotency_key = \(key)"
    }

    /// Whether a failed statement was the insert of a key another request committed first.
    public static func isAlreadyClaimed(_ error: any Error) -> Bool {
        guard let error = error as? PGError else { return false }
        return error.sqlState == "23505" && error.constraint == "idempotency_keys_pkey"
    }

    /// The reply stored for a used key (after the command's own transaction rolled back).
    public static func storedReply(_ connection: PGConnection, user: String, key: String, requestHash: String)
        throws -> String
    {
        let rows = try connection.query(
            "SELECT request_hash, response FROM idempotency_keys WHERE user_id = \(user) AND idempotency_key = \(key)"
        )
        guard let row = rows.first else {
            throw StoreError.conflict("idempotency key \(key) expired while it was checked: send it again")
        }
        guard try row.decode(String.self, at: 0) == requestHash else {
            throw StoreError.conflict("idempotency key \(key) was already used for a different request")
        }
        guard let response = try row.decode(String?.self, at: 1) else {
            throw StoreError.conflict("idempotency key \(key) has no stored reply")
        }
        return response
    }

    /// Stores the key with the reply of the command: queued, it goes out with the COMMIT.
    public static func record(
        _ connection: PGConnection,
        user: String,
        key: String,
        command: String,
        requestHash: String,
        response: String
    ) {
        connection.enqueueDeferrable(
            """
            INSERT INTO idempotency_keys (user_id, idempotency_key, command, request_hash, response)
            VALUES (\(user), \(key), \(command), \(requestHash), \(response))
            """
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
