import RapportProtocol
import RapportStore

/// GROUP-ADD, -SET, -LIST, -DELETE: interaction groups.
enum GroupCommands {
    typealias A = MasterDataArguments

    static let code = A.positional("code", .code(maxLength: 10), "Interaction group code, e.g. LETTER.")
    static let description = A.named("description", .text(maxLength: 100), "Description.")

    static let specs: [CommandSpec] = [
        CommandSpec(
            name: "GROUP-ADD",
            summary: "Create an interaction group.",
            arguments: [code, description],
            requiredRole: .manager,
            help: "Group codes are upper-cased; the code must be new.",
            example: [
                "GROUP-ADD letter description=Letters", "* code=LETTER description=Letters", "OK group LETTER created",
            ]
        ).idempotent(),
        CommandSpec(
            name: "GROUP-SET",
            summary: "Change an interaction group's description (empty blanks it).",
            arguments: [code, description],
            requiredRole: .manager,
            help: "description= is required; an empty value blanks it.",
            example: [
                "GROUP-SET LETTER description=\"Letters and cards\"", "* code=LETTER description=\"Letters and cards\"",
                "OK group LETTER changed",
            ]
        ).idempotent(),
        CommandSpec(
            name: "GROUP-LIST",
            summary: "List the interaction groups.",
            arguments: Paging.arguments("groups"),
            requiredRole: .salesperson,
            help: "Statistics per group are served by the statistics command.",
            example: [
                "GROUP-LIST", "* code=LETTER description=Letters", "* code=PHONE description=\"Phone calls\"",
                "OK 2 groups",
            ]
        ),
        CommandSpec(
            name: "GROUP-DELETE",
            summary: "Delete an interaction group that no template, segment or log entry uses.",
            arguments: [code],
            requiredRole: .manager,
            help: "Unlike the reference, a group in use is not deleted (docs/DECISIONS.md).",
            example: [
                "GROUP-DELETE PHONE",
                "ERR CONFLICT Interaction Group PHONE cannot be deleted because interaction templates, segments or "
                    + "interaction log entries use it",
            ]
        ).idempotent(),
    ]

    static func make(_ context: ServerContext) -> [Command] {
        [
            MasterDataCommand.write(context, specs[0]) { invocation, _, connection in
                let input = try MasterDataInput(invocation)
                let group = try InteractionGroupStore.add(
                    connection,
                    InteractionGroup(
                        code: input.arguments.code("code")!,
                        description: MasterDataInput.value(input.text("description"))
                    )
                )
                return .ok("group \(group.code) created", [line(group)])
            },
            MasterDataCommand.write(context, specs[1]) { invocation, _, connection in
                let input = try MasterDataInput(invocation)
                let code = input.arguments.code("code")!
                guard let description = input.text("description") else {
                    throw CommandError(.badArguments, "missing argument description")
                }
                let group = try InteractionGroupStore.update(connection, code, description: description)
                return .ok("group \(group.code) changed", [line(group)])
            },
            MasterDataCommand.list(context, specs[2], keys: [.code(maxLength: 10)]) { _, _, connection, page in
                let rows = try InteractionGroupStore.list(connection, after: page.code(0), limit: page.fetch)
                return Paging.reply(rows, page, noun: "group", key: { [$0.code] }, line: line)
            },
            MasterDataCommand.write(context, specs[3]) { invocation, _, connection in
                let code = invocation.arguments.code("code")!
                try InteractionGroupStore.delete(connection, code)
                return .ok("group \(code) deleted")
            },
        ]
    }

    static func line(_ group: InteractionGroup) -> DataLine {
        .named(["code": group.code, "description": group.description])
    }
}
