import RapportProtocol
import RapportStore

/// SALESPERSON-ADD, -SET, -LIST, -DELETE.
enum SalespersonCommands {
    static let salesperson = RequiredArgument.positional("salesperson", .code(maxLength: 20), "Salesperson code.")
    static let name = ChangeArgument.named("name", .text(maxLength: 50), "Name.")
    static let email = ChangeArgument.named("email", .text(maxLength: 80), "E-mail address (sender of deliveries).")
    static let phone = ChangeArgument.named("phone", .text(maxLength: 30), "Phone number.")
    static let blocked = OptionalArgument.named(
        "blocked",
        .bool,
        "Blocked salespeople cannot be chosen for new interactions (new ones: false)."
    )
    static let fields = [name.spec, email.spec, phone.spec, blocked.spec]

    static let columns = [
        ResultColumn("salesperson", .code), ResultColumn("name", .text), ResultColumn("email", .text),
        ResultColumn("phone", .text), ResultColumn("blocked", .bool),
    ]

    static let add = MasterDataCommand.write(
        CommandSpec(
            name: "SALESPERSON-ADD",
            summary: "Create a salesperson.",
            arguments: [salesperson.spec] + fields,
            requiredRole: .manager,
            help: "Salesperson codes are upper-cased; the code must be new.",
            example: [
                "SALESPERSON-ADD ah name=\"Annette Hill\" email=ah@cronus.example idem=sp-1",
                "* salesperson=AH name=\"Annette Hill\" email=ah@cronus.example phone= blocked=false",
                "OK salesperson AH created",
            ],
            results: columns
        ).idempotent()
    ) { invocation, _, connection in
        let arguments = invocation.arguments
        let salesperson = try SalespersonStore.add(
            connection,
            Salesperson(
                code: arguments[Self.salesperson],
                name: arguments[Self.name].value,
                email: arguments[Self.email].value,
                phoneNo: arguments[Self.phone].value,
                blocked: arguments[Self.blocked] ?? false
            )
        )
        return .ok("salesperson \(salesperson.code) created", [line(salesperson)])
    }

    static let set = MasterDataCommand.write(
        CommandSpec(
            name: "SALESPERSON-SET",
            summary: "Change a salesperson; absent fields stay, an empty value blanks one.",
            arguments: [salesperson.spec] + fields,
            requiredRole: .manager,
            help: "An empty name=, email= or phone= blanks that field.",
            example: [
                "SALESPERSON-SET AH phone=\"+44 20 7946 0000\" blocked=true",
                "* salesperson=AH name=\"Annette Hill\" email=ah@cronus.example phone=\"+44 20 7946 0000\" blocked=true",
                "OK salesperson AH changed",
            ],
            results: columns
        ).idempotent()
    ) { invocation, _, connection in
        let arguments = invocation.arguments
        let salesperson = try SalespersonStore.update(
            connection,
            arguments[Self.salesperson],
            SalespersonChanges(
                name: arguments[Self.name].update,
                email: arguments[Self.email].update,
                phoneNo: arguments[Self.phone].update,
                blocked: arguments[Self.blocked]
            )
        )
        return .ok("salesperson \(salesperson.code) changed", [line(salesperson)])
    }

    static let list = MasterDataCommand.list(
        CommandSpec(
            name: "SALESPERSON-LIST",
            summary: "List the salespeople.",
            arguments: Paging.arguments("salespeople"),
            requiredRole: .salesperson,
            help: "Every logged-in user may list them, blocked ones included.",
            example: [
                "SALESPERSON-LIST",
                "* salesperson=AH name=\"Annette Hill\" email=ah@cronus.example phone= blocked=false",
                "* salesperson=JO name=\"Jim Olive\" email= phone= blocked=false", "OK 2 salespeople total=2",
            ],
            results: columns
        ),
        keys: [.code(maxLength: 20)]
    ) { _, _, connection, page in
        let rows = try SalespersonStore.list(connection, after: page.code(0), limit: page.fetch)
        let total = try SalespersonStore.count(connection)
        return Paging.reply(
            rows,
            page,
            noun: "salesperson",
            plural: "salespeople",
            total: total,
            key: { [$0.code] },
            line: line
        )
    }

    static let delete = MasterDataCommand.write(
        CommandSpec(
            name: "SALESPERSON-DELETE",
            summary: "Delete a salesperson nothing refers to (otherwise block it).",
            arguments: [salesperson.spec],
            requiredRole: .manager,
            help: "Refused (ERR CONFLICT) while users, contacts, campaigns, segments or log entries refer to it.",
            example: ["SALESPERSON-DELETE JO", "OK salesperson JO deleted"]
        ).idempotent()
    ) { invocation, _, connection in
        let code = invocation.arguments[Self.salesperson]
        try SalespersonStore.delete(connection, code)
        return .ok("salesperson \(code) deleted")
    }

    static let all = [add, set, list, delete]
    static var specs: [CommandSpec] { all.map(\.spec) }
    static func make(_ context: ServerContext) -> [Command] { all }

    static func line(_ salesperson: Salesperson) -> DataLine {
        .shaped(
            columns,
            [
                "salesperson": salesperson.code, "name": salesperson.name, "email": salesperson.email,
                "phone": salesperson.phoneNo, "blocked": String(salesperson.blocked),
            ]
        )
    }
}
