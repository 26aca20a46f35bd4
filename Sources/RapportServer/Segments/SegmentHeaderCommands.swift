import LibPQ
import RapportModel
import RapportProtocol
import RapportStore

/// Segment headers (reference 1.8, 3.6): SEGMENT-CREATE, SEGMENT-SET, SEGMENT-SHOW, SEGMENT-LIST, SEGMENT-DELETE.
enum SegmentHeaderCommands {
    static let specs: [CommandSpec] = [
        CommandSpec(
            name: "SEGMENT-CREATE",
            summary: "Create a segment: its number from Segment Nos., today's date, your salesperson.",
            arguments: [
                ArgumentSpec(
                    "no",
                    kind: .named,
                    valueType: .code(maxLength: 20),
                    help: "Typed number; only when the Segment Nos. series allows manual numbers."
                )
            ] + SegmentArguments.headerFields,
            requiredRole: .salesperson,
            help: """
                Without no=, the number comes from Segment Nos. of the marketing setup ("Segment Nos. must have a \
                value in Marketing Setup" when none is set). The other arguments work as in SEGMENT-SET.
                """,
            example: [
                "SEGMENT-CREATE description=\"Spring mailing\" template=BUSLETTER campaign=CP0001 idem=s-1",
                "* segment=SEG00001 description=\"Spring mailing\" campaign=CP0001 campaign-description=\"Spring fair\" "
                    + "salesperson=AH template=BUSLETTER group=LETTER date=2025-03-14 correspondence-type=hard_copy "
                    + "ignore-contact-corres-type=false unit-cost=8.00 unit-duration=30.00 information-flow=outbound "
                    + "initiated-by=us campaign-target=false campaign-response=false send-word-docs=false "
                    + "no-series=SEG lines=0 cost=0.00 duration=0.00 criteria-actions=0 created-by=ALICE",
                "OK segment SEG00001 created",
            ]
        ).idempotent(),
        CommandSpec(
            name: "SEGMENT-SET",
            summary: "Change header fields; changes reach the lines that use the header's template.",
            arguments: [SegmentArguments.segment] + SegmentArguments.headerFields + SegmentArguments.headerDialogs,
            requiredRole: .salesperson,
            help: """
                Reference 3.6 R2–R6. A changed field is written to every line whose template is the header's \
                (lines with their own template are left alone) unless update-lines=false. A new template \
                re-defaults the interaction fields and the segment's content (language variants, attachments) \
                and, unless apply-template-to-lines=false, gives every line the template and its values. \
                The correspondence type reaches the lines only when the segment has a Word template or an \
                attachment. Salespeople change only their own segments.
                """,
            example: [
                "SEGMENT-SET SEG00001 unit-cost=9.50 description=\"Spring mailing 2\" idem=s-2",
                "* segment=SEG00001 description=\"Spring mailing 2\" salesperson=AH template=BUSLETTER group=LETTER "
                    + "date=2025-03-14 ignore-contact-corres-type=false unit-cost=9.50 unit-duration=30.00 "
                    + "campaign-target=false campaign-response=false send-word-docs=false lines=120 cost=1140.00 "
                    + "duration=3600.00 criteria-actions=2 created-by=ALICE",
                "OK segment SEG00001 changed, 120 lines updated",
            ]
        ).idempotent(),
        CommandSpec(
            name: "SEGMENT-SHOW",
            summary: "Show a segment header and a page of its lines.",
            arguments: [SegmentArguments.segment] + Paging.arguments("lines"),
            requiredRole: .salesperson,
            help: "The header line, then a page of lines in line order; the count is of lines.",
            example: [
                "SEGMENT-SHOW SEG00001 limit=1",
                "* segment=SEG00001 description=\"Spring mailing\" salesperson=AH template=BUSLETTER group=LETTER "
                    + "date=2025-03-14 ignore-contact-corres-type=false unit-cost=8.00 unit-duration=30.00 "
                    + "campaign-target=false campaign-response=false send-word-docs=false lines=2 cost=16.00 "
                    + "duration=60.00 criteria-actions=1 created-by=ALICE",
                "* segment=SEG00001 line=10000 contact=CT000010 contact-name=\"Lee & Co\" company=CT000010 "
                    + "company-name=\"Lee & Co\" salesperson=AH template=BUSLETTER group=LETTER "
                    + "description=\"Spring mailing\" date=2025-03-14 correspondence-type=hard_copy cost=8.00 "
                    + "duration=30.00 campaign-target=false campaign-response=false attempt-failed=false "
                    + "send-word-docs=false",
                "OK 1 line next=10000",
            ]
        ),
        CommandSpec(
            name: "SEGMENT-LIST",
            summary: "List the segments (not yet logged) with their line counts and totals.",
            arguments: [
                ArgumentSpec("mine", kind: .named, valueType: .bool, help: "Only your own segments.")
            ] + Paging.arguments("segments"),
            requiredRole: .salesperson,
            example: [
                "SEGMENT-LIST mine=true",
                "* segment=SEG00001 description=\"Spring mailing\" salesperson=AH template=BUSLETTER group=LETTER "
                    + "date=2025-03-14 ignore-contact-corres-type=false unit-cost=8.00 unit-duration=30.00 "
                    + "campaign-target=false campaign-response=false send-word-docs=false lines=2 cost=16.00 "
                    + "duration=60.00 criteria-actions=1 created-by=ALICE",
                "OK 1 segment",
            ]
        ),
        CommandSpec(
            name: "SEGMENT-DELETE",
            summary: "Delete a segment with its lines, criteria, history and content.",
            arguments: [SegmentArguments.segment],
            requiredRole: .salesperson,
            example: ["SEGMENT-DELETE SEG00003 idem=s-9", "OK segment SEG00003 deleted with 12 lines"]
        ).idempotent(),
    ]

