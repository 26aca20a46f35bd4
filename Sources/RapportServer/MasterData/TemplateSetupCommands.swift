import RapportModel
import RapportProtocol
import RapportStore

/// SETUP-SET, SETUP-LIST: the interaction template setup (which template each event logs).
enum TemplateSetupCommands {
    static let event = RequiredArgument.named("event", .oneOf(TemplateSetupEvent.self), "The event.")
    static let template = ChangeArgument.named(
        "template",
        .code(maxLength: 10),
        "Template logged for the event; omitted, the event is not logged."
    )

    static let columns = [ResultColumn("event", .enumeration), ResultColumn("template", .code)]

    static let set = MasterDataCommand.write(
        CommandSpec(
            name: "SETUP-SET",
            summary: "Choose the template logged for an event, or none.",
            arguments: [event.spec, template.spec],
            requiredRole: .manager,
            help: """
                The template must exist and have no attachment, except for meeting_invitation; a template for a \
                document event must have no language rows.
                """,
            example: ["SETUP-SET event=sales_invoice template=s_inv", "OK sales_invoice logs template S_INV"]
        ).idempotent()
    ) { invocation, _, connection in
        let event = invocation.arguments[Self.event]
        let template = invocation.arguments[Self.template].value
        try TemplateSetupStore.set(connection, event: event, template: template)
        return .ok(template.map { "\(event.rawValue) logs template \($0)" } ?? "\(event.rawValue) is not logged")
    }

    static let list = MasterDataCommand.list(
        CommandSpec(
            name: "SETUP-LIST",
            summary: "List every event of the interaction template setup with its template (blank: not logged).",
            arguments: Paging.arguments("events"),
            requiredRole: .salesperson,
            help:
                "Events in a fixed order: the document types, then email, email_draft, outgoing_call, "
                + "meeting_invitation.",
            example: [
                "SETUP-LIST", "* event=sales_quote template=S_QUOTE", "* event=sales_blanket_order template=", "…",
                "* event=meeting_invitation template=MEETINV", "OK 30 events total=30",
            ],
            results: columns
        ),
        keys: [.oneOf(TemplateSetupEvent.allCases.map(\.rawValue))]
    ) { _, _, connection, page in
        // A fixed list of events: the page is cut from it after the cursor's event.
        var setup = try TemplateSetupStore.list(connection)
        let total = setup.count
        if let after = page.code(0), let index = setup.firstIndex(where: { $0.event.rawValue == after }) {
            setup.removeFirst(index + 1)
        }
        return Paging.reply(
            Array(setup.prefix(page.fetch)),
            page,
            noun: "event",
            total: total,
            key: { [$0.event.rawValue] },
            line: { DataLine.shaped(columns, ["event": $0.event.rawValue, "template": $0.template]) }
        )
    }

    static let all = [set, list]
    static var specs: [CommandSpec] { all.map(\.spec) }
    static func make(_ context: ServerContext) -> [Command] { all }
}

extension TemplateSetupEvent: RawRepresentable, CaseIterable {}
