import LibPQ
import RapportModel
import RapportProtocol
import RapportStore

/// Logged segments: LOGGED-SEGMENT-LIST, -SHOW, -CANCEL, -UNCANCEL, -DELETE-CANCELED.
enum LoggedSegmentCommands {
    static let loggedSegment = RequiredArgument.positional(
        "logged-segment",
        .integer(1...Int.max),
        "Logged segment entry No."
    )
    static let loggedSegments = RequiredArgument.named(
        "logged-segments",
        .list,
        "Logged segment entry numbers, comma-separated."
    )
    static let onlyLoggedSegments = OptionalArgument.named(
        "logged-segments",
        .list,
        "Only these logged segment numbers, comma-separated."
    )
    static let canceledFilter = OptionalArgument.named(
        "canceled",
        .bool,
        "Only canceled (true) or active (false); default both."
    )
    static let segmentFilter = OptionalArgument.named("segment", .code(maxLength: 20), "Only this Segment No.")
    static let userFilter = OptionalArgument.named("user", .code(maxLength: 50), "Logged by this user.")
    static let dryRun = OptionalArgument.named(
        "dry-run",
        .bool,
        "Only count what would be deleted (default false)."
    )

    static let columns = [
        ResultColumn("logged-segment", .integer), ResultColumn("segment", .code), ResultColumn("description", .text),
        ResultColumn("creation-date", .date), ResultColumn("user", .code), ResultColumn("canceled", .bool),
        ResultColumn("interactions", .integer), ResultColumn("campaign-entries", .integer),
        ResultColumn("campaigns", .list), ResultColumn("delivery-queued", .integer),
        ResultColumn("delivery-sent", .integer), ResultColumn("delivery-failed", .integer),
    ]

    /// A logged segment with the delivery counts of its entries (issue 15).
    static func line(_ s: LoggedSegmentRecord, _ delivery: DeliveryCounts) -> DataLine {
        .shaped(
            Self.columns,
            [
                "logged-segment": String(s.entryNo),
                "segment": s.segmentNo,
                "description": s.description,
                "creation-date": s.creationDate.description,
                "user": s.userID,
                "canceled": String(s.canceled),
                "interactions": String(s.noOfInteractions),
                "campaign-entries": String(s.noOfCampaignEntries),
                "campaigns": s.campaigns.isEmpty ? nil : s.campaigns.joined(separator: ","),
                "delivery-queued": String(delivery.queued),
                "delivery-sent": String(delivery.sent),
                "delivery-failed": String(delivery.failed),
            ]
        )
    }

    static let exampleLine = SegmentReplies.example(
        Self.columns,
        [
            "logged-segment": "17", "segment": "SEG00001", "description": "Spring mailing",
            "creation-date": "2025-03-14", "user": "ALICE", "canceled": "false", "interactions": "104",
            "campaign-entries": "1", "campaigns": "CP0001", "delivery-queued": "2", "delivery-sent": "101",
            "delivery-failed": "1",
        ]
    )

    static let deliveryHelp = """
        delivery-queued, -sent, -failed count its entries by their latest delivery: waiting or being sent, \
        delivered, failed for good (view delivery_status_by_logged_segment).
        """

    static let toggleColumns = [
        ResultColumn("logged-segments", .integer), ResultColumn("entries", .integer),
        ResultColumn("campaign-entries", .integer),
    ]

    static let deleteColumns = [
        ResultColumn("deleted", .integer), ResultColumn("matching", .integer),
        ResultColumn("entries-unlinked", .integer), ResultColumn("dry-run", .bool),
    ]

