import RapportProtocol

/// Every command of the protocol, declared once: arguments, required role, help and example.
/// `HELP` is generated from this table, and a test checks that `docs/PROTOCOL.md` shows it.
enum CommandSpecs {
    static let all: [CommandSpec] =
        session + users + MasterDataCommands.specs + InteractionCommands.specs + SegmentCommands.specs

    static let session: [CommandSpec] = [
        CommandSpec(
            name: "LOGIN",
            summary: "Start an authenticated session.",
            arguments: [
                ArgumentSpec(
                    "user",
                    kind: .positional,
                    required: true,
                    valueType: .code(maxLength: 50),
                    help: "User ID (case-insensitive)."
                ),
                ArgumentSpec(
                    "secret",
                    kind: .positional,
                    required: true,
                    valueType: .text(maxLength: 1024),
                    help: "The user's password."
                ),
            ],
            requiredRole: .anyone,
            help: "Repeated failures from one address or for one user are answered more and more slowly.",
            example: ["LOGIN alice \"correct horse\"", "OK welcome ALICE role=manager"]
        ),
        CommandSpec(
            name: "LOGOUT",
            summary: "End the authenticated session; the connection stays open.",
            requiredRole: .salesperson,
            example: ["LOGOUT", "OK logged out"]
        ),
        CommandSpec(
            name: "WHOAMI",
            summary: "Show the logged-in user.",
            requiredRole: .salesperson,
            example: ["WHOAMI", "* user=ALICE role=manager salesperson=AH client=127.0.0.1:51234", "OK"]
        ),
        CommandSpec(
            name: "PASSWORD",
            summary: "Change your own password.",
            arguments: [
                ArgumentSpec(
                    "current",
                    kind: .positional,
                    required: true,
                    valueType: .text(maxLength: 1024),
                    help: "Your current password."
                ),
                ArgumentSpec(
                    "new",
                    kind: .positional,
                    required: true,
                    valueType: .text(maxLength: 1024),
                    help: "The new password, at least 8 characters."
                ),
            ],
            requiredRole: .salesperson,
            example: ["PASSWORD \"old secret\" \"new longer secret\"", "OK password changed"]
        ),
        CommandSpec(
            name: "PING",
            summary: "Check that the server answers.",
            requiredRole: .anyone,
            example: ["PING", "OK PONG"]
        ),
        CommandSpec(
            name: "HEALTH",
            summary: "Readiness for load balancers: OK ready, or ERR SHUTTING_DOWN while draining.",
            requiredRole: .anyone,
            help:
                "The data line says whether the database answers; the final line only reflects draining, so a database outage does not take every replica out of the balancer.",
            example: ["HEALTH", "* status=ready database=up", "OK ready"],
            results: [ResultColumn("status", .enumeration), ResultColumn("database", .enumeration)]
        ),
        CommandSpec(
            name: "HELP",
            summary: "List the commands, or describe one.",
            arguments: [
                ArgumentSpec("command", kind: .positional, valueType: .text(maxLength: 64), help: "A command name.")
            ],
            requiredRole: .anyone,
            example: [
                "HELP PING", "* usage \"PING\"", "* summary \"Check that the server answers.\"", "* role anyone",
                "* example \"PING\"", "* example \"OK PONG\"", "OK",
            ]
        ),
        CommandSpec(
            name: "QUIT",
            summary: "Close the connection.",
            requiredRole: .anyone,
            example: ["QUIT", "BYE"]
        ),
    ]

    static let users: [CommandSpec] = [
        CommandSpec(
            name: "USER-ADD",
            summary: "Create a user.",
            arguments: [
                ArgumentSpec(
                    "user",
                    kind: .positional,
                    required: true,
                    valueType: .code(maxLength: 50),
                    help: "User ID."
                ),
                ArgumentSpec(
                    "role",
                    kind: .named,
                    required: true,
                    valueType: .enumeration(["salesperson", "manager", "administrator"]),
                    help: "What the user may do."
                ),
                ArgumentSpec("full-name", kind: .named, valueType: .text(maxLength: 80), help: "Full name."),
                ArgumentSpec("email", kind: .named, valueType: .text(maxLength: 250), help: "E-mail address."),
                ArgumentSpec(
                    "salesperson",
                    kind: .named,
                    valueType: .code(maxLength: 20),
                    help: "The user's own salesperson code."
                ),
                ArgumentSpec(
                    "password",
                    kind: .named,
                    valueType: .text(maxLength: 1024),
                    help: "Initial password (at least 8 characters); omitted, one is generated and shown once."
                ),
            ],
            requiredRole: .administrator,
            example: [
                "USER-ADD bob role=salesperson full-name=\"Bob Baker\" idem=7f3e",
                "* user=BOB password=h7Qk2mWzR4pXv9TnE3sY", "OK user BOB created",
            ]
        ).idempotent(),
        CommandSpec(
            name: "USER-LIST",
            summary: "List the users.",
            arguments: Paging.arguments("users"),
            requiredRole: .administrator,
            example: [
                "USER-LIST", "* user=ALICE role=administrator full-name=\"Alice Hart\" blocked=false failed-logins=0",
                "OK 1 user",
            ]
        ),
        CommandSpec(
            name: "USER-PASSWD",
            summary: "Set a user's password.",
            arguments: [
                ArgumentSpec(
                    "user",
                    kind: .positional,
                    required: true,
                    valueType: .code(maxLength: 50),
                    help: "User ID."
                ),
                ArgumentSpec(
                    "password",
                    kind: .named,
                    valueType: .text(maxLength: 1024),
                    help: "New password (at least 8 characters); omitted, one is generated and shown once."
                ),
            ],
            requiredRole: .administrator,
            example: ["USER-PASSWD bob", "* user=BOB password=Vq3nX8cLr2WmZ7kTd5Hy", "OK password set"]
        ),
        CommandSpec(
            name: "USER-DISABLE",
            summary: "Block a user: LOGIN is refused from now on.",
            arguments: [
                ArgumentSpec(
                    "user",
                    kind: .positional,
                    required: true,
                    valueType: .code(maxLength: 50),
                    help: "User ID."
                )
            ],
            requiredRole: .administrator,
            example: ["USER-DISABLE bob", "OK user BOB disabled"]
        ),
        CommandSpec(
            name: "USER-ENABLE",
            summary: "Unblock a user.",
            arguments: [
                ArgumentSpec(
                    "user",
                    kind: .positional,
                    required: true,
                    valueType: .code(maxLength: 50),
                    help: "User ID."
                )
            ],
            requiredRole: .administrator,
            example: ["USER-ENABLE bob", "OK user BOB enabled"]
        ),
    ]
}
