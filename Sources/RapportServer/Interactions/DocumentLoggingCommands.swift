import LibPQ
import RapportModel
import RapportProtocol
import RapportStore

/// DOCUMENT-LOG: automatic document logging, called by an ERP.
enum DocumentLoggingCommands {
    static let documentType = RequiredArgument.named(
        "document-type",
        .oneOf(DocumentType.self),
        "The document type; its template comes from the interaction template setup."
    )
    static let documentNo = OptionalArgument.named("document-no", .code(maxLength: 20), "Document No.")
    static let occurrence = OptionalArgument.named(
        "occurrence",
        .integer(0...Int(Int32.max)),
        "Doc. No. Occurrence; default 0 (none)."
    )
    static let version = OptionalArgument.named(
        "version",
        .integer(0...Int(Int32.max)),
        "Archived version No.; default 0 (none)."
    )
    static let contact = OptionalArgument.named("contact", .code(maxLength: 20), "The contact's No.")
    static let customer = OptionalArgument.named(
        "customer",
        .code(maxLength: 20),
        "Or a customer No., resolved through the contact business relations."
    )
    static let vendor = OptionalArgument.named(
        "vendor",
        .code(maxLength: 20),
        "Or a vendor No., resolved through the contact business relations."
    )
    static let salesperson = OptionalArgument.named(
        "salesperson",
        .code(maxLength: 20),
        "Salesperson/purchaser; may be left out (for a contact: the contact's)."
    )
    static let campaign = OptionalArgument.named(
        "campaign",
        .code(maxLength: 20),
        "Campaign No.; default: the template's."
    )
    static let description = OptionalArgument.named(
        "description",
        .text(maxLength: 100),
        "The document's posting description; default: the template's."
    )
    static let opportunity = OptionalArgument.named("opportunity", .code(maxLength: 20), "Opportunity No.")
    static let order = OptionalArgument.named(
        "order",
        .code(maxLength: 20),
        "For a posted sales invoice: the order it was made from; a campaign logs one entry per order."
    )

    static let log = Command(
        CommandSpec(
            name: "DOCUMENT-LOG",
            summary: "Log that a document was printed, sent or created (for an ERP).",
            arguments: [
                Self.documentType.spec, Self.documentNo.spec, Self.occurrence.spec, Self.version.spec,
                Self.contact.spec, InteractionArguments.contactName.spec, Self.customer.spec, Self.vendor.spec,
                Self.salesperson.spec, Self.campaign.spec,
                Self.description.spec, Self.opportunity.spec, Self.order.spec,
            ],
            requiredRole: .manager,
            help: """
                Give exactly one of contact=, contact-name=, customer=, vendor=. When the setup has no template for the \
                document type, or no contact is found for the account, nothing is logged and the reply is \
                OK nothing logged: <reason>. A template with language rows is refused. Date: today; no \
                delivery; the campaign gets the shared campaign entry of the document type. Run it as a \
                manager (or a dedicated system user with the manager role).
                A sales invoice without campaign= whose contact's company is in the target group of an \
                activated campaign running today is logged with that campaign; then a blank setup template \
                is refused, and with order= the entry carries the order's number and a second invoice of the \
                same order logs nothing.
                """,
            example: [
                "DOCUMENT-LOG document-type=sales_invoice document-no=PSI-1042 customer=C10000 salesperson=AH "
                    + "idem=inv-PSI-1042",
                InteractionReplies.exampleEntry(
                    InteractionReplies.exampleValues,
                    [
                        "entry": "1044", "title": "\"Sales invoice - by Anna Hall\"", "time": "10:21:37",
                        "contact": "CT000010", "contact-name": "\"Lee & Co\"", "template": "S_INVOICE",
                        "group": "DOC", "description": "\"Sales invoice\"", "subject": "", "user": "ERP",
                        "cost": "8.00", "duration": "1.00", "document-type": "sales_invoice",
                        "document-no": "PSI-1042", "has-comments": "false",
                    ]
                ),
                "OK interaction 1044 logged",
            ],
            results: InteractionReplies.entryColumns
        ).idempotent()
    ) { invocation, session in
        var named: String?
        if let name = invocation.arguments[InteractionArguments.contactName] {
            named = try await invocation.context.store.pool.withConnection { connection in
                try ContactNames.resolve(connection, name: name)
            }
        }
        let request = try Self.request(invocation.arguments, named: named)
        let actor = session.actingUser
        return try await invocation.context.write(invocation, user: actor.userID, batched: true) { connection in
            switch try DocumentLogStore.log(connection, request, actor: actor) {
            case .logged(let logged):
                return CreateInteractionCommands.reply(logged)
            case .skipped(let reason):
                return .ok("nothing logged: \(reason)")
            }
        }
    }

    static let all = [Self.log]

    static func request(_ arguments: BoundArguments, named: String? = nil) throws -> DocumentLogRequest {
        let accounts: [DocumentLogRequest.Account] = [
            arguments[Self.contact].map(DocumentLogRequest.Account.contact),
            named.map(DocumentLogRequest.Account.contact),
            arguments[Self.customer].map(DocumentLogRequest.Account.customer),
            arguments[Self.vendor].map(DocumentLogRequest.Account.vendor),
        ].compactMap { $0 }
        guard accounts.count == 1 else {
            throw CommandError(.badArguments, "give exactly one of contact=, contact-name=, customer=, vendor=")
        }
        let document = DocumentLogFacts(
            type: arguments[Self.documentType],
            no: arguments[Self.documentNo],
            occurrence: arguments[Self.occurrence] ?? 0,
            version: arguments[Self.version] ?? 0,
            salespersonCode: arguments[Self.salesperson],
            campaignNo: arguments[Self.campaign],
            description: arguments[Self.description].flatMap { $0.isEmpty ? nil : $0 },
            opportunityNo: arguments[Self.opportunity]
        )
        return DocumentLogRequest(document: document, account: accounts[0], orderNo: arguments[Self.order])
    }
}
