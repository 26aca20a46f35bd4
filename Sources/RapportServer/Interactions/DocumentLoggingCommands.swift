import RapportModel
import RapportProtocol
import RapportStore

/// DOCUMENT-LOG: automatic document logging, called by an ERP (reference 3.15, section 5).
enum DocumentLoggingCommands {
    static let specs: [CommandSpec] = [
        CommandSpec(
            name: "DOCUMENT-LOG",
            summary: "Log that a document was printed, sent or created (for an ERP).",
            arguments: [
                ArgumentSpec(
                    "document-type",
                    kind: .named,
                    required: true,
                    valueType: .enumeration(DocumentType.allCases.map(\.rawValue)),
                    help: "The document type; its template comes from the interaction template setup."
                ),
                ArgumentSpec("document-no", kind: .named, valueType: .code(maxLength: 20), help: "Document No."),
                ArgumentSpec(
                    "occurrence",
                    kind: .named,
                    valueType: .integer(0...Int(Int32.max)),
                    help: "Doc. No. Occurrence (0 = none)."
                ),
                ArgumentSpec(
                    "version",
                    kind: .named,
                    valueType: .integer(0...Int(Int32.max)),
                    help: "Archived version No. (0 = none)."
                ),
                ArgumentSpec("contact", kind: .named, valueType: .code(maxLength: 20), help: "The contact's No."),
                ArgumentSpec(
                    "customer",
                    kind: .named,
                    valueType: .code(maxLength: 20),
                    help: "Or a customer No., resolved through the contact business relations."
                ),
                ArgumentSpec(
                    "vendor",
                    kind: .named,
                    valueType: .code(maxLength: 20),
                    help: "Or a vendor No., resolved through the contact business relations."
                ),
                ArgumentSpec(
                    "salesperson",
                    kind: .named,
                    valueType: .code(maxLength: 20),
                    help: "Salesperson/purchaser; may be blank (for a contact: the contact's)."
                ),
                ArgumentSpec(
                    "campaign",
                    kind: .named,
                    valueType: .code(maxLength: 20),
                    help: "Campaign No.; default: the template's."
                ),
                ArgumentSpec(
                    "description",
                    kind: .named,
                    valueType: .text(maxLength: 100),
                    help: "The document's posting description; default: the template's."
                ),
                ArgumentSpec("opportunity", kind: .named, valueType: .code(maxLength: 20), help: "Opportunity No."),
            ],
            requiredRole: .manager,
            help: """
                Give exactly one of contact=, customer=, vendor=. When the setup has no template for the \
                document type, or no contact is found for the account, nothing is logged and the reply is \
                OK nothing logged: <reason>. A template with language rows is refused. Date: today; no \
                delivery; the campaign gets the shared campaign entry of the document type. Run it as a \
                manager (or a dedicated system user with the manager role).
                """,
            example: [
                "DOCUMENT-LOG document-type=sales_invoice document-no=PSI-1042 customer=C10000 salesperson=AH "
                    + "idem=inv-PSI-1042",
                "* entry=1044 contact=CT000010 company=CT000010 date=2025-03-14 time=10:21:37 template=S_INVOICE "
                    + "group=DOC salesperson=AH cost=8.00 duration=1.00 document-type=sales_invoice "
                    + "document-no=PSI-1042 postponed=false",
                "OK interaction 1044 logged",
            ]
        ).idempotent()
    ]

    static func make(_ context: ServerContext) -> [Command] {
        [
            Command(
                SessionCommands.spec("DOCUMENT-LOG"),
                reply: { invocation, session in
                    let request = try self.request(invocation.arguments)
                    let actor = session.actingUser
                    return try await context.write(invocation, user: actor.userID) { connection in
                        switch try DocumentLogStore.log(connection, request, actor: actor) {
                        case .logged(let logged):
                            return .ok("interaction \(logged.entryNo) logged", [InteractionReplies.logged(logged)])
                        case .skipped(let reason):
                            return .ok("nothing logged: \(reason)")
                        }
                    }
                }
            )
        ]
    }

    static func request(_ arguments: BoundArguments) throws -> DocumentLogRequest {
        let accounts: [DocumentLogRequest.Account] = [
            arguments.code("contact").map(DocumentLogRequest.Account.contact),
            arguments.code("customer").map(DocumentLogRequest.Account.customer),
            arguments.code("vendor").map(DocumentLogRequest.Account.vendor),
        ].compactMap { $0 }
        guard accounts.count == 1 else {
            throw CommandError(.badArguments, "give exactly one of contact, customer, vendor")
        }
        let document = DocumentLogFacts(
            type: DocumentType(rawValue: arguments.enumeration("document-type")!)!,
            no: arguments.code("document-no"),
            occurrence: arguments.integer("occurrence") ?? 0,
            version: arguments.integer("version") ?? 0,
            salespersonCode: arguments.code("salesperson"),
            campaignNo: arguments.code("campaign"),
            description: arguments.text("description").flatMap { $0.isEmpty ? nil : $0 },
            opportunityNo: arguments.code("opportunity")
        )
        return DocumentLogRequest(document: document, account: accounts[0])
    }
}
