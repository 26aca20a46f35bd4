import LibPQ
import RapportModel
import RapportProtocol
import RapportStore

/// LOG-SEGMENT: the whole logging in one transaction, or a dry run.
enum LogSegmentCommands {
    static let deliver = OptionalArgument.named(
        "deliver",
        .bool,
        "Queue the deliveries of the attachments (default: true when a line has a correspondence type)."
    )
    static let followUp = OptionalArgument.named(
        "follow-up",
        .bool,
        "Create a follow-up segment with the same contacts (needs Segment Nos.; default false)."
    )
    static let dryRun = OptionalArgument.named(
        "dry-run",
        .bool,
        "Only check: line count, total cost and duration, and every refusal; writes nothing (default false)."
    )

    /// The summary line, then (dry run) one line per refusal with only `segment` and `error`.
    static let columns = [
        ResultColumn("segment", .code), ResultColumn("logged-segment", .integer), ResultColumn("entries", .integer),
        ResultColumn("cost", .decimal), ResultColumn("duration", .decimal),
        ResultColumn("campaign-entries", .integer), ResultColumn("deliver", .bool), ResultColumn("queued", .integer),
        ResultColumn("follow-up", .code), ResultColumn("dry-run", .bool), ResultColumn("failing-lines", .integer),
        ResultColumn("error", .text),
    ]

    static let log = Command(
        CommandSpec(
            name: "LOG-SEGMENT",
            summary: "Log a segment: one interaction per line, the logged segment, campaign entries, all or nothing.",
            arguments: [SegmentArguments.segment.spec, Self.deliver.spec, Self.followUp.spec, Self.dryRun.spec],
            requiredRole: .salesperson,
            help: """
                One transaction: the segment row is locked (a second logging of the same segment waits, then gets \
                ERR CONFLICT "Logged Segment for Segment No. X already exists."), the description is required, an \
                empty segment is refused, every line is checked (date, salesperson, template, e-mail and content \
                when delivering; the first failing line is reported), a contact blocked due to privacy refuses the \
                segment, then all entries are inserted in line \
                order, the logged segment and one campaign entry per campaign are created, the attachments become \
                read-only, the segment is deleted and, with follow-up=true, a follow-up segment "Follow-up on \
                segment X" gets one line per logged interaction. With deliver, entries to deliver are marked \
                in_progress and queued for DELIVERY-CLAIM; delivery happens after the commit. A failure anywhere \
                leaves nothing behind. A dry run prints the summary, then one line per problem (error=).
                """,
            example: [
                "LOG-SEGMENT SEG00001 follow-up=true idem=s-20",
                SegmentReplies.example(
                    Self.columns,
                    [
                        "segment": "SEG00001", "logged-segment": "17", "entries": "104", "cost": "832.00",
                        "duration": "3120.00", "campaign-entries": "1", "deliver": "true", "queued": "104",
                        "follow-up": "SEG00002", "dry-run": "false",
                    ]
                ),
                "OK Segment SEG00001 has been logged.",
            ],
            results: Self.columns
        ).idempotent(),
        reply: { invocation, session in
            let arguments = invocation.arguments
            let no = arguments[SegmentArguments.segment]
            let options = LogSegmentStore.Options(
                send: arguments[Self.deliver],
                followUp: arguments[Self.followUp] ?? false,
                emailRelayMissing: invocation.context.emailRelayMissing
            )
            let actor = session.actingUser
            if arguments[Self.dryRun] ?? false {
                let result = try await invocation.context.store.pool.withConnection { connection in
                    try LogSegmentStore.dryRun(connection, actor: actor, segmentNo: no, options: options)
                }
                return Self.dryRunReply(result)
            }
            return try await invocation.context.write(invocation, user: actor.userID) { connection in
                let result = try LogSegmentStore.log(connection, actor: actor, segmentNo: no, options: options)
                return .ok(SegmentMessages.logged(no), [Self.summary(result, dryRun: false)])
            }
        }
    )

    static let all: [Command] = [log]
    static var specs: [CommandSpec] { all.map(\.spec) }
    static func make(_ context: ServerContext) -> [Command] { all }

    static func summary(_ result: SegmentLogResult, dryRun: Bool) -> DataLine {
        .shaped(
            Self.columns,
            [
                "segment": result.segmentNo,
                "logged-segment": result.loggedSegmentEntryNo.map(String.init),
                "entries": String(result.entries),
                "cost": Amount.text(result.cost),
                "duration": Amount.text(result.duration),
                "campaign-entries": String(result.campaignEntries),
                "deliver": String(result.send),
                "queued": String(result.queued),
                "follow-up": result.followUpSegmentNo,
                "dry-run": String(dryRun),
                "failing-lines": dryRun ? String(result.failingLines) : nil,
            ]
        )
    }

    private static func dryRunReply(_ result: SegmentLogResult) -> Response {
        let errors = result.errors.map { DataLine.shaped(Self.columns, ["segment": result.segmentNo, "error": $0]) }
        let text =
            result.errors.isEmpty
            ? "dry run: segment \(result.segmentNo) can be logged, nothing written"
            : "dry run: \(SegmentReplies.count(result.errors.count, "problem")) found, nothing written"
        return .ok(text, [Self.summary(result, dryRun: true)] + errors)
    }
}
