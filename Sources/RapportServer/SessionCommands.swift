import Logging
import RapportModel
import RapportProtocol
import RapportStore

/// LOGIN, LOGOUT, WHOAMI, PASSWORD, PING, HEALTH, HELP, QUIT.
enum SessionCommands {
    static let minimumPasswordLength = 8

    static func make(_ context: ServerContext, table: @escaping @Sendable () -> CommandTable) -> [Command] {
        [
            Command(spec("LOGIN")) { invocation, session in
                try await login(invocation, &session, context)
            },
            Command(spec("LOGOUT")) { _, session in
                session.user = nil
                return (.ok("logged out"), .proceed)
            },
            Command(spec("WHOAMI")) { invocation, session in
                let user = session.user!
                let line = DataLine.named([
                    "user": user.userID, "role": user.role.rawValue, "salesperson": user.salespersonCode,
                    "client": invocation.connection.clientAddress,
                ])
                return (.ok("", [line]), .proceed)
            },
            Command(spec("PASSWORD")) { invocation, session in
                let user = session.user!
                let current = invocation.arguments.text("current")!
                let new = invocation.arguments.text("new")!
                try checkStrength(new)
                let stored = try await context.store.credentials(user.userID)?.passwordHash
                guard await context.hasher.verify(current, against: stored) else {
                    throw CommandError(.authenticationFailed, "the current password is wrong")
                }
                try await context.store.setPasswordHash(user.userID, try await context.hasher.hash(new))
                return (.ok("password changed"), .proceed)
            },
            Command(spec("PING"), reply: { _, _ in .ok("PONG") }),
            Command(
                spec("HEALTH"),
                reply: { _, _ in
                    let database = await context.store.ping() ? "up" : "down"
                    if context.isDraining {
                        return Response(
                            dataLines: [.named(["status": "draining", "database": database])],
                            final: .error(.shuttingDown, "draining; connect to another replica")
                        )
                    }
                    return .ok("ready", [.named(["status": "ready", "database": database])])
                }
            ),
            Command(
                spec("HELP"),
                reply: { invocation, _ in
                    let table = table()
                    guard let name = invocation.arguments.text("command") else {
                        return .ok("\(table.specs.count) commands", HelpRenderer.helpIndex(table.specs))
                    }
                    guard let spec = table.spec(for: name) else {
                        throw CommandError(.notFound, "no command named \(name)")
                    }
                    return .ok("", HelpRenderer.helpText(for: spec))
                }
            ),
            Command(spec("QUIT")) { _, _ in
                (Response(final: .bye("")), .close)
            },
        ]
    }

    static func spec(_ name: String) -> CommandSpec {
        CommandSpecs.all.first { $0.name == name }!
    }

    static func checkStrength(_ password: String) throws {
        guard password.count >= Self.minimumPasswordLength else {
            throw CommandError(.invalid, "a password needs at least \(Self.minimumPasswordLength) characters")
        }
    }

    private static func login(_ invocation: Invocation, _ session: inout SessionState, _ context: ServerContext)
        async throws -> (Response, AfterReply)
    {
        let userID = invocation.arguments.code("user")!
        let secret = invocation.arguments.text("secret")!
        let client = invocation.connection.clientAddress
        let delay = context.throttle.delay(client: client, user: userID)
        if delay > .zero { try await Task.sleep(for: delay) }

        let credentials = try await context.store.credentials(userID)
        let matches = await context.hasher.verify(secret, against: credentials?.passwordHash)
        guard let credentials, matches, !credentials.user.blocked else {
            context.throttle.recordFailure(client: client, user: userID)
            if credentials != nil { try? await context.store.recordLogin(userID, succeeded: false) }
            let reason = credentials == nil ? "unknown user" : (matches ? "user blocked" : "wrong password")
            invocation.logger.warning("login failed", metadata: ["user": "\(userID)", "reason": "\(reason)"])
            context.metrics.loginFailed()
            // The same answer whatever the reason: no telling which user names exist.
            throw CommandError(.authenticationFailed, "wrong user or password, or the user is blocked")
        }
        context.throttle.recordSuccess(user: userID)
        try await context.store.recordLogin(userID, succeeded: true)
        session.user = credentials.user
        invocation.logger.info(
            "logged in",
            metadata: ["user": "\(userID)", "role": "\(credentials.user.role.rawValue)"]
        )
        return (.ok("welcome \(userID) role=\(credentials.user.role.rawValue)"), .authenticated)
    }
}
