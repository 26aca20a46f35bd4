import LibPQ
import RapportModel
import RapportProtocol
import RapportStore

/// The interaction log (reference 3.11, 3.12): LOG-LIST, LOG-SHOW, LOG-CANCEL, LOG-UNCANCEL, LOG-EVALUATE,
/// LOG-COMMENT-ADD, LOG-COMMENT-LIST, LOG-DELETE-CANCELED.
enum InteractionLogCommands {
    // MARK: LOG-LIST

    static let contact = OptionalArgument.named("contact", .code(maxLength: 20), "Entries with this contact.")
    static let company = OptionalArgument.named(
        "company",
        .code(maxLength: 20),
        "Entries of this company and its persons."
    )
    static let salesperson = OptionalArgument.named("salesperson", .code(maxLength: 20), "Salesperson code.")
    static let template = OptionalArgument.named("template", .code(maxLength: 10), "Interaction template code.")
    static let group = OptionalArgument.named("group", .code(maxLength: 10), "Interaction group code.")
    static let campaign = OptionalArgument.named("campaign", .code(maxLength: 20), "Campaign No.")
    static let segment = OptionalArgument.named("segment", .code(maxLength: 20), "Segment No.")
    static let loggedSegment = OptionalArgument.named(
        "logged-segment",
        .integer(1...Int.max),
        "Logged segment entry No."
    )
    static let from = OptionalArgument.named("from", .date, "First date (inclusive).")
    static let to = OptionalArgument.named("to", .date, "Last date (inclusive).")
    static let canceled = OptionalArgument.named("canceled", .bool, "Only canceled (true) or only active (false).")
    static let evaluation = OptionalArgument.named("evaluation", .oneOf(Evaluation.self), "Evaluation.")
    static let documentType = OptionalArgument.named(
        "document-type",
        .oneOf(DocumentType.self),
        "Document type of logged documents."
    )
    static let documentNo = OptionalArgument.named("document-no", .code(maxLength: 20), "Document No.")
    static let opportunity = OptionalArgument.named("opportunity", .code(maxLength: 20), "Opportunity No.")
    static let task = OptionalArgument.named("task", .code(maxLength: 20), "Task No.")

    static let list = Command(
        CommandSpec(
            name: "LOG-LIST",
            summary: "List interaction log entries, newest first, with filters and keyset pages.",
            arguments: [
                Self.contact.spec, Self.company.spec, Self.salesperson.spec, Self.template.spec, Self.group.spec,
                Self.campaign.spec, Self.segment.spec, Self.loggedSegment.spec, Self.from.spec, Self.to.spec,
                Self.canceled.spec, Self.evaluation.spec, Self.documentType.spec, Self.documentNo.spec,
                Self.opportunity.spec, Self.task.spec,
            ] + InteractionArguments.pageArguments,
            requiredRole: .salesperson,
            help: """
                Ordered by date, then entry number, both descending; the filters stay the same from page to page. \
                Postponed interactions are never listed (POSTPONED-LIST). Everyone may read the whole log. \
                title is the entry's display title: the template's description, then "- by" the salesperson \
                (outbound templates) or "- from" the contact (inbound templates).
                """,
            example: [
                "LOG-LIST company=CT000010 limit=2",
                InteractionReplies.exampleEntry(InteractionReplies.exampleValues),
                InteractionReplies.exampleEntry(InteractionReplies.exampleLetter),
                "OK 2 entries next=2025-03-02/1002",
            ],
            results: InteractionReplies.entryColumns
        ),
        list: { invocation, _ in
            let arguments = invocation.arguments
            var filter = InteractionLogFilter()
            filter.contactNo = arguments[Self.contact]
            filter.companyNo = arguments[Self.company]
            filter.salespersonCode = arguments[Self.salesperson]
            filter.templateCode = arguments[Self.template]
            filter.groupCode = arguments[Self.group]
            filter.campaignNo = arguments[Self.campaign]
            filter.segmentNo = arguments[Self.segment]
            filter.loggedSegmentEntryNo = arguments[Self.loggedSegment].map(Int64.init)
            filter.from = arguments[Self.from]
            filter.to = arguments[Self.to]
            filter.canceled = arguments[Self.canceled]
            filter.evaluation = arguments[Self.evaluation]
            filter.documentType = arguments[Self.documentType]
            filter.documentNo = arguments[Self.documentNo]
            filter.opportunityNo = arguments[Self.opportunity]
            filter.taskNo = arguments[Self.task]
            let (limit, cursor) = try InteractionArguments.logPage(arguments)
            let chosen = filter
            let page = try await invocation.context.store.pool.withConnection { connection in
                try InteractionLogStore.list(connection, chosen, after: cursor, limit: limit)
            }
            // The connection went back to the pool with the page; the page is streamed without it.
            return InteractionReplies.pageReply(page)
        }
    )

