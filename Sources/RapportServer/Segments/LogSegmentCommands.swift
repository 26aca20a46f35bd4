import LibPQ
import RapportModel
import RapportProtocol
import RapportStore

/// LOG-SEGMENT (reference 3.8): the whole logging in one transaction, or a dry run.
enum LogSegmentCommands {
    static let specs: [CommandSpec] = [
        CommandSpec(
            name: "LOG-SEGMENT",
            summary: "Log a segment: one interaction per line, the logged segment, campaign entries, all or nothing.",
            arguments: [
                SegmentArguments.segment.spec,
                ArgumentSpec(
                    "send",
                    kind: .named,
                    valueType: .bool,
                    help: "Send Attachments: queue deliveries (default: true when a line has a correspondence type)."
                ),
                ArgumentSpec(
                    "follow-up",
                    kind: .named,
                    valueType: .bool,
                    help: "Create a follow-up segment with the same contacts (needs Segment Nos.)."
                ),
                ArgumentSpec(
                    "dry-run",
                    kind: .named,
                    valueType: .bool,
                    help: "Only check: line count, total cost and duration, and every refusal; writes nothing."
                ),
            ],
            requiredRole: .salesperson,
            help: """
                One transaction: the segment row is locked (a second logging of the same segment waits, then gets \
                ERR CONFLICT "Logged Segment for Segment No. X already exists."), the description is required, an \
                empty segment is refused, every line is checked (date, salesperson, template, e-mail when \
                sending, content when sending; the first failing line is reported), then all entries are \
                inserted in line order, the logged segment and one campaign entry per campaign are created, the \
                attachments become read-only, the segment is deleted and, with follow-up=true, a follow-up \
                segment "Follow-up on segment X" gets one line per logged interaction. With send, entries to \
                deliver are marked in_progress and queued for DELIVERY-CLAIM; delivery happens after the commit. \
                A failure anywhere leaves nothing behind.
                """,
            example: [
                "LOG-SEGMENT SEG00001 follow-up=true idem=s-20",
                "* segment=SEG00001 logged-segment=17 entries=104 cost=832.00 duration=3120.00 campaign-entries=1 "
                    + "send=true queued=104 follow-up=SEG00002",
                "OK Segment SEG00001 has been logged.",
            ]
        ).idempotent()
    ]

    static func make(_ context: ServerContext) -> [Command] {
        [
            Command(
                SessionCommands.spec("LOG-SEGMENT"),
                reply: { invocation, session in
                    let arguments = invocation.arguments
                    let no = arguments.code("segment")!
                    let options = LogSegmentStore.Options(
                        send: arguments.bool("send"),
                        followUp: arguments.bool("follow-up") ?? false
                    )
                    let actor = session.actingUser
                    if arguments.bool("dry-run") ?? false {
                        let result = try await context.store.pool.withConnection { connection in
                            try LogSegmentStore.dryRun(connection, actor: actor, segmentNo: no, options: options)
                        }
                        return Self.dryRunReply(result)
                    }
                    return try await context.write(invocation, user: actor.userID) { connection in
                        let result = try LogSegmentStore.log(connection, actor: actor, segmentNo: no, options: options)
                        return .ok(SegmentMessages.logged(no), [Self.summary(result, dryRun: false)])
                    }
                }
            )
        ]
    }

    static func summary(_ result: SegmentLogResult, dryRun: Bool) -> DataLine {
        .named([
            "segment": result.segmentNo,
            "logged-segment": result.loggedSegmentEntryNo.map(String.init),
            "entries": String(result.entries),
            "cost": result.cost,
            "duration": result.duration,
            "campaign-entries": String(result.campaignEntries),
            "send": String(result.send),
            "queued": String(result.queued),
            "follow-up": result.followUpSegmentNo,
            "dry-run": dryRun ? "true" : nil,
            "failing-lines": dryRun ? String(result.failingLines) : nil,
        ])
    }

    private static func dryRunReply(_ result: SegmentLogResult) -> Response {
        let errors = result.errors.map { DataLine.named(["error": $0]) }
        let text =
            result.errors.isEmpty
            ? "dry run: segment \(result.segmentNo) can be logged, nothing written"
            : "dry run: \(SegmentReplies.count(result.errors.count, "problem")) found, nothing written"
        return .ok(text, [Self.summary(result, dryRun: true)] + errors)
    }
}
