import RapportProtocol
import RapportStore

/// GROUP-ADD, -SET, -LIST, -DELETE: interaction groups.
enum GroupCommands {
    static let group = RequiredArgument.positional(
        "group",
        .code(maxLength: 10),
        "Interaction group code, e.g. LETTER."
    )
    static let description = ChangeArgument.named("description", .text(maxLength: 100), "Description.")
    /// GROUP-SET changes nothing else, so the description is what it is for.
    static let newDescription = RequiredArgument.named(
        "description",
        .text(maxLength: 100),
        "New description; an empty value blanks it."
    )

    static let columns = [ResultColumn("group", .code), ResultColumn("description", .text)]

    static let add = MasterDataCommand.write(
        CommandSpec(
            name: "GROUP-ADD",
            summary: "Create an interaction group.",
            arguments: [group.spec, description.spec],
            requiredRole: .manager,
            help: "Group codes are upper-cased; the code must be new.",
            example: [
                "GROUP-ADD letter description=Letters", "* group=LETTER description=Letters", "OK group LETTER created",
            ],
            results: columns
        ).idempotent()
    ) { invocation, _, connection in
        let arguments = invocation.arguments
        let group = try InteractionGroupStore.add(
            connection,
            InteractionGroup(code: arguments[Self.group], description: arguments[Self.description].value)
        )
        return .ok("group \(group.code) created", [line(group)])
    }

    static let set = MasterDataCommand.write(
        CommandSpec(
            name: "GROUP-SET",
            summary: "Change an interaction group's description.",
            arguments: [group.spec, newDescription.spec],
            requiredRole: .manager,
            help: "The description is the only field of a group; description= is required.",
            example: [
                "GROUP-SET LETTER description=\"Letters and cards\"",
                "* group=LETTER description=\"Letters and cards\"",
                "OK group LETTER changed",
            ],
            results: columns
        ).idempotent()
    ) { invocation, _, connection in
        let description = invocation.arguments[Self.newDescription]
        let group = try InteractionGroupStore.update(
            connection,
            invocation.arguments[Self.group],
            description: description.isEmpty ? nil : description
        )
        return .ok("group \(group.code) changed", [line(group)])
    }

    static let list = MasterDataCommand.list(
        CommandSpec(
            name: "GROUP-LIST",
            summary: "List the interaction groups.",
            arguments: Paging.arguments("groups"),
            requiredRole: .salesperson,
            help: "Statistics per group are served by the statistics command.",
            example: [
                "GROUP-LIST", "* group=LETTER description=Letters", "* group=PHONE description=\"Phone calls\"",
                "OK 2 groups total=2",
            ],
            results: columns
        ),
        keys: [.code(maxLength: 10)]
    ) { _, _, connection, page in
        let rows = try InteractionGroupStore.list(connection, after: page.code(0), limit: page.fetch)
        let total = try InteractionGroupStore.count(connection)
        return Paging.reply(rows, page, noun: "group", total: total, key: { [$0.code] }, line: line)
    }

    static let delete = MasterDataCommand.write(
        CommandSpec(
            name: "GROUP-DELETE",
            summary: "Delete an interaction group that no template, segment or log entry uses.",
            arguments: [group.spec],
            requiredRole: .manager,
            help: "A group in use is not deleted: delete or move what uses it first.",
            example: [
                "GROUP-DELETE PHONE",
                "ERR CONFLICT Interaction Group PHONE cannot be deleted because interaction templates, segments or "
                    + "interaction log entries use it",
            ]
        ).idempotent()
    ) { invocation, _, connection in
        let code = invocation.arguments[Self.group]
        try InteractionGroupStore.delete(connection, code)
        return .ok("group \(code) deleted")
    }

    static let all = [add, set, list, delete]
    static var specs: [CommandSpec] { all.map(\.spec) }
    static func make(_ context: ServerContext) -> [Command] { all }

    static func line(_ group: InteractionGroup) -> DataLine {
        .shaped(columns, ["group": group.code, "description": group.description])
    }
}
