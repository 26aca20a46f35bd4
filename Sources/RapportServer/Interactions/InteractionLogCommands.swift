import LibPQ
import RapportModel
import RapportProtocol
import RapportStore

/// The interaction log (reference 3.11, 3.12): LOG-LIST, LOG-SHOW, LOG-CANCEL, LOG-UNCANCEL, LOG-EVALUATE,
/// LOG-COMMENT-ADD, LOG-COMMENT-LIST, LOG-DELETE-CANCELED.
enum InteractionLogCommands {
    static let filterArguments: [ArgumentSpec] = [
        ArgumentSpec("contact", kind: .named, valueType: .code(maxLength: 20), help: "Entries with this contact."),
        ArgumentSpec(
            "company",
            kind: .named,
            valueType: .code(maxLength: 20),
            help: "Entries of this company and its persons."
        ),
        ArgumentSpec("salesperson", kind: .named, valueType: .code(maxLength: 20), help: "Salesperson code."),
        ArgumentSpec("template", kind: .named, valueType: .code(maxLength: 10), help: "Interaction template code."),
        ArgumentSpec("group", kind: .named, valueType: .code(maxLength: 10), help: "Interaction group code."),
        ArgumentSpec("campaign", kind: .named, valueType: .code(maxLength: 20), help: "Campaign No."),
        ArgumentSpec("segment", kind: .named, valueType: .code(maxLength: 20), help: "Segment No."),
        ArgumentSpec(
            "logged-segment",
            kind: .named,
            valueType: .integer(1...Int.max),
            help: "Logged segment entry No."
        ),
        ArgumentSpec("from", kind: .named, valueType: .date, help: "First date (inclusive)."),
        ArgumentSpec("to", kind: .named, valueType: .date, help: "Last date (inclusive)."),
        ArgumentSpec("canceled", kind: .named, valueType: .bool, help: "Only canceled (yes) or only active (no)."),
        ArgumentSpec(
            "evaluation",
            kind: .named,
            valueType: .enumeration(Evaluation.allCases.map(\.rawValue)),
            help: "Evaluation."
        ),
        ArgumentSpec(
            "document-type",
            kind: .named,
            valueType: .enumeration(DocumentType.allCases.map(\.rawValue)),
            help: "Document type of logged documents."
        ),
        ArgumentSpec("document-no", kind: .named, valueType: .code(maxLength: 20), help: "Document No."),
    ]

