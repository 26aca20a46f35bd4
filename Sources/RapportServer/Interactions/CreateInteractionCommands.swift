import RapportProtocol
import RapportStore

/// INTERACTION-CREATE: the Create Interaction guide for one contact (reference 3.3).
enum CreateInteractionCommands {
    static let specs: [CommandSpec] = [
        CommandSpec(
            name: "INTERACTION-CREATE",
            summary: "Log an interaction with one contact, or save it for later (postpone=true).",
            arguments: InteractionArguments.guideInputs,
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
                """,
            example: [
                "INTERACTION-CREATE contact=CT000012 template=OUTGOING description=\"Follow-up call\" "
                    + "comment=\"asked for a quote\\ncall back in May\" idem=c-7781",
                "* entry=1043 contact=CT000012 company=CT000010 date=2025-03-14 time=10:17:00 template=OUTGOING "
                    + "group=PHONE description=\"Follow-up call\" salesperson=AH cost=1.00 duration=15.00 "
                    + "postponed=false",
                "OK interaction 1043 logged",
            ]
        ).idempotent()
    ]

    static func make(_ context: ServerContext) -> [Command] {
        [
            Command(
                SessionCommands.spec("INTERACTION-CREATE"),
                reply: { invocation, session in
                    let request = try InteractionArguments.request(invocation.arguments)
                    let actor = session.actingUser
                    return try await context.write(invocation, user: actor.userID) { connection in
                        let logged = try InteractionStore.create(connection, request, actor: actor)
                        return .ok(Self.outcome(logged), [InteractionReplies.logged(logged)])
                    }
                }
            )
        ]
    }

    /// `interaction N logged` / `interaction N postponed`.
    static func outcome(_ logged: LoggedInteraction) -> String {
        "interaction \(logged.entryNo) \(logged.postponed ? "postponed" : "logged")"
    }
}
