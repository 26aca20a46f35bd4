import LibPQ
import RapportModel
import RapportProtocol
import RapportStore

/// INTERACTION-CREATE: the Create Interaction guide for one contact.
enum CreateInteractionCommands {
    static let create = Command(
        CommandSpec(
            name: "INTERACTION-CREATE",
            summary: "Log an interaction with one contact, or save it for later (postpone=true).",
            arguments: [
                InteractionArguments.createContact.spec, InteractionArguments.contactName.spec,
                InteractionArguments.createTemplate.spec,
            ]
                + InteractionArguments.guideInputs + [Self.newOpportunity.spec],
            requiredRole: .salesperson,
            help: """
                Defaults as in the guide: date today, time now rounded up to the minute, the template's group, \
                description, cost, duration, flow, initiated by, campaign and flags; correspondence type by \
                precedence (template that ignores the contact's preference, else the contact's, else the \
                template's); language: the contact's if the template has it, else the template default; \
                salesperson: yours, else the contact's. Anything given wins.
                Checks, in order: contact, template, salesperson, date, description; a template with wizard \
                action open, or correspondence type email, needs content (an attachment sent as the literal \
                {N} or the template language's) or a Word template. Postponing runs the same checks.
                A campaign gets its one shared campaign entry "Interactions". With deliver=true and a \
                correspondence type, the entry is queued for sending (delivery-status=in_progress).
                Salespeople may only log for their own salesperson code; managers for anyone.
                An opportunity= must be open and belong to the contact's company (and to the salesperson); \
                new-opportunity= creates one from the entry in the same transaction instead.
                """,
            example: [
                "INTERACTION-CREATE contact=CT000012 template=OUTGOING description=\"Follow-up call\" "
                    + "comment=\"asked for a quote\\ncall back in May\" idem=c-7781",
                InteractionReplies.exampleEntry(InteractionReplies.exampleValues),
                "OK interaction 1043 logged",
            ],
            results: InteractionReplies.entryColumns
        ).idempotent()
    ) { invocation, session in
        let arguments = invocation.arguments
        let contact = try await InteractionArguments.contact(invocation, number: InteractionArguments.createContact)
        var input = try InteractionArguments.request(
            arguments,
            contact: contact,
            template: arguments[InteractionArguments.createTemplate]
        )
        input.emailRelayMissing = invocation.context.emailRelayMissing
        let request = input
        let actor = session.actingUser
        let newOpportunity = arguments[Self.newOpportunity]
        return try await invocation.context.write(
            invocation,
            user: actor.userID,
            batched: true,
            reads: InteractionStore.createReads(request, actor: actor)
        ) { connection in
            var logged = try InteractionStore.create(connection, request, actor: actor)
            if let description = newOpportunity {
                let created = try OpportunityStore.createFromEntry(
                    connection,
                    entryNo: logged.entryNo,
                    description: description.isEmpty ? nil : description,
                    actor: actor
                )
                logged.entry.draft.opportunityNo = created.no
            }
            return Self.reply(logged)
        }
    }

    /// The guide's "create an opportunity?" question as an explicit argument.
    static let newOpportunity = OptionalArgument.named(
        "new-opportunity",
        .text(maxLength: 100),
        "Create an opportunity from the entry with this description (empty: the entry's); not with opportunity=."
    )

    static let all = [Self.create]

    /// `interaction N logged` / `interaction N postponed`, with the entry as LOG-SHOW prints it.
    static func reply(_ logged: LoggedInteraction) -> Response {
        .ok(
            "interaction \(logged.entryNo) \(logged.postponed ? "postponed" : "logged")",
            [InteractionReplies.entry(logged.entry)]
        )
    }
}