    static let specs: [CommandSpec] = [
        CommandSpec(
            name: "LOG-LIST",
            summary: "List interaction log entries, newest first, with filters and keyset pages.",
            arguments: Self.filterArguments + InteractionArguments.pageArguments,
            requiredRole: .salesperson,
            help: """
                Ordered by date, then entry number, both descending; the filters stay the same from page to page. \
                Postponed interactions are never listed (POSTPONED-LIST). Everyone may read the whole log.
                """,
            example: [
                "LOG-LIST company=CT000010 limit=2",
                "* entry=1043 date=2025-03-14 time=10:17:00 contact=CT000012 contact-name=\"Ann Lee\" "
                    + "company=CT000010 company-name=\"Lee & Co\" template=OUTGOING group=PHONE "
                    + "description=\"Follow-up call\" salesperson=AH cost=1.00 duration=15.00 canceled=false "
                    + "attempt-failed=false comment=true",
                "* entry=1002 date=2025-03-02 time=09:05:00 contact=CT000010 contact-name=\"Lee & Co\" "
                    + "company=CT000010 company-name=\"Lee & Co\" template=BUSLETTER group=LETTER "
                    + "description=\"Price list\" salesperson=AH cost=8.00 duration=30.00 canceled=false "
                    + "attempt-failed=false correspondence-type=hard_copy attachment=77 comment=false",
                "OK 2 entries next=2025-03-02/1002",
            ]
        ),
        CommandSpec(
            name: "LOG-SHOW",
            summary: "Show every field of one entry, then its comment lines.",
            arguments: [InteractionArguments.entryArgument("Entry No.")],
            requiredRole: .salesperson,
            example: [
                "LOG-SHOW 1043",
                "* entry=1043 date=2025-03-14 time=10:17:00 contact=CT000012 contact-name=\"Ann Lee\" "
                    + "company=CT000010 company-name=\"Lee & Co\" template=OUTGOING group=PHONE "
                    + "description=\"Follow-up call\" subject=\"Follow-up call\" salesperson=AH user=ALICE "
                    + "information-flow=outbound initiated-by=us campaign-target=false campaign-response=false "
                    + "attempt-failed=false cost=1.00 duration=15.00 merged=false email-logged=false "
                    + "canceled=false postponed=false comment=true",
                "* entry=1043 line=10000 date=2025-03-14 comment=\"asked for a quote\"",
                "OK 1 comment line",
            ]
        ),
        CommandSpec(
            name: "LOG-ATTACHMENT",
            summary: "Download the attachment of an entry (the data line carries the file as a literal).",
            arguments: [InteractionArguments.entryArgument("Entry No.")],
            requiredRole: .salesperson,
            example: [
                "LOG-ATTACHMENT 1002",
                "* entry=1002 attachment=77 file-name=offer.html content-type=text/html size=12 {12}",
                "<p>offer</p>",
                "OK",
            ]
        ),
        CommandSpec(
            name: "LOG-CANCEL",
            summary: "Cancel entries (they stay, but leave counts, costs and durations).",
            arguments: [
                InteractionArguments.entriesArgument("Entry numbers, comma-separated."),
                ArgumentSpec(
                    "remove-attachments",
                    kind: .named,
                    valueType: .bool,
                    help: "Also delete their unique attachments (used by no other entry)."
                ),
            ],
            requiredRole: .salesperson,
            help: """
                Explicit cancel (BC toggles; here LOG-UNCANCEL undoes it). The logged segment and campaign \
                entry are not touched. Salespeople may only cancel entries of their own salesperson code.
                """,
            example: [
                "LOG-CANCEL 1043,1044 remove-attachments=true idem=x-12",
                "* canceled=2 attachments-removed=1",
                "OK 2 entries canceled",
            ]
        ).idempotent(),
        CommandSpec(
            name: "LOG-UNCANCEL",
            summary: "Un-cancel entries; refused while an entry's logged segment or campaign entry is canceled.",
            arguments: [InteractionArguments.entriesArgument("Entry numbers, comma-separated.")],
            requiredRole: .salesperson,
            example: [
                "LOG-UNCANCEL 1043 idem=x-13",
                "* uncanceled=1",
                "OK 1 entry uncanceled",
            ]
        ).idempotent(),
        CommandSpec(
            name: "LOG-EVALUATE",
            summary: "Set the evaluation of entries (canceled ones too).",
            arguments: [
                InteractionArguments.entriesArgument("Entry numbers, comma-separated."),
                ArgumentSpec(
                    "evaluation",
                    kind: .named,
                    required: true,
                    valueType: .enumeration(Evaluation.allCases.map(\.rawValue)),
                    help: "The evaluation (blank cannot be chosen)."
                ),
            ],
            requiredRole: .salesperson,
            example: ["LOG-EVALUATE 1043 evaluation=very_positive idem=x-14", "OK 1 entry evaluated"]
        ).idempotent(),
        CommandSpec(
            name: "LOG-COMMENT-ADD",
            summary: "Add a comment line to an entry.",
            arguments: [
                InteractionArguments.entryArgument("Entry No."),
                ArgumentSpec(
                    "comment",
                    kind: .named,
                    required: true,
                    valueType: .text(maxLength: CommentLines.maximumLength),
                    help: "The comment, at most 80 characters."
                ),
                ArgumentSpec("code", kind: .named, valueType: .code(maxLength: 10), help: "A classification code."),
                ArgumentSpec("date", kind: .named, valueType: .date, help: "Date of the comment; default today."),
            ],
            requiredRole: .salesperson,
            example: [
                "LOG-COMMENT-ADD 1043 comment=\"quote sent on Monday\" idem=x-15",
                "* entry=1043 line=20000 date=2025-03-17 comment=\"quote sent on Monday\"",
                "OK comment line 20000 added",
            ]
        ).idempotent(),
        CommandSpec(
            name: "LOG-COMMENT-LIST",
            summary: "List the comment lines of an entry.",
            arguments: [InteractionArguments.entryArgument("Entry No.")] + Paging.arguments("comment lines"),
            requiredRole: .salesperson,
            example: [
                "LOG-COMMENT-LIST 1043",
                "* entry=1043 line=10000 date=2025-03-14 comment=\"asked for a quote\"",
                "OK 1 comment line",
            ]
        ),
        CommandSpec(
            name: "LOG-DELETE-CANCELED",
            summary: "Delete canceled entries matching the filters, with their comments (dry-run=true only counts).",
            arguments: [
                ArgumentSpec(
                    "entries",
                    kind: .named,
                    valueType: .list,
                    help: "Only these entry numbers, comma-separated."
                ),
                ArgumentSpec("contact", kind: .named, valueType: .code(maxLength: 20), help: "Contact No."),
                ArgumentSpec("from", kind: .named, valueType: .date, help: "First date (inclusive)."),
                ArgumentSpec("to", kind: .named, valueType: .date, help: "Last date (inclusive)."),
                ArgumentSpec("campaign", kind: .named, valueType: .code(maxLength: 20), help: "Campaign No."),
                ArgumentSpec("group", kind: .named, valueType: .code(maxLength: 10), help: "Interaction group code."),
                ArgumentSpec("template", kind: .named, valueType: .code(maxLength: 10), help: "Template code."),
                ArgumentSpec("salesperson", kind: .named, valueType: .code(maxLength: 20), help: "Salesperson code."),
                ArgumentSpec("dry-run", kind: .named, valueType: .bool, help: "Only count what would be deleted."),
            ],
            requiredRole: .manager,
            help: "Only canceled entries are ever deleted; active ones are never touched. One statement.",
            example: [
                "LOG-DELETE-CANCELED to=2024-12-31 dry-run=true",
                "* deleted=0 matching=312 dry-run=true",
                "OK dry run: 312 canceled entries match, nothing deleted",
            ]
        ).idempotent(),
    ]

