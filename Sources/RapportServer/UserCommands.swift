import LibPQ
import Logging
import RapportModel
import RapportProtocol
import RapportStore

/// USER-ADD, USER-LIST, USER-PASSWD, USER-DISABLE, USER-ENABLE, USER-TICKETS-REVOKE (administrators).
enum UserCommands {
    static let user = RequiredArgument.positional("user", .code(maxLength: 50), "User ID.")
    static let role = RequiredArgument.named("role", .oneOf(UserRole.self), "What the user may do.")
    static let fullName = ChangeArgument.named("full-name", .text(maxLength: 80), "Full name.")
    static let email = ChangeArgument.named("email", .text(maxLength: 250), "E-mail address.")
    static let salesperson = ChangeArgument.named(
        "salesperson",
        .code(maxLength: 20),
        "The user's own salesperson code."
    )
    static let initialPassword = OptionalArgument.named(
        "password",
        .text(maxLength: 1024),
        "Initial password (at least 8 characters); omitted, one is generated and shown once."
    )
    static let newPassword = OptionalArgument.named(
        "password",
        .text(maxLength: 1024),
        "New password (at least 8 characters); omitted, one is generated and shown once."
    )

    /// The data line of a generated password (shown once).
    static let passwordColumns = [ResultColumn("user", .code), ResultColumn("password", .text)]
    static let columns = [
        ResultColumn("user", .code), ResultColumn("role", .enumeration), ResultColumn("full-name", .text),
        ResultColumn("email", .text), ResultColumn("salesperson", .code), ResultColumn("blocked", .bool),
        ResultColumn("failed-logins", .integer),
    ]

    static let add = Command(
        CommandSpec(
            name: "USER-ADD",
            summary: "Create a user.",
            arguments: [user.spec, role.spec, fullName.spec, email.spec, salesperson.spec, initialPassword.spec],
            requiredRole: .administrator,
            help: "The data line comes only with a generated password.",
            example: [
                "USER-ADD bob role=salesperson full-name=\"Bob Baker\" idem=7f3e",
                "* user=BOB password=h7Qk2mWzR4pXv9TnE3sY", "OK user BOB created",
            ],
            results: passwordColumns
        ).idempotent(),
        reply: { invocation, session in
            guard let admin = session.user else { throw CommandError(.denied, "log in first: LOGIN <user> <secret>") }
            let context = invocation.context
            let arguments = invocation.arguments
            let user = NewUser(
                userID: arguments[Self.user],
                role: arguments[Self.role],
                fullName: arguments[Self.fullName].value,
                email: arguments[Self.email].value,
                salespersonCode: arguments[Self.salesperson].value
            )
            let (password, generated) = try chosenPassword(arguments[Self.initialPassword])
            // Hash before the transaction: the slow part must not hold a database connection.
            let hash = try await context.hashNewPassword(password, user: user.userID, invocation)
            let response = try await context.write(invocation, user: admin.userID) { connection in
                let created = try Store.createUser(connection, user, passwordHash: hash)
                return .ok("user \(created.userID) created", generated ? [passwordLine(created.userID, password)] : [])
            }
            invocation.logger.info(
                "user created",
                metadata: ["created": "\(user.userID)", "role": "\(user.role.rawValue)"]
            )
            return response
        }
    )

    static let list = Command(
        CommandSpec(
            name: "USER-LIST",
            summary: "List the users.",
            arguments: Paging.arguments("users"),
            requiredRole: .administrator,
            example: [
                "USER-LIST",
                "* user=ALICE role=administrator full-name=\"Alice Hart\" email= salesperson= blocked=false "
                    + "failed-logins=0",
                "OK 1 user total=1",
            ],
            results: columns
        ),
        list: { invocation, _ in
            let page = try Paging.request(invocation.arguments, keys: [.code(maxLength: 50)])
            // The page is fetched and the connection given back before the reply is streamed.
            let (users, total) = try await invocation.context.store.pool.withConnection { connection in
                (
                    try Store.listUsers(connection, after: page.code(0), limit: page.fetch),
                    try Store.countUsers(connection)
                )
            }
            return Paging.reply(users, page, noun: "user", total: total, key: { [$0.userID] }, line: line)
        }
    )