    // MARK: LOG-SHOW, LOG-ATTACHMENT

    static let shownEntry = InteractionArguments.entry("Entry No.")

    static let show = Command(
        CommandSpec(
            name: "LOG-SHOW",
            summary: "Show one entry with the keys of LOG-LIST (its comment lines: LOG-COMMENT-LIST).",
            arguments: [Self.shownEntry.spec],
            requiredRole: .salesperson,
            help: "A postponed entry is shown only to its salesperson or a manager.",
            example: [
                "LOG-SHOW 1043",
                InteractionReplies.exampleEntry(InteractionReplies.exampleValues),
                "OK 1 entry",
            ],
            results: InteractionReplies.entryColumns
        )
    ) { invocation, session in
        let entryNo = Int64(invocation.arguments[Self.shownEntry])
        let actor = session.actingUser
        let (entry, _) = try await invocation.context.store.pool.withConnection { connection in
            try InteractionLogStore.show(connection, entryNo, actor: actor)
        }
        return .ok("1 entry", [InteractionReplies.entry(entry)])
    }

    static let attachmentColumns: [ResultColumn] = [
        ResultColumn("entry", .integer), ResultColumn("attachment", .integer), ResultColumn("file-name", .text),
        ResultColumn("content-type", .text), ResultColumn("size", .integer),
    ]

    static let attachment = Command(
        CommandSpec(
            name: "LOG-ATTACHMENT",
            summary: "Download the attachment of an entry (the data line carries the file as a literal).",
            arguments: [Self.shownEntry.spec],
            requiredRole: .salesperson,
            example: [
                "LOG-ATTACHMENT 1002",
                "* entry=1002 attachment=77 file-name=offer.html content-type=text/html size=12 {12}",
                "<p>offer</p>",
                "OK",
            ],
            results: Self.attachmentColumns
        )
    ) { invocation, session in
        let entryNo = Int64(invocation.arguments[Self.shownEntry])
        let actor = session.actingUser
        let file = try await invocation.context.store.pool.withConnection { connection in
            try InteractionLogStore.attachment(connection, entryNo, actor: actor)
        }
        let tokens = DataLine.shaped(
            Self.attachmentColumns,
            [
                "entry": String(entryNo), "attachment": String(file.no), "file-name": file.fileName,
                "content-type": file.contentType, "size": String(file.content.count),
            ]
        ).tokens
        return .ok("", [DataLine(tokens: tokens, payload: file.content)])
    }

    // MARK: LOG-CANCEL, LOG-UNCANCEL, LOG-EVALUATE, LOG-DELETE-CANCELED

    static let removeAttachments = OptionalArgument.named(
        "remove-attachments",
        .bool,
        "Also delete their unique attachments (used by no other entry); default false."
    )

    static let cancelColumns = [ResultColumn("canceled", .integer), ResultColumn("attachments-removed", .integer)]
    static let uncancelColumns = [ResultColumn("uncanceled", .integer)]
    static let deleteColumns = [
        ResultColumn("deleted", .integer), ResultColumn("matching", .integer), ResultColumn("dry-run", .bool),
    ]

    static let cancel = Command(
        CommandSpec(
            name: "LOG-CANCEL",
            summary: "Cancel entries (they stay, but leave counts, costs and durations).",
            arguments: [InteractionArguments.entries.spec, Self.removeAttachments.spec],
            requiredRole: .salesperson,
            help: """
                Cancels (LOG-UNCANCEL undoes it). The logged segment and campaign entry are not touched. \
                Salespeople may only cancel entries of their own salesperson code.
                """,
            example: [
                "LOG-CANCEL entries=1043,1044 remove-attachments=true idem=x-12",
                "* canceled=2 attachments-removed=1",
                "OK 2 entries canceled",
            ],
            results: Self.cancelColumns
        ).idempotent()
    ) { invocation, session in
        let entries = try InteractionArguments.entries(invocation.arguments[InteractionArguments.entries])
        let remove = invocation.arguments[Self.removeAttachments] ?? false
        let actor = session.actingUser
        return try await invocation.context.write(
            invocation,
            user: actor.userID,
            batched: true,
            reads: InteractionLogStore.selectionReads(entries)
        ) { connection in
            let result = try InteractionLogStore.cancel(connection, entries, removeAttachments: remove, actor: actor)
            return .ok(
                "\(InteractionReplies.entries(result.canceled)) canceled",
                [
                    .shaped(
                        Self.cancelColumns,
                        [
                            "canceled": String(result.canceled),
                            "attachments-removed": String(result.attachmentsRemoved),
                        ]
                    )
                ]
            )
        }
    }