    static func make(_ context: ServerContext) -> [Command] {
        [
            Command(
                SessionCommands.spec("LOG-LIST"),
                list: { invocation, _ in try await self.list(invocation, context) }
            ),
            Command(
                SessionCommands.spec("LOG-SHOW"),
                reply: { invocation, session in
                    let entryNo = Int64(invocation.arguments.integer("entry")!)
                    let actor = session.actingUser
                    let (entry, comments) = try await context.store.pool.withConnection { connection in
                        try InteractionLogStore.show(connection, entryNo, actor: actor)
                    }
                    let lines = comments.map { InteractionReplies.comment(entryNo: entryNo, $0) }
                    return .ok(Self.commentCount(comments.count), [InteractionReplies.shown(entry)] + lines)
                }
            ),
            Command(
                SessionCommands.spec("LOG-ATTACHMENT"),
                reply: { invocation, session in
                    let entryNo = Int64(invocation.arguments.integer("entry")!)
                    let actor = session.actingUser
                    let file = try await context.store.pool.withConnection { connection in
                        try InteractionLogStore.attachment(connection, entryNo, actor: actor)
                    }
                    let tokens = DataLine.named([
                        "entry": String(entryNo), "attachment": String(file.no), "file-name": file.fileName,
                        "content-type": file.contentType, "size": String(file.content.count),
                    ]).tokens
                    return .ok("", [DataLine(tokens: tokens, payload: file.content)])
                }
            ),
            Command(
                SessionCommands.spec("LOG-CANCEL"),
                reply: { invocation, session in
                    let entries = try InteractionArguments.entries(invocation.arguments)
                    let remove = invocation.arguments.bool("remove-attachments") ?? false
                    let actor = session.actingUser
                    return try await context.write(invocation, user: actor.userID) { connection in
                        let result = try InteractionLogStore.cancel(
                            connection,
                            entries,
                            removeAttachments: remove,
                            actor: actor
                        )
                        return .ok(
                            "\(InteractionReplies.entries(result.canceled)) canceled",
                            [
                                .named([
                                    "canceled": String(result.canceled),
                                    "attachments-removed": String(result.attachmentsRemoved),
                                ])
                            ]
                        )
                    }
                }
            ),
            Command(
                SessionCommands.spec("LOG-UNCANCEL"),
                reply: { invocation, session in
                    let entries = try InteractionArguments.entries(invocation.arguments)
                    let actor = session.actingUser
                    return try await context.write(invocation, user: actor.userID) { connection in
                        let count = try InteractionLogStore.uncancel(connection, entries, actor: actor)
                        return .ok(
                            "\(InteractionReplies.entries(count)) uncanceled",
                            [.named(["uncanceled": String(count)])]
                        )
                    }
                }
            ),
            Command(
                SessionCommands.spec("LOG-EVALUATE"),
                reply: { invocation, session in
                    let entries = try InteractionArguments.entries(invocation.arguments)
                    let evaluation = Evaluation(rawValue: invocation.arguments.enumeration("evaluation")!)!
                    let actor = session.actingUser
                    return try await context.write(invocation, user: actor.userID) { connection in
                        let count = try InteractionLogStore.evaluate(
                            connection,
                            entries,
                            evaluation: evaluation,
                            actor: actor
                        )
                        return .ok("\(InteractionReplies.entries(count)) evaluated")
                    }
                }
            ),
            Command(
                SessionCommands.spec("LOG-COMMENT-ADD"),
                reply: { invocation, session in
                    let arguments = invocation.arguments
                    let entryNo = Int64(arguments.integer("entry")!)
                    let comment = arguments.text("comment")!
                    guard !comment.isEmpty, !comment.contains(where: \.isNewline) else {
                        throw CommandError(.badArguments, "argument comment must be one non-empty line")
                    }
                    let code = arguments.code("code")
                    let date = arguments.date("date")?.description
                    let actor = session.actingUser
                    return try await context.write(invocation, user: actor.userID) { connection in
                        let line = try InteractionLogStore.addComment(
                            connection,
                            entryNo: entryNo,
                            comment: comment,
                            code: code,
                            date: date,
                            actor: actor
                        )
                        return .ok(
                            "comment line \(line.lineNo) added",
                            [InteractionReplies.comment(entryNo: entryNo, line)]
                        )
                    }
                }
            ),
            Command(
                SessionCommands.spec("LOG-COMMENT-LIST"),
                list: { invocation, session in
                    let entryNo = Int64(invocation.arguments.integer("entry")!)
                    let page = try Paging.request(invocation.arguments, keys: [.integer])
                    let actor = session.actingUser
                    let comments = try await context.store.pool.withConnection { connection in
                        try InteractionLogStore.comments(
                            connection,
                            entryNo,
                            actor: actor,
                            afterLine: page.integer(0),
                            limit: page.fetch
                        )
                    }
                    return Paging.reply(
                        comments,
                        page,
                        noun: "comment line",
                        key: { [String($0.lineNo)] },
                        line: { InteractionReplies.comment(entryNo: entryNo, $0) }
                    )
                }
            ),
            Command(
                SessionCommands.spec("LOG-DELETE-CANCELED"),
                reply: { invocation, session in try await self.deleteCanceled(invocation, session, context) }
            ),
        ]
    }

