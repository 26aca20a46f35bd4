import Crypto
import LibPQ
import RapportProtocol
import RapportStore

/// Write commands take an optional `idem=KEY`. The key and the reply are stored in the command's
/// transaction; the same key with the same request returns the stored reply and writes nothing.
enum Idempotency {
    static let argument = ArgumentSpec(
        "idem",
        kind: .named,
        valueType: .text(maxLength: 128),
        help:
            "Idempotency key: sending the same request with the same key again returns the first reply and writes nothing."
    )

    /// A fingerprint of the request without its tag and key: the same key must come with the same request.
    static func requestHash(_ request: Request) -> String {
        var canonical = request.verb.uppercased()
        for argument in request.arguments {
            if case .named(let key, _) = argument, key.lowercased() == "idem" { continue }
            canonical += " " + WireEncoding.argument(argument)
        }
        var hasher = SHA256()
        hasher.update(data: Array(canonical.utf8))
        if let payload = request.payload {
            hasher.update(data: Array("\u{0}".utf8))
            hasher.update(data: payload)
        }
        return hasher.finalize().map {
            String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16)
        }.joined()
    }
}

extension CommandSpec {
    /// The same command, accepting an idempotency key.
    func idempotent() -> CommandSpec {
        var spec = self
        spec.arguments.append(Idempotency.argument)
        spec = CommandSpec(
            name: spec.name,
            summary: spec.summary,
            arguments: spec.arguments,
            requiredRole: spec.requiredRole,
            help: spec.help,
            example: spec.example,
            results: spec.results
        )
        return spec
    }
}

extension ServerContext {
    /// Runs a write command as one transaction: claims its idempotency key (if any), runs `body`,
    /// stores the reply with the key, commits. A replayed key returns the first reply unchanged, or
    /// with `markReplays` with every data line's declared `replayed=` set to true, so a client can
    /// tell that nothing was written this time (the import says "already imported").
    ///
    /// Round trips: BEGIN and the key's look-up go out with the body's first statements, the key with
    /// its reply and COMMIT with the body's last queued writes; a command whose body reads once and then
    /// only queues writes costs two. A used key costs one more (the stored reply), after the rollback.
    ///
    /// `batched`: a short command (one entry or a few) joins the group commit (`GroupCommit`): it may
    /// share its transaction and COMMIT with other sessions' commands, each under its own savepoint.
    /// `reads`: the statements `body` asks first, in order (read ahead for a whole batch at once).
    func write(
        _ invocation: Invocation,
        user: String,
        markReplays: Bool = false,
        batched: Bool = false,
        reads: [PGQuery] = [],
        _ body: @escaping @Sendable (PGConnection) throws -> Response
    ) async throws -> Response {
        let key = invocation.arguments.text("idem")
        let verb = invocation.request.verb.uppercased()
        // Hashed on the pool's thread, not on the session's event loop: an import's payload is megabytes.
        let request = invocation.request
        let unit: @Sendable (PGConnection) throws -> Response = { connection in
            if let key { IdempotencyStore.enqueueLookup(connection, user: user, key: key) }
            let response = try body(connection)
            if let key {
                IdempotencyStore.record(
                    connection,
                    user: user,
                    key: key,
                    command: verb,
                    requestHash: Idempotency.requestHash(request),
                    response: String(decoding: response.encode(), as: UTF8.self)
                )
            }
            return response
        }
        do {
            if batched {
                let lookup = key.map { [IdempotencyStore.lookup(user: user, key: $0)] } ?? []
                return try await self.groupCommit.run(reads: reads.isEmpty ? [] : lookup + reads, unit)
            }
            return try await self.store.pool.withConnection { connection in
                try connection.transaction(.readCommitted, unit)
            }
        } catch let error
            where key != nil && (error is IdempotencyStore.AlreadyClaimed || IdempotencyStore.isAlreadyClaimed(error))
        {
            // The command's transaction (or savepoint) rolled back whatever it did; the first reply stands.
            let text = try await self.store.pool.withConnection { connection in
                try IdempotencyStore.storedReply(
                    connection,
                    user: user,
                    key: key!,
                    requestHash: Idempotency.requestHash(request)
                )
            }
            let stored = try Self.decode(text).get()
            return markReplays ? stored.markedReplayed() : stored
        }
    }

    private static func decode(_ text: String) -> Result<Response, any Error> {
        var parser = ResponseParser()
        parser.append(Array(text.utf8))
        guard let reply = try? parser.next() else {
            return .failure(CommandError(.internal, "a stored reply could not be read"))
        }
        return .success(reply.response)
    }
}
