import LibPQ
import Logging
import RapportModel
import RapportProtocol
import RapportStore

/// USER-ADD, USER-LIST, USER-PASSWD, USER-DISABLE, USER-ENABLE (administrators).
enum UserCommands {
    static func make(_ context: ServerContext) -> [Command] {
        [
            Command(
                SessionCommands.spec("USER-ADD"),
                reply: { invocation, session in
                    let arguments = invocation.arguments
                    let user = NewUser(
                        userID: arguments.code("user")!,
                        role: UserRole(rawValue: arguments.enumeration("role")!)!,
                        fullName: arguments.text("full-name").flatMap { $0.isEmpty ? nil : $0 },
                        email: arguments.text("email").flatMap { $0.isEmpty ? nil : $0 },
                        salespersonCode: arguments.code("salesperson")
                    )
                    let (password, generated) = try chosenPassword(arguments.text("password"))
                    // Hash before the transaction: the slow part must not hold a database connection.
                    let hash = try await context.hashNewPassword(password, user: user.userID, invocation)
                    let response = try await context.write(invocation, user: session.user!.userID) { connection in
                        let created = try Store.createUser(connection, user, passwordHash: hash)
                        let lines: [DataLine] =
                            generated ? [.named(["user": created.userID, "password": password])] : []
                        return .ok("user \(created.userID) created", lines)
                    }
                    invocation.logger.info(
                        "user created",
                        metadata: ["created": "\(user.userID)", "role": "\(user.role.rawValue)"]
                    )
                    return response
                }
            ),
            Command(
                SessionCommands.spec("USER-LIST"),
                list: { invocation, _ in
                    let page = try Paging.request(invocation.arguments, keys: [.code(maxLength: 50)])
                    // The page is fetched and the connection given back before the reply is streamed.
                    let users = try await context.store.pool.withConnection { connection in
                        try Store.listUsers(connection, after: page.code(0), limit: page.fetch)
                    }
                    return Paging.reply(users, page, noun: "user", key: { [$0.userID] }, line: line)
                }
            ),
            Command(
                SessionCommands.spec("USER-PASSWD"),
                reply: { invocation, _ in
                    let userID = invocation.arguments.code("user")!
                    let (password, generated) = try chosenPassword(invocation.arguments.text("password"))
                    let hash = try await context.hashNewPassword(password, user: userID, invocation)
                    try await context.store.setPasswordHash(userID, hash)
                    invocation.logger.info("password set", metadata: ["target": "\(userID)"])
                    return .ok("password set", generated ? [.named(["user": userID, "password": password])] : [])
                }
            ),
            Command(
                SessionCommands.spec("USER-DISABLE"),
                reply: { invocation, session in
                    let userID = invocation.arguments.code("user")!
                    guard userID != session.user?.userID else {
                        throw CommandError(.invalid, "you cannot disable yourself")
                    }
                    try await context.store.setBlocked(userID, true)
                    return .ok("user \(userID) disabled")
                }
            ),
            Command(
                SessionCommands.spec("USER-ENABLE"),
                reply: { invocation, _ in
                    let userID = invocation.arguments.code("user")!
                    try await context.store.setBlocked(userID, false)
                    return .ok("user \(userID) enabled")
                }
            ),
        ]
    }

    /// The given password (checked), or a generated one to show once.
    static func chosenPassword(_ given: String?) throws -> (String, generated: Bool) {
        guard let given else { return (PasswordHasher.randomPassword(), true) }
        try SessionCommands.checkStrength(given)
        return (given, false)
    }

    static func line(_ user: UserRecord) -> DataLine {
        .named([
            "user": user.userID, "role": user.role.rawValue, "full-name": user.fullName, "email": user.email,
            "salesperson": user.salespersonCode, "blocked": String(user.blocked),
            "failed-logins": String(user.failedLogins),
        ])
    }
}