    private static func list(_ invocation: Invocation, _ context: ServerContext) async throws -> Reply {
        let arguments = invocation.arguments
        var filter = InteractionLogFilter()
        filter.contactNo = arguments.code("contact")
        filter.companyNo = arguments.code("company")
        filter.salespersonCode = arguments.code("salesperson")
        filter.templateCode = arguments.code("template")
        filter.groupCode = arguments.code("group")
        filter.campaignNo = arguments.code("campaign")
        filter.segmentNo = arguments.code("segment")
        filter.loggedSegmentEntryNo = arguments.integer("logged-segment").map(Int64.init)
        filter.from = arguments.date("from")?.description
        filter.to = arguments.date("to")?.description
        filter.canceled = arguments.bool("canceled")
        filter.evaluation = arguments.enumeration("evaluation").flatMap(Evaluation.init(rawValue:))
        filter.documentType = arguments.enumeration("document-type").flatMap(DocumentType.init(rawValue:))
        filter.documentNo = arguments.code("document-no")
        let (limit, cursor) = try InteractionArguments.logPage(arguments)
        let chosen = filter
        let page = try await context.store.pool.withConnection { connection in
            try InteractionLogStore.list(connection, chosen, after: cursor, limit: limit)
        }
        // The connection went back to the pool with the page; the page is streamed without it.
        return InteractionReplies.pageReply(page)
    }

    private static func deleteCanceled(_ invocation: Invocation, _ session: SessionState, _ context: ServerContext)
        async throws -> Response
    {
        let arguments = invocation.arguments
        var filter = DeleteCanceledFilter()
        if arguments.contains("entries") { filter.entryNos = try InteractionArguments.entries(arguments) }
        filter.contactNo = arguments.code("contact")
        filter.from = arguments.date("from")?.description
        filter.to = arguments.date("to")?.description
        filter.campaignNo = arguments.code("campaign")
        filter.groupCode = arguments.code("group")
        filter.templateCode = arguments.code("template")
        filter.salespersonCode = arguments.code("salesperson")
        let dryRun = arguments.bool("dry-run") ?? false
        let chosen = filter
        return try await context.write(invocation, user: session.actingUser.userID) { connection in
            let count = try InteractionLogStore.deleteCanceled(connection, chosen, dryRun: dryRun)
            if dryRun {
                return .ok(
                    "dry run: \(count) canceled \(count == 1 ? "entry matches" : "entries match"), nothing deleted",
                    [.named(["deleted": "0", "matching": String(count), "dry-run": "true"])]
                )
            }
            return .ok(
                "\(InteractionReplies.entries(count)) deleted",
                [.named(["deleted": String(count), "matching": String(count), "dry-run": "false"])]
            )
        }
    }

    static func commentCount(_ count: Int) -> String {
        count == 1 ? "1 comment line" : "\(count) comment lines"
    }
}
