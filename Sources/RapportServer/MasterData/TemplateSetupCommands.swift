import RapportModel
import RapportProtocol
import RapportStore

/// SETUP-SET, SETUP-LIST: the interaction template setup (which template each event logs).
enum TemplateSetupCommands {
    typealias A = MasterDataArguments

    static let specs: [CommandSpec] = [
        CommandSpec(
            name: "SETUP-SET",
            summary: "Choose the template logged for an event, or none.",
            arguments: [
                A.named(
                    "event",
                    .enumeration(TemplateSetupEvent.allCases.map(\.rawValue)),
                    "The event.",
                    required: true
                ),
                A.named(
                    "template",
                    .text(maxLength: 10),
                    "Template code; empty: the event is not logged.",
                    required: true
                ),
            ],
            requiredRole: .manager,
            help: """
                The template must exist and have no attachment, except for meeting_invitation; a template for a \
                document event must have no language rows (reference 3.1 R7).
                """,
            example: ["SETUP-SET event=sales_invoice template=s_inv", "OK sales_invoice logs template S_INV"]
        ).idempotent(),
        CommandSpec(
            name: "SETUP-LIST",
            summary: "List every event of the interaction template setup with its template (blank: not logged).",
            arguments: Paging.arguments("events"),
            requiredRole: .salesperson,
            help:
                "Events in the order of the reference: the document types, then email, email_draft, "
                + "outgoing_call, meeting_invitation.",
            example: [
                "SETUP-LIST", "* event=sales_quote template=S_QUOTE", "* event=sales_blanket_order", "…",
                "* event=meeting_invitation template=MEETINV", "OK 30 events",
            ]
        ),
    ]

    static func make(_ context: ServerContext) -> [Command] {
        [
            MasterDataCommand.write(context, specs[0]) { invocation, _, connection in
                let event = TemplateSetupEvent(rawValue: invocation.arguments.enumeration("event")!)!
                let raw = invocation.arguments.text("template")!
                let template = Code.normalize(raw)
                if let template, template.unicodeScalars.count > 10 {
                    throw CommandError(.badArguments, "argument template must be a code of 1 to 10 characters")
                }
                try TemplateSetupStore.set(connection, event: event, template: template)
                return .ok(
                    template.map { "\(event.rawValue) logs template \($0)" } ?? "\(event.rawValue) is not logged"
                )
            },
            MasterDataCommand.list(context, specs[1], keys: [.oneOf(TemplateSetupEvent.allCases.map(\.rawValue))]) {
                _,
                _,
                connection,
                page in
                // A fixed list of events in the reference's order: the page is cut from it after the cursor's event.
                var setup = try TemplateSetupStore.list(connection)
                if let after = page.code(0), let index = setup.firstIndex(where: { $0.event.rawValue == after }) {
                    setup.removeFirst(index + 1)
                }
                return Paging.reply(
                    Array(setup.prefix(page.fetch)),
                    page,
                    noun: "event",
                    key: { [$0.event.rawValue] },
                    line: { DataLine.named(["event": $0.event.rawValue, "template": $0.template]) }
                )
            },
        ]
    }
}
