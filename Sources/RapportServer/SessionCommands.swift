import Logging
import RapportModel
import RapportProtocol
import RapportStore

/// LOGIN, LOGOUT, WHOAMI, PASSWORD, PING, HEALTH, HELP, QUIT.
enum SessionCommands {
    static let minimumPasswordLength = 8

    static let user = RequiredArgument.positional("user", .code(maxLength: 50), "User ID (case-insensitive).")
    static let secret = OptionalArgument.positional(
        "secret",
        .text(maxLength: 1024),
        "The user's password (or give ticket= instead)."
    )
    static let ticket = OptionalArgument.named(
        "ticket",
        .text(maxLength: 128),
        "A session ticket of the user, instead of the password: checked without a slow hash."
    )
    static let issueTicket = OptionalArgument.named(
        "issue-ticket",
        .bool,
        "With the password: also answer a new session ticket (data line ticket= expires=)."
    )
    static let all = OptionalArgument.named(
        "all",
        .bool,
        "Also revoke every session ticket of the user (log out everywhere); default false."
    )
    static let ticketColumns = [ResultColumn("ticket", .text), ResultColumn("expires", .text)]
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
            arguments: [user.spec, secret.spec, ticket.spec, issueTicket.spec],
            requiredRole: .anyone,
            help:
                "Give the password or ticket=, not both. Repeated failures from one address or for one user are answered more and more slowly; a forged or expired ticket counts as a failure. Password checks wait in a bounded queue: when it is full, ERR BUSY says when to try again (retry-after=N seconds). issue-ticket=true (with the password) answers a ticket, valid for the server's ticket lifetime (default 10 hours), that logs the same user in again without the password (after a drain or failover); keep it as secret as the password. A new password, USER-DISABLE, LOGOUT all=true and USER-TICKETS-REVOKE revoke tickets.",
            example: [
                "LOGIN alice \"correct horse\" issue-ticket=true",
                "* ticket=0f3c9d6e8a1b2c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5 expires=2026-11-28T04:00:00Z",
                "OK welcome ALICE role=manager",
            ],
            results: ticketColumns
        )
    ) { invocation, session in
        try await logIn(invocation, &session)
    }

    static let logout = Command(
        CommandSpec(
            name: "LOGOUT",
            summary: "End the authenticated session; the connection stays open.",
            arguments: [all.spec],
            requiredRole: .salesperson,
            help:
                "Revokes the session ticket this session logged in with or was given. all=true revokes every ticket of the user: no client can log in again without the password (sessions already open elsewhere go on until they end).",
            example: ["LOGOUT", "OK logged out"]
        )
    ) { invocation, session in
        let store = invocation.context.store
        var text = "logged out"
        if invocation.arguments[Self.all] == true, let user = session.user {
            let count = try await store.revokeTickets(user.userID)
            text = "logged out everywhere: \(count) ticket\(count == 1 ? "" : "s") revoked"
        } else if let hash = session.ticketHash {
            try await store.revokeTicket(tokenHash: hash)
        }
        session.user = nil
        session.ticketHash = nil
        return (.ok(text), .proceed)
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
        let address = LoginThrottle.address(of: invocation.connection.clientAddress)
        let issue = invocation.arguments[Self.issueTicket] == true
        let secret: String
        switch (invocation.arguments[Self.secret], invocation.arguments[Self.ticket]) {
        case (nil, let ticket?):
            guard !issue else {
                throw CommandError(.invalid, "a new ticket needs the password: LOGIN <user> <secret> issue-ticket=true")
            }
            return try await self.logIn(invocation, &session, ticket: ticket, address: address)
        case (let given?, nil):
            secret = given
        case (nil, nil):
            throw CommandError(.badArguments, "give the password or ticket=: LOGIN <user> <secret>")
        case (_?, _?):
            throw CommandError(.badArguments, "give the password or ticket=, not both")
        }
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
            context.metrics.login(.password, .failed)
            // The same answer whatever the reason: no telling which user names exist.
            throw CommandError(.authenticationFailed, "wrong user or password, or the user is blocked")
        }
        try await context.store.recordLogin(userID, succeeded: true)
        var lines: [DataLine] = []
        session.ticketHash = nil
        if issue {
            let (token, hash) = SessionTickets.make()
            let seconds = max(1, Int(context.ticketLifetime.components.seconds))
            let expires = try await context.store.issueTicket(
                credentials.user.userID,
                tokenHash: hash,
                seconds: seconds
            )
            lines.append(.shaped(ticketColumns, ["ticket": token, "expires": SessionTickets.timestamp(expires)]))
            session.ticketHash = hash
        }
        session.user = credentials.user
        context.metrics.login(.password, .ok)
        invocation.logger.info(
            "logged in",
            metadata: [
                "user": "\(userID)", "role": "\(credentials.user.role.rawValue)", "with": "password",
                "ticket-issued": "\(issue)",
            ]
        )
        return (.ok("welcome \(userID) role=\(credentials.user.role.rawValue)", lines), .authenticated)
    }

    /// LOGIN with a ticket: one look-up by the ticket's hash, no slow hash and no hashing queue.
    private static func logIn(_ invocation: Invocation, _ session: inout SessionState, ticket: String, address: String)
        async throws -> (Response, AfterReply)
    {
        let context = invocation.context
        let userID = invocation.arguments[Self.user]
        let hash = SessionTickets.hash(ticket)
        // An address with many recent failures gets ticket checks at its password checks' rate.
        guard context.throttle.admitTicketCheck(address: address) else {
            context.metrics.login(.ticket, .busy)
            throw CommandError(
                .busy,
                "too many failed logins from your address; try again in 1 s (retry-after=1)"
            )
        }
        guard let user = try await context.store.ticketUser(userID, tokenHash: hash) else {
            // Counted like a wrong password: the throttle's gates and the user's failed_logins.
            context.throttle.recordFailure(address: address, user: userID)
            try? await context.store.recordLogin(userID, succeeded: false)
            context.metrics.loginFailed()
            context.metrics.login(.ticket, .failed)
            invocation.logger.warning("login failed", metadata: ["user": "\(userID)", "reason": "ticket refused"])
            throw CommandError(
                .authenticationFailed,
                "wrong user or ticket, the ticket expired or was revoked, or the user is blocked"
            )
        }
        context.throttle.recordSuccess(address: address, user: userID)
        session.user = user
        session.ticketHash = hash
        context.metrics.login(.ticket, .ok)
        invocation.logger.info(
            "logged in",
            metadata: ["user": "\(user.userID)", "role": "\(user.role.rawValue)", "with": "ticket"]
        )
        return (.ok("welcome \(user.userID) role=\(user.role.rawValue)"), .authenticated)
    }
}
