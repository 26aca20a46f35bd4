import LibPQ
import RapportModel
import RapportProtocol
import RapportStore

/// Segment headers: SEGMENT-CREATE, SEGMENT-SET, SEGMENT-SHOW, SEGMENT-LIST, SEGMENT-DELETE.
enum SegmentHeaderCommands {
    static let typedNumber = OptionalArgument.named(
        "segment",
        .code(maxLength: 20),
        "Typed number; only when the Segment Nos. series allows manual numbers (default: the next number)."
    )
    static let mine = OptionalArgument.named("mine", .bool, "Only your own segments (default false).")

    /// An example header, as SEGMENT-SHOW and SEGMENT-LIST print it.
    static func exampleHeader(_ changes: [String: String?] = [:]) -> String {
        var values: [String: String?] = [
            "segment": "SEG00001", "description": "Spring mailing", "campaign": "CP0001",
            "campaign-description": "Spring fair", "salesperson": "AH", "template": "BUSLETTER", "group": "LETTER",
            "date": "2025-03-14", "correspondence-type": "hard_copy", "ignore-contact-corres-type": "false",
            "unit-cost": "8.00", "unit-duration": "30.00", "information-flow": "outbound", "initiated-by": "us",
            "campaign-target": "false", "campaign-response": "false", "send-word-docs": "false", "series": "SEG",
            "lines": "2", "cost": "16.00", "duration": "60.00", "criteria-actions": "1", "created-by": "ALICE",
        ]
        values.merge(changes) { $1 }
        return SegmentReplies.example(SegmentReplies.headerColumns, values)
    }

    static let create = Command(
        CommandSpec(
            name: "SEGMENT-CREATE",
            summary: "Create a segment: its number from Segment Nos., today's date, your salesperson.",
            arguments: [Self.typedNumber.spec] + SegmentArguments.headerFields,
            requiredRole: .salesperson,
            help: """
                Without segment=, the number comes from Segment Nos. of the marketing setup (set it with \
                SETUP-MARKETING segment-nos=<series>). The other arguments work as in SEGMENT-SET.
                """,
            example: [
                "SEGMENT-CREATE description=\"Spring mailing\" template=BUSLETTER campaign=CP0001 idem=s-1",
                Self.exampleHeader(["lines": "0", "cost": "0.00", "duration": "0.00", "criteria-actions": "0"]),
                "OK segment SEG00001 created",
            ],
            results: SegmentReplies.headerColumns
        ).idempotent(),
        reply: { invocation, session in
            let changes = SegmentArguments.headerChanges(invocation.arguments)
            let no = invocation.arguments[Self.typedNumber]
            let actor = session.actingUser
            return try await invocation.context.write(invocation, user: actor.userID) { connection in
                let header = try SegmentStore.create(connection, actor: actor, no: no, changes: changes)
                return .ok("segment \(header.no) created", [SegmentReplies.header(header)])
            }
        }
    )

    static let set = Command(
        CommandSpec(
            name: "SEGMENT-SET",
            summary: "Change header fields; changes reach the lines that use the header's template.",
            arguments: [SegmentArguments.segment.spec] + SegmentArguments.headerFields + SegmentArguments.headerDialogs,
            requiredRole: .salesperson,
            help: """
                A changed field is written to every line whose template is the header's (lines with their own \
                template are left alone) unless update-lines=false. A new template re-defaults the interaction \
                fields and the segment's content (language variants, attachments) and, unless \
                apply-template-to-lines=false, gives every line the template and its values. The correspondence \
                type reaches the lines only when the segment has a Word template or an attachment. An empty value \
                blanks a field. Salespeople change only their own segments.
                """,
            example: [
                "SEGMENT-SET SEG00001 unit-cost=9.50 description=\"Spring mailing 2\" idem=s-2",
                Self.exampleHeader([
                    "description": "Spring mailing 2", "unit-cost": "9.50", "lines": "120", "cost": "1140.00",
                    "duration": "3600.00", "criteria-actions": "2",
                ]),
                "OK segment SEG00001 changed, 120 lines updated",
            ],
            results: SegmentReplies.headerColumns
        ).idempotent(),
        reply: { invocation, session in
            let changes = SegmentArguments.headerChanges(invocation.arguments)
            let no = invocation.arguments[SegmentArguments.segment]
            let actor = session.actingUser
            return try await invocation.context.write(invocation, user: actor.userID) { connection in
                let (header, updated) = try SegmentStore.set(connection, actor: actor, no: no, changes)
                return .ok(
                    "segment \(no) changed, \(SegmentReplies.count(updated, "line")) updated",
                    [SegmentReplies.header(header)]
                )
            }
        }
    )

    static let show = Command(
        CommandSpec(
            name: "SEGMENT-SHOW",
            summary: "Show a segment header with its line count and totals.",
            arguments: [SegmentArguments.segment.spec],
            requiredRole: .salesperson,
            help: "Its lines: SEGMENT-LINE-LIST <segment>.",
            example: ["SEGMENT-SHOW SEG00001", Self.exampleHeader(), "OK segment SEG00001"],
            results: SegmentReplies.headerColumns
        ),
        reply: { invocation, _ in
            let no = invocation.arguments[SegmentArguments.segment]
            let header = try await invocation.context.store.pool.withConnection { connection in
                try SegmentStore.header(connection, no: no)
            }
            return .ok("segment \(header.no)", [SegmentReplies.header(header)])
        }
    )

    static let list = Command(
        CommandSpec(
            name: "SEGMENT-LIST",
            summary: "List the segments (not yet logged) with their line counts and totals.",
            arguments: [Self.mine.spec] + Paging.arguments("segments"),
            requiredRole: .salesperson,
            example: ["SEGMENT-LIST mine=true", Self.exampleHeader(), "OK 1 segment total=1"],
            results: SegmentReplies.headerColumns
        ),
        list: { invocation, session in
            let mine = invocation.arguments[Self.mine] ?? false
            let page = try Paging.request(invocation.arguments, keys: [.code(maxLength: 20)])
            let actor = session.actingUser
            // One bounded query; the connection is back in the pool before the page is streamed.
            let (headers, total) = try await invocation.context.store.pool.withConnection { connection in
                (
                    try SegmentStore.list(connection, actor: actor, mine: mine, after: page.code(0), limit: page.fetch),
                    try SegmentStore.count(connection, actor: actor, mine: mine)
                )
            }
            return Paging.reply(
                headers,
                page,
                noun: "segment",
                total: total,
                key: { [$0.no] },
                line: SegmentReplies.header
            )
        }
    )

    static let delete = Command(
        CommandSpec(
            name: "SEGMENT-DELETE",
            summary: "Delete a segment with its lines, criteria, history and content.",
            arguments: [SegmentArguments.segment.spec],
            requiredRole: .salesperson,
            example: ["SEGMENT-DELETE SEG00003 idem=s-9", "OK segment SEG00003 deleted with 12 lines"]
        ).idempotent(),
        reply: { invocation, session in
            let no = invocation.arguments[SegmentArguments.segment]
            let actor = session.actingUser
            return try await invocation.context.write(invocation, user: actor.userID) { connection in
                let lines = try SegmentStore.delete(connection, actor: actor, no: no)
                return .ok("segment \(no) deleted with \(SegmentReplies.count(lines, "line"))")
            }
        }
    )

    static let all: [Command] = [create, set, show, list, delete]
    static var specs: [CommandSpec] { all.map(\.spec) }
    static func make(_ context: ServerContext) -> [Command] { all }
}
