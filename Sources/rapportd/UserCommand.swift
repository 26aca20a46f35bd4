import ArgumentParser
import Foundation
import LibPQ
import RapportModel
import RapportServer
import RapportStore

/// `rapportd user …`: manage users directly in the database, e.g. to create the first administrator.
struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract: "Manage users directly in the database (the first administrator, recovery).",
        subcommands: [Add.self, Passwd.self, Disable.self, Enable.self, List.self]
    )

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Create a user. The password comes from RAPPORT_NEW_PASSWORD, a prompt, or is generated and printed once."
        )
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "User ID.") var user: String
        @Option(help: "salesperson, manager or administrator.") var role: String = "salesperson"
        @Option(name: .customLong("full-name"), help: "Full name.") var fullName: String?
        @Option(help: "E-mail address.") var email: String?
        @Option(help: "The user's own salesperson code; the salesperson is created when it does not exist.")
        var salesperson: String?

        func run() async throws {
            guard let role = UserRole(rawValue: self.role.lowercased()) else {
                throw ValidationError("role must be salesperson, manager or administrator")
            }
            let userID = try Code.required(self.user, field: "user", maximum: 50)
            let new = NewUser(
                userID: userID,
                role: role,
                fullName: self.fullName,
                email: self.email,
                salespersonCode: self.salesperson.flatMap(Code.normalize)
            )
            try await withStore(self.database) { store, hasher in
                let (password, generated) = try newPassword()
                let hash = try await hasher.hash(password)
                let (_, salespersonCreated) = try await store.createUserWithSalesperson(new, passwordHash: hash)
                print("user \(userID) created with role \(role.rawValue)")
                if salespersonCreated, let code = new.salespersonCode { print("salesperson \(code) created") }
                if generated { print("password: \(password)") }
            }
        }
    }

    struct Passwd: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set a user's password (RAPPORT_NEW_PASSWORD, a prompt, or generated)."
        )
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "User ID.") var user: String

        func run() async throws {
            let userID = try Code.required(self.user, field: "user", maximum: 50)
            try await withStore(self.database) { store, hasher in
                let (password, generated) = try newPassword()
                try await store.setPasswordHash(userID, try await hasher.hash(password))
                print("password of \(userID) set")
                if generated { print("password: \(password)") }
            }
        }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Block a user.")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "User ID.") var user: String

        func run() async throws {
            let userID = try Code.required(self.user, field: "user", maximum: 50)
            try await withStore(self.database) { store, _ in try await store.setBlocked(userID, true) }
            print("user \(userID) disabled")
        }
    }

    struct Enable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Unblock a user.")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "User ID.") var user: String

        func run() async throws {
            let userID = try Code.required(self.user, field: "user", maximum: 50)
            try await withStore(self.database) { store, _ in try await store.setBlocked(userID, false) }
            print("user \(userID) enabled")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the users.")
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            try await withStore(self.database) { store, _ in
                for user in try await store.listUsers() {
                    let flags = user.blocked ? " (blocked)" : ""
                    print(
                        "\(user.userID)\t\(user.role.rawValue)\t\(user.fullName ?? "")\t\(user.salespersonCode ?? "")\(flags)"
                    )
                }
            }
        }
    }
}

/// Runs `body` with a store over a one-connection pool on the configured (or embedded) database.
private func withStore(_ database: DatabaseOptions, _ body: (Store, PasswordHasher) async throws -> Void) async throws {
    let logger = makeLogger()
    try await database.withDatabase(logger: logger) { configuration in
        _ = try await migrate(configuration, logger: logger)
        let pool = PGPool(configuration: .init(connection: configuration, size: 1), logger: logger)
        let hasher = PasswordHasher()
        do {
            try await body(Store(pool: pool, logger: logger), hasher)
        } catch {
            await pool.shutdown()
            await hasher.shutdown()
            throw error
        }
        await pool.shutdown()
        await hasher.shutdown()
    }
}

/// RAPPORT_NEW_PASSWORD, else a no-echo prompt on a terminal, else a generated password.
private func newPassword() throws -> (String, generated: Bool) {
    if let given = ProcessInfo.processInfo.environment["RAPPORT_NEW_PASSWORD"], !given.isEmpty {
        guard given.count >= 8 else { throw ValidationError("a password needs at least 8 characters") }
        return (given, false)
    }
    if isatty(STDIN_FILENO) == 1,
        let typed = getpass("New password (empty: generate one): ").map({ String(cString: $0) }), !typed.isEmpty
    {
        guard typed.count >= 8 else { throw ValidationError("a password needs at least 8 characters") }
        return (typed, false)
    }
    return (PasswordHasher.randomPassword(), true)
}