    static func make(_ context: ServerContext) -> [Command] {
        [
            Command(
                SessionCommands.spec("SEGMENT-CREATE"),
                reply: { invocation, session in
                    let changes = try SegmentArguments.headerChanges(invocation.arguments)
                    let no = invocation.arguments.code("no")
                    let actor = session.actingUser
                    return try await context.write(invocation, user: actor.userID) { connection in
                        let header = try SegmentStore.create(connection, actor: actor, no: no, changes: changes)
                        return .ok("segment \(header.no) created", [SegmentReplies.header(header)])
                    }
                }
            ),
            Command(
                SessionCommands.spec("SEGMENT-SET"),
                reply: { invocation, session in
                    let changes = try SegmentArguments.headerChanges(invocation.arguments)
                    let no = invocation.arguments.code("segment")!
                    let actor = session.actingUser
                    return try await context.write(invocation, user: actor.userID) { connection in
                        let (header, updated) = try SegmentStore.set(connection, actor: actor, no: no, changes)
                        return .ok(
                            "segment \(no) changed, \(SegmentReplies.count(updated, "line")) updated",
                            [SegmentReplies.header(header)]
                        )
                    }
                }
            ),
            Command(
                SessionCommands.spec("SEGMENT-SHOW"),
                list: { invocation, _ in
                    let no = invocation.arguments.code("segment")!
                    let page = try Paging.request(invocation.arguments, keys: [.integer])
                    let after = Int(clamping: page.integer(0) ?? 0)
                    let (header, lines) = try await context.store.pool.withConnection { connection in
                        try SegmentStore.show(connection, no: no, afterLine: after, limit: page.fetch)
                    }
                    return Paging.reply(
                        lines,
                        page,
                        noun: "line",
                        header: [SegmentReplies.header(header)],
                        key: { [String($0.lineNo)] },
                        line: { SegmentReplies.line(no, $0) }
                    )
                }
            ),
            Command(
                SessionCommands.spec("SEGMENT-LIST"),
                list: { invocation, session in
                    let mine = invocation.arguments.bool("mine") ?? false
                    let page = try Paging.request(invocation.arguments, keys: [.code(maxLength: 20)])
                    let actor = session.actingUser
                    // One bounded query; the connection is back in the pool before the page is streamed.
                    let headers = try await context.store.pool.withConnection { connection in
                        try SegmentStore.list(
                            connection,
                            actor: actor,
                            mine: mine,
                            after: page.code(0),
                            limit: page.fetch
                        )
                    }
                    return Paging.reply(headers, page, noun: "segment", key: { [$0.no] }, line: SegmentReplies.header)
                }
            ),
            Command(
                SessionCommands.spec("SEGMENT-DELETE"),
                reply: { invocation, session in
                    let no = invocation.arguments.code("segment")!
                    let actor = session.actingUser
                    return try await context.write(invocation, user: actor.userID) { connection in
                        let lines = try SegmentStore.delete(connection, actor: actor, no: no)
                        return .ok("segment \(no) deleted with \(SegmentReplies.count(lines, "line"))")
                    }
                }
            ),
        ]
    }
}