    static let list = Command(
        CommandSpec(
            name: "LOGGED-SEGMENT-LIST",
            summary: "List logged segments, newest first, with their interaction and campaign entry counts.",
            arguments: [Self.canceledFilter.spec, Self.segmentFilter.spec, Self.userFilter.spec]
                + Paging.arguments("logged segments"),
            requiredRole: .salesperson,
            help: """
                Counts follow BC: interactions and campaign entries whose Canceled equals the logged segment's. \
                Newest first (descending entry No.).
                """ + " " + Self.deliveryHelp,
            example: ["LOGGED-SEGMENT-LIST limit=1", Self.exampleLine, "OK 1 logged segment total=3 next=17"],
            results: Self.columns
        ),
        list: { invocation, _ in
            let arguments = invocation.arguments
            let page = try Paging.request(arguments, keys: [.integer])
            let canceled = arguments[Self.canceledFilter]
            let segment = arguments[Self.segmentFilter]
            let user = arguments[Self.userFilter]
            // Newest first: the next page holds the entries numbered below the cursor.
            let before = page.integer(0)
            let (records, total, delivery) = try await invocation.context.store.pool.withConnection { connection in
                let records = try LoggedSegmentStore.list(
                    connection,
                    canceled: canceled,
                    segmentNo: segment,
                    userID: user,
                    before: before,
                    limit: page.fetch
                )
                return (
                    records,
                    try LoggedSegmentStore.count(connection, canceled: canceled, segmentNo: segment, userID: user),
                    try DeliveryStore.counts(connection, loggedSegmentEntryNos: records.map(\.entryNo))
                )
            }
            return Paging.reply(
                records,
                page,
                noun: "logged segment",
                total: total,
                key: { [String($0.entryNo)] },
                line: { Self.line($0, delivery[$0.entryNo] ?? DeliveryCounts(queued: 0, sent: 0, failed: 0)) }
            )
        }
    )

    static let show = Command(
        CommandSpec(
            name: "LOGGED-SEGMENT-SHOW",
            summary: "Show a logged segment with its counts and campaigns.",
            arguments: [Self.loggedSegment.spec],
            requiredRole: .salesperson,
            help: "Its interactions: LOG-LIST logged-segment=N. " + Self.deliveryHelp,
            example: ["LOGGED-SEGMENT-SHOW 17", Self.exampleLine, "OK logged segment 17"],
            results: Self.columns
        ),
        reply: { invocation, _ in
            let entryNo = Int64(invocation.arguments[Self.loggedSegment])
            let (record, delivery) = try await invocation.context.store.pool.withConnection { connection in
                let (record, _) = try LoggedSegmentStore.show(connection, entryNo: entryNo)
                let counts = try DeliveryStore.counts(connection, loggedSegmentEntryNos: [entryNo])
                return (record, counts[entryNo] ?? DeliveryCounts(queued: 0, sent: 0, failed: 0))
            }
            return .ok("logged segment \(entryNo)", [Self.line(record, delivery)])
        }
    )

    static let cancel = Self.toggle(
        CommandSpec(
            name: "LOGGED-SEGMENT-CANCEL",
            summary: "Cancel logged segments with all their interactions and campaign entries.",
            arguments: [Self.loggedSegments.spec],
            requiredRole: .salesperson,
            help: """
                In one transaction and in bulk: the entries stay but leave every count, cost and duration. \
                Salespeople cancel only what they logged.
                """,
            example: [
                "LOGGED-SEGMENT-CANCEL logged-segments=17 idem=s-30",
                "* logged-segments=1 entries=104 campaign-entries=1", "OK 1 logged segment canceled",
            ],
            results: Self.toggleColumns
        ).idempotent(),
        canceled: true
    )

    static let uncancel = Self.toggle(
        CommandSpec(
            name: "LOGGED-SEGMENT-UNCANCEL",
            summary: "Un-cancel logged segments with all their interactions and campaign entries.",
            arguments: [Self.loggedSegments.spec],
            requiredRole: .salesperson,
            help: "As BC: every interaction of the logged segment becomes active, also ones canceled one by one.",
            example: [
                "LOGGED-SEGMENT-UNCANCEL logged-segments=17 idem=s-31",
                "* logged-segments=1 entries=104 campaign-entries=1", "OK 1 logged segment uncanceled",
            ],
            results: Self.toggleColumns
        ).idempotent(),
        canceled: false
    )

