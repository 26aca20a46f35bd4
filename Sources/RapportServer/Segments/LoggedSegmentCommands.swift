import LibPQ
import RapportModel
import RapportProtocol
import RapportStore

/// Logged segments (reference 3.10): LOGGED-SEGMENT-LIST, -SHOW, -CANCEL, -UNCANCEL, -DELETE-CANCELED.
enum LoggedSegmentCommands {
    static let entryArgument = ArgumentSpec(
        "logged-segment",
        kind: .positional,
        required: true,
        valueType: .integer(1...Int.max),
        help: "Logged segment entry No."
    )

    static let entriesArgument = ArgumentSpec(
        "logged-segments",
        kind: .positional,
        required: true,
        valueType: .list,
        help: "Logged segment entry numbers, comma-separated."
    )

    static let specs: [CommandSpec] = [
        CommandSpec(
            name: "LOGGED-SEGMENT-LIST",
            summary: "List logged segments, newest first, with their interaction and campaign entry counts.",
            arguments: [
                ArgumentSpec(
                    "canceled",
                    kind: .named,
                    valueType: .bool,
                    help: "Only canceled (true) or active (false)."
                ),
                ArgumentSpec("segment", kind: .named, valueType: .code(maxLength: 20), help: "Segment No."),
                ArgumentSpec("user", kind: .named, valueType: .code(maxLength: 50), help: "Logged by this user."),
            ] + Paging.arguments("logged segments"),
            requiredRole: .salesperson,
            help: """
                Counts follow BC: interactions and campaign entries whose Canceled equals the logged segment's. \
                Newest first (descending entry No.).
                """,
            example: [
                "LOGGED-SEGMENT-LIST limit=1",
                "* logged-segment=17 segment=SEG00001 description=\"Spring mailing\" creation-date=2025-03-14 "
                    + "user=ALICE canceled=false interactions=104 campaign-entries=1",
                "OK 1 logged segment next=17",
            ]
        ),
        CommandSpec(
            name: "LOGGED-SEGMENT-SHOW",
            summary: "Show a logged segment and its campaign entries.",
            arguments: [Self.entryArgument],
            requiredRole: .salesperson,
            help: "Its interactions: LOG-LIST logged-segment=N.",
            example: [
                "LOGGED-SEGMENT-SHOW 17",
                "* logged-segment=17 segment=SEG00001 description=\"Spring mailing\" creation-date=2025-03-14 "
                    + "user=ALICE canceled=false interactions=104 campaign-entries=1",
                "* campaign-entry=9 campaign=CP0001 description=\"Spring mailing\" date=2025-03-14 canceled=false "
                    + "interactions=104",
                "OK 1 campaign entry",
            ]
        ),
        CommandSpec(
            name: "LOGGED-SEGMENT-CANCEL",
            summary: "Cancel logged segments with all their interactions and campaign entries.",
            arguments: [Self.entriesArgument],
            requiredRole: .salesperson,
            help: """
                Reference 3.10 R2, in one transaction and bulk: the entries stay but leave every count, cost and \
                duration. Salespeople cancel only what they logged.
                """,
            example: [
                "LOGGED-SEGMENT-CANCEL 17 idem=s-30",
                "* logged-segments=1 entries=104 campaign-entries=1",
                "OK 1 logged segment canceled",
            ]
        ).idempotent(),
        CommandSpec(
            name: "LOGGED-SEGMENT-UNCANCEL",
            summary: "Un-cancel logged segments with all their interactions and campaign entries.",
            arguments: [Self.entriesArgument],
            requiredRole: .salesperson,
            help: "As BC: every interaction of the logged segment becomes active, also ones canceled one by one.",
            example: [
                "LOGGED-SEGMENT-UNCANCEL 17 idem=s-31",
                "* logged-segments=1 entries=104 campaign-entries=1",
                "OK 1 logged segment uncanceled",
            ]
        ).idempotent(),
        CommandSpec(
            name: "LOGGED-SEGMENT-DELETE-CANCELED",
            summary: "Delete canceled logged segments; their interactions stay, unlinked.",
            arguments: [
                ArgumentSpec(
                    "logged-segments",
                    kind: .named,
                    valueType: .list,
                    help: "Only these logged segment numbers, comma-separated."
                ),
                ArgumentSpec("segment", kind: .named, valueType: .code(maxLength: 20), help: "Only this Segment No."),
                ArgumentSpec("dry-run", kind: .named, valueType: .bool, help: "Only count what would be deleted."),
            ],
            requiredRole: .manager,
            help: """
                Reference 3.10 R3: only canceled logged segments. Their interactions and campaign entries are kept \
                (still canceled) and lose the link; LOG-DELETE-CANCELED removes the interactions.
                """,
            example: [
                "LOGGED-SEGMENT-DELETE-CANCELED dry-run=true",
                "* deleted=0 matching=1 entries-unlinked=104 dry-run=true",
                "OK dry run: 1 logged segment matches, nothing deleted",
            ]
        ).idempotent(),
    ]

