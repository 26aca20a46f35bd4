import Logging
import RapportModel
import RapportProtocol
import RapportStore

/// LOGIN, LOGOUT, WHOAMI, PASSWORD, PING, HEALTH, HELP, QUIT.
enum SessionCommands {
    static let minimumPasswordLength = 8

    static let user = RequiredArgument.positional("user", .code(maxLength: 50), "User ID (case-insensitive).")
    static let secret = RequiredArgument.positional("secret", .text(maxLength: 1024), "The user's password.")
    static let current = RequiredArgument.positional("current", .text(maxLength: 1024), "Your current password.")
    static let new = RequiredArgument.positional(
        "new",
        .text(maxLength: 1024),
        "The new password, at least 8 characters."
    )
    static let command = OptionalArgument.positional("command", .text(maxLength: 64), "A command name.")

    static let login = Command(
        CommandSpec(
            name: "LOGIN",
            summary: "Start an authenticated session.",
            arguments: [user.spec, secret.spec],
            requiredRole: .anyone,
            help: "Repeated failures from one address or for one user are answered more and more slowly.",
            example: ["LOGIN alice \"correct horse\"", "OK welcome ALICE role=manager"]
        )
    ) { invocation, session in
        try await logIn(invocation, &session)
    }

    static let logout = Command(
        CommandSpec(
            name: "LOGOUT",
            summary: "End the authenticated session; the connection stays open.",
            requiredRole: .salesperson,
            example: ["LOGOUT", "OK logged out"]
        )
    ) { _, session in
        session.user = nil
        return (.ok("logged out"), .proceed)
    }

    static let whoamiColumns = [
        ResultColumn("user", .code), ResultColumn("role", .enumeration), ResultColumn("salesperson", .code),
        ResultColumn("client", .text),
    ]

    static let whoami = Command(
        CommandSpec(
            name: "WHOAMI",
            summary: "Show the logged-in user.",
            requiredRole: .salesperson,
            example: ["WHOAMI", "* user=ALICE role=manager salesperson=AH client=127.0.0.1:51234", "OK"],
            results: whoamiColumns
        ),
        reply: { invocation, session in
            guard let user = session.user else { throw CommandError(.denied, "log in first: LOGIN <user> <secret>") }
            let line = DataLine.shaped(
                whoamiColumns,
                [
                    "user": user.userID, "role": user.role.rawValue, "salesperson": user.salespersonCode,
                    "client": invocation.connection.clientAddress,
                ]
            )
            return .ok("", [line])
        }
    )

    static let password = Command(
        CommandSpec(
            name: "PASSWORD",
            summary: "Change your own password.",
            arguments: [current.spec, new.spec],
            requiredRole: .salesperson,
            example: ["PASSWORD \"old secret\" \"new longer secret\"", "OK password changed"]
        ),
        reply: { invocation, session in
            guard let user = session.user else { throw CommandError(.denied, "log in first: LOGIN <user> <secret>") }
            let context = invocation.context
            let new = invocation.arguments[Self.new]
            try checkStrength(new, argument: "new")
            let current = invocation.arguments[Self.current]
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
            return .ok("password changed")
        }
    )

    static let ping = Command(
        CommandSpec(
            name: "PING",
            summary: "Check that the server answers.",
            requiredRole: .anyone,
            example: ["PING", "OK PONG"]
        ),
        reply: { _, _ in .ok("PONG") }
    )

    static let healthColumns = [ResultColumn("status", .enumeration), ResultColumn("database", .enumeration)]

    static let health = Command(
        CommandSpec(
            name: "HEALTH",
            summary: "Readiness for load balancers: OK ready, or ERR SHUTTING_DOWN while draining.",
            requiredRole: .anyone,
            help:
                "The data line says whether the database answers; the final line only reflects draining, so a database outage does not take every replica out of the balancer.",
            example: ["HEALTH", "* status=ready database=up", "OK ready"],
            results: healthColumns
        ),
        reply: { invocation, _ in
            let context = invocation.context
            let database = await context.store.ping() ? "up" : "down"
            if context.isDraining {
                return Response(
                    dataLines: [.shaped(healthColumns, ["status": "draining", "database": database])],
                    final: .error(.shuttingDown, "draining; connect to another replica")
                )
            }
            return .ok("ready", [.shaped(healthColumns, ["status": "ready", "database": database])])
        }
    )

    static let helpSpec = CommandSpec(
        name: "HELP",
        summary: "List the commands, or describe one.",
        arguments: [command.spec],
        requiredRole: .anyone,
        example: [
            "HELP PING", "* usage \"PING\"", "* summary \"Check that the server answers.\"", "* role anyone",
            "* example \"PING\"", "* example \"OK PONG\"", "OK",
        ]
    )

    static let quit = Command(
        CommandSpec(
            name: "QUIT",
            summary: "Close the connection.",
            requiredRole: .anyone,
            example: ["QUIT", "BYE"]
        )
    ) { _, _ in
        (Response(final: .bye("")), .close)
    }

    static let specs: [CommandSpec] = [
        login.spec, logout.spec, whoami.spec, password.spec, ping.spec, health.spec, helpSpec, quit.spec,
    ]

    /// HELP reads the live command table, so it is made with the server.
    static func make(_ context: ServerContext, table: @escaping @Sendable () -> CommandTable) -> [Command] {
        let help = Command(
            helpSpec,
            reply: { invocation, _ in
                let table = table()
                guard let name = invocation.arguments[Self.command] else {
                    return .ok("\(table.specs.count) commands", HelpRenderer.helpIndex(table.specs))
                }
                guard let spec = table.spec(for: name) else {
                    throw CommandError(.notFound, "no command named \(name): HELP lists them")
                }
                return .ok("", HelpRenderer.helpText(for: spec))
            }
        )
        return [login, logout, whoami, password, ping, health, help, quit]
    }

    /// The declaration of a command of the table (for areas not yet declaring commands as values).
    static func spec(_ name: String) -> CommandSpec {
        CommandSpecs.all.first { $0.name == name }!
    }

    static func checkStrength(_ password: String, argument: String) throws {
        guard password.count >= Self.minimumPasswordLength else {
            throw CommandError(
                .invalid,
                "a password needs at least \(Self.minimumPasswordLength) characters: give a longer \(argument)"
            )
        }
    }

    private static func logIn(_ invocation: Invocation, _ session: inout SessionState) async throws
        -> (Response, AfterReply)
    {
        let context = invocation.context
        let userID = invocation.arguments[Self.user]
        let secret = invocation.arguments[Self.secret]
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