    static let uncancel = Command(
        CommandSpec(
            name: "LOG-UNCANCEL",
            summary: "Un-cancel entries; refused while an entry's logged segment or campaign entry is canceled.",
            arguments: [InteractionArguments.entries.spec],
            requiredRole: .salesperson,
            example: [
                "LOG-UNCANCEL entries=1043 idem=x-13",
                "* uncanceled=1",
                "OK 1 entry uncanceled",
            ],
            results: Self.uncancelColumns
        ).idempotent()
    ) { invocation, session in
        let entries = try InteractionArguments.entries(invocation.arguments[InteractionArguments.entries])
        let actor = session.actingUser
        return try await invocation.context.write(
            invocation,
            user: actor.userID,
            batched: true,
            reads: InteractionLogStore.uncancelReads(entries)
        ) { connection in
            let count = try InteractionLogStore.uncancel(connection, entries, actor: actor)
            return .ok(
                "\(InteractionReplies.entries(count)) uncanceled",
                [.shaped(Self.uncancelColumns, ["uncanceled": String(count)])]
            )
        }
    }

    static let newEvaluation = RequiredArgument.named(
        "evaluation",
        .oneOf(Evaluation.self),
        "The evaluation (it cannot be blanked)."
    )

    static let evaluate = Command(
        CommandSpec(
            name: "LOG-EVALUATE",
            summary: "Set the evaluation of entries (canceled ones too).",
            arguments: [InteractionArguments.entries.spec, Self.newEvaluation.spec],
            requiredRole: .salesperson,
            example: ["LOG-EVALUATE entries=1043 evaluation=very_positive idem=x-14", "OK 1 entry evaluated"]
        ).idempotent()
    ) { invocation, session in
        let entries = try InteractionArguments.entries(invocation.arguments[InteractionArguments.entries])
        let evaluation = invocation.arguments[Self.newEvaluation]
        let actor = session.actingUser
        return try await invocation.context.write(
            invocation,
            user: actor.userID,
            batched: true,
            reads: InteractionLogStore.selectionReads(entries)
        ) { connection in
            let count = try InteractionLogStore.evaluate(connection, entries, evaluation: evaluation, actor: actor)
            return .ok("\(InteractionReplies.entries(count)) evaluated")
        }
    }

    static let onlyEntries = OptionalArgument.named(
        "entries",
        .list,
        "Only these entry numbers, comma-separated; default: every canceled entry matching the other filters."
    )
    static let deletedContact = OptionalArgument.named("contact", .code(maxLength: 20), "Contact No.")
    static let dryRun = OptionalArgument.named(
        "dry-run",
        .bool,
        "Only count what would be deleted; default false."
    )

