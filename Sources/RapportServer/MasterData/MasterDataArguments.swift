import LibPQ
import RapportModel
import RapportProtocol
import RapportStore

/// Untyped declarations, kept while CONTACT-IMPORT (reworked on another branch) may still use them;
/// converted commands declare `RequiredArgument`/`OptionalArgument`/`ChangeArgument` instead.
enum MasterDataArguments {
    static func named(
        _ name: String,
        _ type: ArgumentSpec.ValueType,
        _ help: String,
        required: Bool = false
    ) -> ArgumentSpec {
        ArgumentSpec(name, kind: .named, required: required, valueType: type, help: help)
    }
}

/// How master data commands run: reads on a pooled connection, writes as one idempotent
/// transaction (``ServerContext/write(_:user:_:)``).
enum MasterDataCommand {
    typealias Body = @Sendable (Invocation, SessionState, PGConnection) throws -> Response

    typealias ListBody =
        @Sendable (Invocation, SessionState, PGConnection, Paging.Request) throws -> Reply

    // MARK: Commands declared as values (the context comes with the invocation)

    static func read(_ spec: CommandSpec, _ body: @escaping Body) -> Command {
        Command(
            spec,
            reply: { invocation, session in
                try await invocation.context.store.pool.withConnection { connection in
                    try body(invocation, session, connection)
                }
            }
        )
    }

    static func write(_ spec: CommandSpec, _ body: @escaping Body) -> Command {
        Command(
            spec,
            reply: { invocation, session in
                guard let user = session.user else {
                    throw CommandError(.denied, "log in first: LOGIN <user> <secret>")
                }
                return try await invocation.context.write(invocation, user: user.userID) { connection in
                    try body(invocation, session, connection)
                }
            }
        )
    }

    static func list(_ spec: CommandSpec, keys: [Paging.Key], _ body: @escaping ListBody) -> Command {
        Command(
            spec,
            list: { invocation, session in
                let request = try Paging.request(invocation.arguments, keys: keys)
                return try await invocation.context.store.pool.withConnection { connection in
                    try body(invocation, session, connection, request)
                }
            }
        )
    }

    /// `N thing` / `N things`.
    static func count(_ n: Int, _ noun: String, plural: String? = nil) -> String {
        "\(n) \(n == 1 ? noun : (plural ?? noun + "s"))"
    }
}