    static let passwd = Command(
        CommandSpec(
            name: "USER-PASSWD",
            summary: "Set a user's password.",
            arguments: [user.spec, newPassword.spec],
            requiredRole: .administrator,
            help: "The data line comes only with a generated password.",
            example: ["USER-PASSWD bob", "* user=BOB password=Vq3nX8cLr2WmZ7kTd5Hy", "OK password set"],
            results: passwordColumns
        ).idempotent(),
        reply: { invocation, session in
            guard let admin = session.user else { throw CommandError(.denied, "log in first: LOGIN <user> <secret>") }
            let context = invocation.context
            let userID = invocation.arguments[Self.user]
            let (password, generated) = try chosenPassword(invocation.arguments[Self.newPassword])
            let hash = try await context.hashNewPassword(password, user: userID, invocation)
            let response = try await context.write(invocation, user: admin.userID) { connection in
                try Store.setPasswordHash(connection, userID, hash)
                return .ok("password set", generated ? [passwordLine(userID, password)] : [])
            }
            invocation.logger.info("password set", metadata: ["target": "\(userID)"])
            return response
        }
    )

    static let disable = Command(
        CommandSpec(
            name: "USER-DISABLE",
            summary: "Block a user: LOGIN is refused from now on.",
            arguments: [user.spec],
            requiredRole: .administrator,
            example: ["USER-DISABLE bob", "OK user BOB disabled"]
        ).idempotent(),
        reply: { invocation, session in
            guard let admin = session.user else { throw CommandError(.denied, "log in first: LOGIN <user> <secret>") }
            let userID = invocation.arguments[Self.user]
            guard userID != admin.userID else {
                throw CommandError(.invalid, "you cannot disable yourself: another administrator can")
            }
            return try await invocation.context.write(invocation, user: admin.userID) { connection in
                try Store.setBlocked(connection, userID, true)
                return .ok("user \(userID) disabled")
            }
        }
    )

    static let enable = Command(
        CommandSpec(
            name: "USER-ENABLE",
            summary: "Unblock a user.",
            arguments: [user.spec],
            requiredRole: .administrator,
            example: ["USER-ENABLE bob", "OK user BOB enabled"]
        ).idempotent(),
        reply: { invocation, session in
            guard let admin = session.user else { throw CommandError(.denied, "log in first: LOGIN <user> <secret>") }
            let userID = invocation.arguments[Self.user]
            return try await invocation.context.write(invocation, user: admin.userID) { connection in
                try Store.setBlocked(connection, userID, false)
                return .ok("user \(userID) enabled")
            }
        }
    )

    static let revokeTickets = Command(
        CommandSpec(
            name: "USER-TICKETS-REVOKE",
            summary: "Revoke every session ticket of a user: their clients must log in with the password again.",
            arguments: [user.spec],
            requiredRole: .administrator,
            help:
                "Sessions already open go on until they end; USER-DISABLE also ends the user's logins. A new password revokes the tickets too.",
            example: ["USER-TICKETS-REVOKE bob", "OK 2 tickets of BOB revoked"]
        ).idempotent(),
        reply: { invocation, session in
            guard let admin = session.user else { throw CommandError(.denied, "log in first: LOGIN <user> <secret>") }
            let userID = invocation.arguments[Self.user]
            let response = try await invocation.context.write(invocation, user: admin.userID) { connection in
                guard try Store.userExists(connection, userID) else {
                    throw StoreError.notFound("user \(userID) does not exist")
                }
                let count = try Store.revokeTickets(connection, userID)
                return .ok("\(count) ticket\(count == 1 ? "" : "s") of \(userID) revoked")
            }
            invocation.logger.info("tickets revoked", metadata: ["target": "\(userID)"])
            return response
        }
    )

    static let all = [add, list, passwd, disable, enable, revokeTickets]
    static var specs: [CommandSpec] { all.map(\.spec) }
    static func make(_ context: ServerContext) -> [Command] { all }

    /// The given password (checked), or a generated one to show once.
    static func chosenPassword(_ given: String?) throws -> (String, generated: Bool) {
        guard let given else { return (PasswordHasher.randomPassword(), true) }
        try SessionCommands.checkStrength(given, argument: "password= (or leave it out to have one generated)")
        return (given, false)
    }

    static func passwordLine(_ user: String, _ password: String) -> DataLine {
        .shaped(passwordColumns, ["user": user, "password": password])
    }

    static func line(_ user: UserRecord) -> DataLine {
        .shaped(
            columns,
            [
                "user": user.userID, "role": user.role.rawValue, "full-name": user.fullName, "email": user.email,
                "salesperson": user.salespersonCode, "blocked": String(user.blocked),
                "failed-logins": String(user.failedLogins),
            ]
        )
    }
}
