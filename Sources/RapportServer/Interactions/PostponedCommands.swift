import LibPQ
import RapportProtocol
import RapportStore

/// POSTPONED-LIST, POSTPONED-RESUME, POSTPONED-DELETE: interactions saved for later (reference 3.4).
enum PostponedCommands {
    static let specs: [CommandSpec] = [
        CommandSpec(
            name: "POSTPONED-LIST",
            summary: "List postponed interactions, newest first (yours; a manager's: anyone's).",
            arguments: [
                ArgumentSpec(
                    "salesperson",
                    kind: .named,
                    valueType: .code(maxLength: 20),
                    help: "Only this salesperson's (managers)."
                ),
                ArgumentSpec(
                    "user",
                    kind: .named,
                    valueType: .code(maxLength: 50),
                    help: "Only those saved by this user."
                ),
                ArgumentSpec("contact", kind: .named, valueType: .code(maxLength: 20), help: "Only this contact's."),
            ] + InteractionArguments.pageArguments,
            requiredRole: .salesperson,
            example: [
                "POSTPONED-LIST",
                "* entry=1051 date=2025-03-14 time=11:02:00 contact=CT000012 contact-name=\"Ann Lee\" company=CT000010 "
                    + "company-name=\"Lee & Co\" template=BUSLETTER group=LETTER description=\"Price list\" "
                    + "salesperson=AH cost=8.00 duration=30.00 canceled=false attempt-failed=false "
                    + "correspondence-type=hard_copy comment=false postponed=true",
                "OK 1 entry",
            ]
        ),
        CommandSpec(
            name: "POSTPONED-RESUME",
            summary: "Complete a postponed interaction (the same entry), or postpone it again with postpone=true.",
            arguments: [InteractionArguments.entryArgument("The postponed entry.")] + InteractionArguments.guideInputs
                + [
                    ArgumentSpec(
                        "remove-attachment",
                        kind: .named,
                        valueType: .bool,
                        help: "Drop the entry's attachment (an uploaded {N} replaces it instead)."
                    )
                ],
            requiredRole: .salesperson,
            help: """
                The entry keeps its number and fields; it is re-dated to today unless date= is given, gets your \
                user ID, and runs the checks of INTERACTION-CREATE. Arguments change fields as in \
                INTERACTION-CREATE; a changed template copies its defaults again. comment= replaces the comment \
                lines (comment= with an empty value removes them); without it they are kept.
                """,
            example: [
                "POSTPONED-RESUME 1051 evaluation=positive idem=r-1051",
                "* entry=1051 contact=CT000012 company=CT000010 date=2025-03-15 time=11:02:00 template=BUSLETTER "
                    + "group=LETTER description=\"Price list\" salesperson=AH correspondence-type=hard_copy "
                    + "cost=8.00 duration=30.00 postponed=false",
                "OK interaction 1051 logged",
            ]
        ).idempotent(),
        CommandSpec(
            name: "POSTPONED-DELETE",
            summary: "Delete postponed interactions with their comments and attachments.",
            arguments: [InteractionArguments.entriesArgument("Entry numbers, comma-separated.")],
            requiredRole: .salesperson,
            example: ["POSTPONED-DELETE 1051,1052 idem=d-88", "OK 2 entries deleted"]
        ).idempotent(),
    ]

    static func make(_ context: ServerContext) -> [Command] {
        [
            Command(
                SessionCommands.spec("POSTPONED-LIST"),
                list: { invocation, session in
                    let arguments = invocation.arguments
                    let filter = PostponedInteractionStore.Filter(
                        salespersonCode: arguments.code("salesperson"),
                        userID: arguments.code("user"),
                        contactNo: arguments.code("contact")
                    )
                    let (limit, cursor) = try InteractionArguments.logPage(arguments)
                    let actor = session.actingUser
                    let page = try await context.store.pool.withConnection { connection in
                        try PostponedInteractionStore.list(
                            connection,
                            filter,
                            after: cursor,
                            limit: limit,
                            actor: actor
                        )
                    }
                    return InteractionReplies.pageReply(page)
                }
            ),
            Command(
                SessionCommands.spec("POSTPONED-RESUME"),
                reply: { invocation, session in
                    let entryNo = Int64(invocation.arguments.integer("entry")!)
                    var request = try InteractionArguments.request(invocation.arguments)
                    request.removeAttachment = invocation.arguments.bool("remove-attachment") ?? false
                    let finalRequest = request
                    let actor = session.actingUser
                    return try await context.write(invocation, user: actor.userID) { connection in
                        let logged = try InteractionStore.resume(
                            connection,
                            entryNo: entryNo,
                            finalRequest,
                            actor: actor
                        )
                        return .ok(CreateInteractionCommands.outcome(logged), [InteractionReplies.logged(logged)])
                    }
                }
            ),
            Command(
                SessionCommands.spec("POSTPONED-DELETE"),
                reply: { invocation, session in
                    let entries = try InteractionArguments.entries(invocation.arguments)
                    let actor = session.actingUser
                    return try await context.write(invocation, user: actor.userID) { connection in
                        let deleted = try PostponedInteractionStore.delete(connection, entries, actor: actor)
                        return .ok("\(InteractionReplies.entries(deleted)) deleted")
                    }
                }
            ),
        ]
    }
}