    static let deleteCanceled = Command(
        CommandSpec(
            name: "LOGGED-SEGMENT-DELETE-CANCELED",
            summary: "Delete canceled logged segments; their interactions stay, unlinked.",
            arguments: [Self.onlyLoggedSegments.spec, Self.segmentFilter.spec, Self.dryRun.spec],
            requiredRole: .manager,
            help: """
                Only canceled logged segments. Their interactions and campaign entries are kept (still canceled) \
                and lose the link; LOG-DELETE-CANCELED removes the interactions.
                """,
            example: [
                "LOGGED-SEGMENT-DELETE-CANCELED dry-run=true",
                "* deleted=0 matching=1 entries-unlinked=104 dry-run=true",
                "OK dry run: 1 logged segment matches, nothing deleted",
            ],
            results: Self.deleteColumns
        ).idempotent(),
        reply: { invocation, session in
            let arguments = invocation.arguments
            let numbers = try arguments[Self.onlyLoggedSegments].map { try Self.numbers($0, "logged-segments") }
            let segment = arguments[Self.segmentFilter]
            let dryRun = arguments[Self.dryRun] ?? false
            return try await invocation.context.write(invocation, user: session.actingUser.userID) { connection in
                let (count, unlinked) = try LoggedSegmentStore.deleteCanceled(
                    connection,
                    entryNos: numbers,
                    segmentNo: segment,
                    dryRun: dryRun
                )
                let line = DataLine.shaped(
                    Self.deleteColumns,
                    [
                        "deleted": dryRun ? "0" : String(count),
                        "matching": String(count),
                        "entries-unlinked": String(unlinked),
                        "dry-run": String(dryRun),
                    ]
                )
                if dryRun {
                    let matches = count == 1 ? "matches" : "match"
                    return .ok(
                        "dry run: \(SegmentReplies.count(count, "logged segment")) \(matches), nothing deleted",
                        [line]
                    )
                }
                return .ok(SegmentMessages.loggedSegmentsDeleted(count), [line])
            }
        }
    )

    static let all: [Command] = [list, show, cancel, uncancel, deleteCanceled]
    static var specs: [CommandSpec] { all.map(\.spec) }
    static func make(_ context: ServerContext) -> [Command] { all }

    /// Entry numbers of a selection (`logged-segments=17,18`), each once.
    static func numbers(_ items: [String], _ name: String, maximum: Int = 1000) throws -> [Int64] {
        var numbers: [Int64] = []
        for item in items {
            guard let number = Int64(item), number > 0 else {
                throw CommandError(.badArguments, "argument \(name) must be entry numbers separated by commas")
            }
            if !numbers.contains(number) { numbers.append(number) }
        }
        guard !numbers.isEmpty else {
            throw CommandError(.badArguments, "argument \(name) names no entry: give \(name)=N,M")
        }
        guard numbers.count <= maximum else {
            throw CommandError(.tooLarge, "at most \(maximum) entries at a time: split \(name) into batches")
        }
        return numbers
    }

    private static func toggle(_ spec: CommandSpec, canceled: Bool) -> Command {
        Command(
            spec,
            reply: { invocation, session in
                let numbers = try Self.numbers(invocation.arguments[Self.loggedSegments], "logged-segments")
                let actor = session.actingUser
                return try await invocation.context.write(invocation, user: actor.userID) { connection in
                    let result = try LoggedSegmentStore.setCanceled(
                        connection,
                        actor: actor,
                        entryNos: numbers,
                        canceled: canceled
                    )
                    return .ok(
                        "\(SegmentReplies.count(numbers.count, "logged segment")) \(canceled ? "canceled" : "uncanceled")",
                        [
                            .shaped(
                                Self.toggleColumns,
                                [
                                    "logged-segments": String(result.loggedSegments),
                                    "entries": String(result.entries),
                                    "campaign-entries": String(result.campaignEntries),
                                ]
                            )
                        ]
                    )
                }
            }
        )
    }
}
