import LibPQ
import RapportProtocol
import RapportStore

/// POSTPONED-LIST, POSTPONED-RESUME, POSTPONED-DELETE: interactions saved for later.
enum PostponedCommands {
    static let salesperson = OptionalArgument.named(
        "salesperson",
        .code(maxLength: 20),
        "Only this salesperson's (managers)."
    )
    static let user = OptionalArgument.named("user", .code(maxLength: 50), "Only those saved by this user.")
    static let contact = OptionalArgument.named("contact", .code(maxLength: 20), "Only this contact's.")

    static let list = Command(
        CommandSpec(
            name: "POSTPONED-LIST",
            summary: "List postponed interactions, newest first (yours; a manager's: anyone's).",
            arguments: [Self.salesperson.spec, Self.user.spec, Self.contact.spec] + InteractionArguments.pageArguments,
            requiredRole: .salesperson,
            example: [
                "POSTPONED-LIST",
                InteractionReplies.exampleEntry(
                    InteractionReplies.exampleLetter,
                    [
                        "entry": "1051", "date": "2025-03-14", "time": "11:02:00", "contact": "CT000012",
                        "contact-name": "\"Ann Lee\"", "postponed": "true",
                    ]
                ),
                "OK 1 entry",
            ],
            results: InteractionReplies.entryColumns
        ),
        list: { invocation, session in
            let arguments = invocation.arguments
            let filter = PostponedInteractionStore.Filter(
                salespersonCode: arguments[Self.salesperson],
                userID: arguments[Self.user],
                contactNo: arguments[Self.contact]
            )
            let (limit, cursor) = try InteractionArguments.logPage(arguments)
            let actor = session.actingUser
            let page = try await invocation.context.store.pool.withConnection { connection in
                try PostponedInteractionStore.list(connection, filter, after: cursor, limit: limit, actor: actor)
            }
            return InteractionReplies.pageReply(page)
        }
    )

    static let resumedEntry = InteractionArguments.entry("The postponed entry.")
    static let removeAttachment = OptionalArgument.named(
        "remove-attachment",
        .bool,
        "Drop the entry's attachment (an uploaded {N} replaces it instead); default false."
    )

    static let resume = Command(
        CommandSpec(
            name: "POSTPONED-RESUME",
            summary: "Complete a postponed interaction (the same entry), or postpone it again with postpone=true.",
            arguments: [
                Self.resumedEntry.spec, InteractionArguments.resumeContact.spec,
                InteractionArguments.contactName.spec, InteractionArguments.resumeTemplate.spec,
            ] + InteractionArguments.guideInputs + [Self.removeAttachment.spec],
            requiredRole: .salesperson,
            help: """
                The entry keeps its number and fields; it is re-dated to today unless date= is given, gets your \
                user ID, and runs the checks of INTERACTION-CREATE. Arguments change fields as in \
                INTERACTION-CREATE; a changed template copies its defaults again. comment= replaces the comment \
                lines (comment= with an empty value removes them); without it they are kept.
                """,
            example: [
                "POSTPONED-RESUME 1051 evaluation=positive idem=r-1051",
                InteractionReplies.exampleEntry(
                    InteractionReplies.exampleLetter,
                    [
                        "entry": "1051", "date": "2025-03-15", "time": "11:02:00", "contact": "CT000012",
                        "contact-name": "\"Ann Lee\"", "evaluation": "positive",
                    ]
                ),
                "OK interaction 1051 logged",
            ],
            results: InteractionReplies.entryColumns
        ).idempotent()
    ) { invocation, session in
        let arguments = invocation.arguments
        let entryNo = Int64(arguments[Self.resumedEntry])
        let contact = try await InteractionArguments.optionalContact(
            invocation,
            number: InteractionArguments.resumeContact
        )
        var request = try InteractionArguments.request(
            arguments,
            contact: contact,
            template: arguments[InteractionArguments.resumeTemplate]
        )
        request.removeAttachment = arguments[Self.removeAttachment] ?? false
        request.emailRelayMissing = invocation.context.emailRelayMissing
        let finalRequest = request
        let actor = session.actingUser
        return try await invocation.context.write(invocation, user: actor.userID, batched: true) { connection in
            let logged = try InteractionStore.resume(connection, entryNo: entryNo, finalRequest, actor: actor)
            return CreateInteractionCommands.reply(logged)
        }
    }

    static let delete = Command(
        CommandSpec(
            name: "POSTPONED-DELETE",
            summary: "Delete postponed interactions with their comments and attachments.",
            arguments: [InteractionArguments.entries.spec],
            requiredRole: .salesperson,
            example: ["POSTPONED-DELETE entries=1051,1052 idem=d-88", "OK 2 entries deleted"]
        ).idempotent()
    ) { invocation, session in
        let entries = try InteractionArguments.entries(invocation.arguments[InteractionArguments.entries])
        let actor = session.actingUser
        return try await invocation.context.write(invocation, user: actor.userID, batched: true) { connection in
            let deleted = try PostponedInteractionStore.delete(connection, entries, actor: actor)
            return .ok("\(InteractionReplies.entries(deleted)) deleted")
        }
    }

    static let all = [Self.list, Self.resume, Self.delete]
}
