import RapportProtocol
import RapportStore

/// SALESPERSON-ADD, -SET, -LIST, -DELETE.
enum SalespersonCommands {
    typealias A = MasterDataArguments

    static let fields: [ArgumentSpec] = [
        A.named("name", .text(maxLength: 50), "Name."),
        A.named("email", .text(maxLength: 80), "E-mail address (sender of deliveries)."),
        A.named("phone", .text(maxLength: 30), "Phone number."),
        A.named("blocked", .bool, "Blocked salespeople cannot be chosen for new interactions."),
    ]
    static let code = A.positional("code", .code(maxLength: 20), "Salesperson code.")

    static let specs: [CommandSpec] = [
        CommandSpec(
            name: "SALESPERSON-ADD",
            summary: "Create a salesperson.",
            arguments: [code] + fields,
            requiredRole: .manager,
            help: "Salesperson codes are upper-cased; the code must be new.",
            example: [
                "SALESPERSON-ADD ah name=\"Annette Hill\" email=ah@cronus.example idem=sp-1",
                "* code=AH name=\"Annette Hill\" email=ah@cronus.example blocked=false", "OK salesperson AH created",
            ]
        ).idempotent(),
        CommandSpec(
            name: "SALESPERSON-SET",
            summary: "Change a salesperson; absent fields stay, an empty text blanks it.",
            arguments: [code] + fields,
            requiredRole: .manager,
            help: "An empty name=, email= or phone= blanks that field.",
            example: [
                "SALESPERSON-SET AH phone=\"+44 20 7946 0000\" blocked=true",
                "* code=AH name=\"Annette Hill\" email=ah@cronus.example phone=\"+44 20 7946 0000\" blocked=true",
                "OK salesperson AH changed",
            ]
        ).idempotent(),
        CommandSpec(
            name: "SALESPERSON-LIST",
            summary: "List the salespeople.",
            arguments: Paging.arguments("salespeople"),
            requiredRole: .salesperson,
            help: "Every logged-in user may list them, blocked ones included.",
            example: [
                "SALESPERSON-LIST", "* code=AH name=\"Annette Hill\" email=ah@cronus.example blocked=false",
                "* code=JO name=\"Jim Olive\" blocked=false", "OK 2 salespeople",
            ]
        ),
        CommandSpec(
            name: "SALESPERSON-DELETE",
            summary: "Delete a salesperson nothing refers to (otherwise block it).",
            arguments: [code],
            requiredRole: .manager,
            help: "Refused (ERR CONFLICT) while users, contacts, campaigns, segments or log entries refer to it.",
            example: ["SALESPERSON-DELETE JO", "OK salesperson JO deleted"]
        ).idempotent(),
    ]

    static func make(_ context: ServerContext) -> [Command] {
        [
            MasterDataCommand.write(context, specs[0]) { invocation, _, connection in
                let input = try MasterDataInput(invocation)
                let salesperson = try SalespersonStore.add(
                    connection,
                    Salesperson(
                        code: input.arguments.code("code")!,
                        name: MasterDataInput.value(input.text("name")),
                        email: MasterDataInput.value(input.text("email")),
                        phoneNo: MasterDataInput.value(input.text("phone")),
                        blocked: input.bool("blocked") ?? false
                    )
                )
                return .ok("salesperson \(salesperson.code) created", [line(salesperson)])
            },
            MasterDataCommand.write(context, specs[1]) { invocation, _, connection in
                let input = try MasterDataInput(invocation)
                let salesperson = try SalespersonStore.update(
                    connection,
                    input.arguments.code("code")!,
                    SalespersonChanges(
                        name: input.text("name"),
                        email: input.text("email"),
                        phoneNo: input.text("phone"),
                        blocked: input.bool("blocked")
                    )
                )
                return .ok("salesperson \(salesperson.code) changed", [line(salesperson)])
            },
            MasterDataCommand.list(context, specs[2], keys: [.code(maxLength: 20)]) { _, _, connection, page in
                let rows = try SalespersonStore.list(connection, after: page.code(0), limit: page.fetch)
                return Paging.reply(
                    rows,
                    page,
                    noun: "salesperson",
                    plural: "salespeople",
                    key: { [$0.code] },
                    line: line
                )
            },
            MasterDataCommand.write(context, specs[3]) { invocation, _, connection in
                let code = invocation.arguments.code("code")!
                try SalespersonStore.delete(connection, code)
                return .ok("salesperson \(code) deleted")
            },
        ]
    }

    static func line(_ salesperson: Salesperson) -> DataLine {
        .named([
            "code": salesperson.code, "name": salesperson.name, "email": salesperson.email,
            "phone": salesperson.phoneNo, "blocked": String(salesperson.blocked),
        ])
    }
}