    static func make(_ context: ServerContext) -> [Command] {
        [
            Command(
                SessionCommands.spec("LOGGED-SEGMENT-LIST"),
                list: { invocation, _ in
                    let arguments = invocation.arguments
                    let page = try Paging.request(arguments, keys: [.integer])
                    let canceled = arguments.bool("canceled")
                    let segment = arguments.code("segment")
                    let user = arguments.code("user")
                    // Newest first: the next page holds the entries numbered below the cursor.
                    let before = page.integer(0)
                    let records = try await context.store.pool.withConnection { connection in
                        try LoggedSegmentStore.list(
                            connection,
                            canceled: canceled,
                            segmentNo: segment,
                            userID: user,
                            before: before,
                            limit: page.fetch
                        )
                    }
                    return Paging.reply(
                        records,
                        page,
                        noun: "logged segment",
                        key: { [String($0.entryNo)] },
                        line: SegmentReplies.logged
                    )
                }
            ),
            Command(
                SessionCommands.spec("LOGGED-SEGMENT-SHOW"),
                reply: { invocation, _ in
                    let entryNo = Int64(invocation.arguments.integer("logged-segment")!)
                    let (record, campaigns) = try await context.store.pool.withConnection { connection in
                        try LoggedSegmentStore.show(connection, entryNo: entryNo)
                    }
                    return .ok(
                        SegmentReplies.count(campaigns.count, "campaign entry", "campaign entries"),
                        [SegmentReplies.logged(record)] + campaigns.map(SegmentReplies.campaignEntry)
                    )
                }
            ),
            Self.toggle("LOGGED-SEGMENT-CANCEL", canceled: true, context),
            Self.toggle("LOGGED-SEGMENT-UNCANCEL", canceled: false, context),
            Command(
                SessionCommands.spec("LOGGED-SEGMENT-DELETE-CANCELED"),
                reply: { invocation, session in
                    let arguments = invocation.arguments
                    let numbers = try SegmentArguments.numbers(arguments, "logged-segments")
                    let segment = arguments.code("segment")
                    let dryRun = arguments.bool("dry-run") ?? false
                    return try await context.write(invocation, user: session.actingUser.userID) { connection in
                        let (count, unlinked) = try LoggedSegmentStore.deleteCanceled(
                            connection,
                            entryNos: numbers,
                            segmentNo: segment,
                            dryRun: dryRun
                        )
                        let line = DataLine.named([
                            "deleted": dryRun ? "0" : String(count),
                            "matching": String(count),
                            "entries-unlinked": String(unlinked),
                            "dry-run": String(dryRun),
                        ])
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
            ),
        ]
    }

    private static func toggle(_ name: String, canceled: Bool, _ context: ServerContext) -> Command {
        Command(
            SessionCommands.spec(name),
            reply: { invocation, session in
                let numbers = try SegmentArguments.numbers(invocation.arguments, "logged-segments") ?? []
                let actor = session.actingUser
                return try await context.write(invocation, user: actor.userID) { connection in
                    let result = try LoggedSegmentStore.setCanceled(
                        connection,
                        actor: actor,
                        entryNos: numbers,
                        canceled: canceled
                    )
                    return .ok(
                        "\(SegmentReplies.count(numbers.count, "logged segment")) \(canceled ? "canceled" : "uncanceled")",
                        [
                            .named([
                                "logged-segments": String(result.loggedSegments),
                                "entries": String(result.entries),
                                "campaign-entries": String(result.campaignEntries),
                            ])
                        ]
                    )
                }
            }
        )
    }
}
