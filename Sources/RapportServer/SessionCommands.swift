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
                // The current password is a guess like LOGIN's: same queue, gate and failure count.
                let address = LoginThrottle.address(of: invocation.connection.clientAddress)
                let reservation = try context.reserveHash(address: address, user: user.userID, gated: true, invocation)
                let stored: String?
                do {
                    stored = try await context.store.credentials(user.userID)?.passwordHash
                } catch {
                    context.hashing.cancel(reservation)
                    throw error
                }
                let (hasher, throttle) = (context.hasher, context.throttle)
                let hash = await context.hashing.run(reservation) { () -> String? in
                    guard hasher.verifyHere(current, against: stored) else {
                        throttle.recordFailure(address: address, user: user.userID)
                        return nil
                    }
                    return try? hasher.hashHere(new)
                }
                guard let hash else {
                    invocation.logger.warning("password change refused", metadata: ["reason": "wrong current password"])
                    context.metrics.loginFailed()
                    throw CommandError(.authenticationFailed, "the current password is wrong")
                }
                try await context.store.setPasswordHash(user.userID, hash)
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
        let address = LoginThrottle.address(of: invocation.connection.clientAddress)
        // A place in the fair hashing queue first: a refused attempt costs no database lookup.
        let reservation = try context.reserveHash(address: address, user: userID, gated: true, invocation)
        let credentials: (user: UserRecord, passwordHash: String)?
        do {
            credentials = try await context.store.credentials(userID)
        } catch {
            context.hashing.cancel(reservation)
            throw error
        }
        let (hasher, throttle) = (context.hasher, context.throttle)
        let stored = credentials?.passwordHash
        let blocked = credentials?.user.blocked ?? false
        // The outcome is recorded on the hashing thread, before the address's and user's places are
        // freed, so the next check of either already sees this failure in the throttle's gate.
        let matches = await context.hashing.run(reservation) {
            // Unknown users are checked against a decoy hash: the same time, no user enumeration.
            let matches = hasher.verifyHere(secret, against: stored)
            if matches && !blocked {
                throttle.recordSuccess(address: address, user: userID)
            } else {
                throttle.recordFailure(address: address, user: userID)
            }
            return matches
        }
        guard let credentials, matches, !credentials.user.blocked else {
            if credentials != nil { try? await context.store.recordLogin(userID, succeeded: false) }
            let reason = credentials == nil ? "unknown user" : (matches ? "user blocked" : "wrong password")
            invocation.logger.warning("login failed", metadata: ["user": "\(userID)", "reason": "\(reason)"])
            context.metrics.loginFailed()
            // The same answer whatever the reason: no telling which user names exist.
            throw CommandError(.authenticationFailed, "wrong user or password, or the user is blocked")
        }
        try await context.store.recordLogin(userID, succeeded: true)
        session.user = credentials.user
        invocation.logger.info(
            "logged in",
            metadata: ["user": "\(userID)", "role": "\(credentials.user.role.rawValue)"]
        )
        return (.ok("welcome \(userID) role=\(credentials.user.role.rawValue)"), .authenticated)
    }
}