    static let deleteCanceled = Command(
        CommandSpec(
            name: "LOG-DELETE-CANCELED",
            summary: "Delete canceled entries matching the filters, with their comments (dry-run=true only counts).",
            arguments: [
                Self.onlyEntries.spec, Self.deletedContact.spec, Self.from.spec, Self.to.spec, Self.campaign.spec,
                Self.group.spec, Self.template.spec, Self.salesperson.spec, Self.dryRun.spec,
            ],
            requiredRole: .manager,
            help: "Only canceled entries are ever deleted; active ones are never touched. One statement.",
            example: [
                "LOG-DELETE-CANCELED to=2024-12-31 dry-run=true",
                "* deleted=0 matching=312 dry-run=true",
                "OK dry run: 312 canceled entries match, nothing deleted",
            ],
            results: Self.deleteColumns
        ).idempotent()
    ) { invocation, session in
        let arguments = invocation.arguments
        var filter = DeleteCanceledFilter()
        if let entries = arguments[Self.onlyEntries] { filter.entryNos = try InteractionArguments.entries(entries) }
        filter.contactNo = arguments[Self.deletedContact]
        filter.from = arguments[Self.from]
        filter.to = arguments[Self.to]
        filter.campaignNo = arguments[Self.campaign]
        filter.groupCode = arguments[Self.group]
        filter.templateCode = arguments[Self.template]
        filter.salespersonCode = arguments[Self.salesperson]
        let dryRun = arguments[Self.dryRun] ?? false
        let chosen = filter
        let columns = Self.deleteColumns
        return try await invocation.context.write(invocation, user: session.actingUser.userID) { connection in
            let count = try InteractionLogStore.deleteCanceled(connection, chosen, dryRun: dryRun)
            if dryRun {
                return .ok(
                    "dry run: \(count) canceled \(count == 1 ? "entry matches" : "entries match"), nothing deleted",
                    [.shaped(columns, ["deleted": "0", "matching": String(count), "dry-run": "true"])]
                )
            }
            return .ok(
                "\(InteractionReplies.entries(count)) deleted",
                [.shaped(columns, ["deleted": String(count), "matching": String(count), "dry-run": "false"])]
            )
        }
    }

    // MARK: LOG-COMMENT-ADD, LOG-COMMENT-LIST

    static let commentedEntry = InteractionArguments.entry("Entry No.")
    static let comment = RequiredArgument.named(
        "comment",
        .text(maxLength: CommentLines.maximumLength),
        "The comment, one line of at most 80 characters."
    )
    static let commentCode = OptionalArgument.named(
        "comment-code",
        .code(maxLength: 10),
        "A classification code of the line."
    )
    static let commentDate = OptionalArgument.named("date", .date, "Date of the comment; default today.")

    static let commentAdd = Command(
        CommandSpec(
            name: "LOG-COMMENT-ADD",
            summary: "Add a comment line to an entry.",
            arguments: [Self.commentedEntry.spec, Self.comment.spec, Self.commentCode.spec, Self.commentDate.spec],
            requiredRole: .salesperson,
            example: [
                "LOG-COMMENT-ADD 1043 comment=\"quote sent on Monday\" idem=x-15",
                "* entry=1043 line=20000 date=2025-03-17 comment-code= comment=\"quote sent on Monday\" "
                    + "last-modified=2025-03-17",
                "OK comment line 20000 added",
            ],
            results: InteractionReplies.commentColumns
        ).idempotent()
    ) { invocation, session in
        let arguments = invocation.arguments
        let entryNo = Int64(arguments[Self.commentedEntry])
        let comment = arguments[Self.comment]
        guard !comment.isEmpty, !comment.contains(where: \.isNewline) else {
            throw CommandError(
                .badArguments,
                "argument comment must be one non-empty line: add one LOG-COMMENT-ADD per line"
            )
        }
        let code = arguments[Self.commentCode]
        let date = arguments[Self.commentDate]
        let actor = session.actingUser
        return try await invocation.context.write(invocation, user: actor.userID, batched: true) { connection in
            let line = try InteractionLogStore.addComment(
                connection,
                entryNo: entryNo,
                comment: comment,
                code: code,
                date: date,
                actor: actor
            )
            return .ok("comment line \(line.lineNo) added", [InteractionReplies.comment(entryNo: entryNo, line)])
        }
    }

    static let commentList = Command(
        CommandSpec(
            name: "LOG-COMMENT-LIST",
            summary: "List the comment lines of an entry.",
            arguments: [Self.commentedEntry.spec] + Paging.arguments("comment lines"),
            requiredRole: .salesperson,
            example: [
                "LOG-COMMENT-LIST 1043",
                "* entry=1043 line=10000 date=2025-03-14 comment-code= comment=\"asked for a quote\" last-modified=",
                "OK 1 comment line",
            ],
            results: InteractionReplies.commentColumns
        ),
        list: { invocation, session in
            let entryNo = Int64(invocation.arguments[Self.commentedEntry])
            let page = try Paging.request(invocation.arguments, keys: [.integer])
            let actor = session.actingUser
            let comments = try await invocation.context.store.pool.withConnection { connection in
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
    )

    static let all = [
        Self.list, Self.show, Self.attachment, Self.cancel, Self.uncancel, Self.evaluate, Self.commentAdd,
        Self.commentList, Self.deleteCanceled,
    ]
}
