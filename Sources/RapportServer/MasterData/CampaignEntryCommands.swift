import LibPQ
import RapportModel
import RapportProtocol
import RapportStore

/// Campaign entries: CAMPAIGN-ENTRY-LIST, -SHOW, -CANCEL, -UNCANCEL, -DELETE, -DELETE-CANCELED.
enum CampaignEntryCommands {
    static let campaignEntry = RequiredArgument.positional(
        "campaign-entry",
        .integer(1...Int.max),
        "Campaign entry No."
    )
    static let campaignEntries = RequiredArgument.named(
        "campaign-entries",
        .list,
        "Campaign entry numbers, comma-separated."
    )
    static let onlyCampaignEntries = OptionalArgument.named(
        "campaign-entries",
        .list,
        "Only these campaign entry numbers, comma-separated."
    )
    static let campaignFilter = OptionalArgument.named("campaign", .code(maxLength: 20), "Only this campaign.")
    static let canceledFilter = OptionalArgument.named(
        "canceled",
        .bool,
        "Only canceled (true) or active (false); default both."
    )
    static let segmentFilter = OptionalArgument.named("segment", .code(maxLength: 20), "Only this Segment No.")
    static let from = OptionalArgument.named("from", .date, "Dated on or after this day.")
    static let to = OptionalArgument.named("to", .date, "Dated on or before this day.")
    static let dryRun = OptionalArgument.named(
        "dry-run",
        .bool,
        "Only count what would be deleted (default false)."
    )

    static let columns = [
        ResultColumn("campaign-entry", .integer), ResultColumn("campaign", .code), ResultColumn("description", .text),
        ResultColumn("date", .date), ResultColumn("user", .code), ResultColumn("segment", .code),
        ResultColumn("canceled", .bool), ResultColumn("salesperson", .code), ResultColumn("logged-segment", .integer),
        ResultColumn("document-type", .enumeration), ResultColumn("interactions", .integer),
        ResultColumn("cost", .decimal),
        ResultColumn("duration", .decimal),
    ]

    static func line(_ e: CampaignEntryRecord) -> DataLine {
        .shaped(
            Self.columns,
            [
                "campaign-entry": String(e.entryNo), "campaign": e.campaignNo, "description": e.description,
                "date": e.date.description, "user": e.userID, "segment": e.segmentNo, "canceled": String(e.canceled),
                "salesperson": e.salespersonCode, "logged-segment": e.registerNo.map(String.init),
                "document-type": e.documentType, "interactions": String(e.noOfInteractions),
                "cost": Amount.text(e.cost), "duration": Amount.text(e.duration),
            ]
        )
    }

    static let exampleLine = SegmentReplies.example(
        Self.columns,
        [
            "campaign-entry": "4", "campaign": "CP0001", "description": "Spring mailing", "date": "2025-03-14",
            "user": "ALICE", "segment": "SEG00001", "canceled": "false", "salesperson": "AH",
            "logged-segment": "17", "document-type": "", "interactions": "104", "cost": "832.00",
            "duration": "3120.00",
        ]
    )

    static let toggleColumns = [ResultColumn("campaign-entries", .integer), ResultColumn("entries", .integer)]
    static let deleteColumns = [
        ResultColumn("deleted", .integer), ResultColumn("matching", .integer), ResultColumn("entries", .integer),
        ResultColumn("dry-run", .bool),
    ]

    static let list = MasterDataCommand.list(
        CommandSpec(
            name: "CAMPAIGN-ENTRY-LIST",
            summary: "List campaign entries with their interaction counts, costs and durations.",
            arguments: [Self.campaignFilter.spec, Self.canceledFilter.spec] + Paging.arguments("campaign entries"),
            requiredRole: .salesperson,
            help: """
                In entry order. interactions, cost and duration count the entries whose Canceled equals the \
                campaign entry's, so a canceled campaign entry shows what it canceled.
                """,
            example: ["CAMPAIGN-ENTRY-LIST campaign=CP0001", Self.exampleLine, "OK 1 campaign entry total=1"],
            results: Self.columns
        ),
        keys: [.integer]
    ) { invocation, _, connection, page in
        let campaign = invocation.arguments[Self.campaignFilter]
        let canceled = invocation.arguments[Self.canceledFilter]
        let rows = try CampaignEntryStore.list(
            connection,
            campaignNo: campaign,
            canceled: canceled,
            after: page.integer(0),
            limit: page.fetch
        )
        let total = try CampaignEntryStore.count(connection, campaignNo: campaign, canceled: canceled)
        return Paging.reply(
            rows,
            page,
            noun: "campaign entry",
            plural: "campaign entries",
            total: total,
            key: { [String($0.entryNo)] },
            line: Self.line
        )
    }

    static let show = MasterDataCommand.read(
        CommandSpec(
            name: "CAMPAIGN-ENTRY-SHOW",
            summary: "Show a campaign entry with its interaction count, cost and duration.",
            arguments: [Self.campaignEntry.spec],
            requiredRole: .salesperson,
            help: "Its interactions: LOG-LIST campaign=<campaign>.",
            example: ["CAMPAIGN-ENTRY-SHOW 4", Self.exampleLine, "OK campaign entry 4"],
            results: Self.columns
        )
    ) { invocation, _, connection in
        let entryNo = Int64(invocation.arguments[Self.campaignEntry])
        let record = try CampaignEntryStore.show(connection, entryNo: entryNo)
        return .ok("campaign entry \(entryNo)", [Self.line(record)])
    }

    static let cancel = Self.toggle(
        CommandSpec(
            name: "CAMPAIGN-ENTRY-CANCEL",
            summary: "Cancel campaign entries with all their interactions.",
            arguments: [Self.campaignEntries.spec],
            requiredRole: .salesperson,
            help: """
                In one transaction and in bulk: the interactions stay but leave every count, cost and duration. \
                Refused while the campaign entry's logged segment is canceled. Salespeople cancel only the \
                campaign entries they created.
                """,
            example: [
                "CAMPAIGN-ENTRY-CANCEL campaign-entries=4 idem=c-30", "* campaign-entries=1 entries=104",
                "OK 1 campaign entry canceled",
            ],
            results: Self.toggleColumns
        ).idempotent(),
        canceled: true
    )

    static let uncancel = Self.toggle(
        CommandSpec(
            name: "CAMPAIGN-ENTRY-UNCANCEL",
            summary: "Un-cancel campaign entries with all their interactions.",
            arguments: [Self.campaignEntries.spec],
            requiredRole: .salesperson,
            help: """
                Every interaction of the campaign entry becomes active, also ones canceled one by one. Refused \
                while the campaign entry's logged segment is canceled.
                """,
            example: [
                "CAMPAIGN-ENTRY-UNCANCEL campaign-entries=4 idem=c-31", "* campaign-entries=1 entries=104",
                "OK 1 campaign entry uncanceled",
            ],
            results: Self.toggleColumns
        ).idempotent(),
        canceled: false
    )

    static let delete = MasterDataCommand.write(
        CommandSpec(
            name: "CAMPAIGN-ENTRY-DELETE",
            summary: "Delete a campaign entry with all its interactions.",
            arguments: [Self.campaignEntry.spec],
            requiredRole: .manager,
            help: "Canceled or not: its interactions are deleted with it.",
            example: [
                "CAMPAIGN-ENTRY-DELETE 4 idem=c-32", "* deleted=1 matching=1 entries=104 dry-run=false",
                "OK campaign entry 4 deleted with 104 entries",
            ],
            results: Self.deleteColumns
        ).idempotent()
    ) { invocation, _, connection in
        let entryNo = Int64(invocation.arguments[Self.campaignEntry])
        let entries = try CampaignEntryStore.delete(connection, entryNo: entryNo)
        return .ok(
            "campaign entry \(entryNo) deleted with \(InteractionReplies.entries(entries))",
            [Self.deleteLine(deleted: 1, matching: 1, entries: entries, dryRun: false)]
        )
    }

    static let deleteCanceled = MasterDataCommand.write(
        CommandSpec(
            name: "CAMPAIGN-ENTRY-DELETE-CANCELED",
            summary: "Delete canceled campaign entries with all their interactions.",
            arguments: [
                Self.onlyCampaignEntries.spec, Self.campaignFilter.spec, Self.segmentFilter.spec, Self.from.spec,
                Self.to.spec, Self.dryRun.spec,
            ],
            requiredRole: .manager,
            help: "Only canceled campaign entries matching every filter given; dry-run=true only counts.",
            example: [
                "CAMPAIGN-ENTRY-DELETE-CANCELED campaign=CP0001 dry-run=true",
                "* deleted=0 matching=1 entries=104 dry-run=true",
                "OK dry run: 1 campaign entry matches, nothing deleted",
            ],
            results: Self.deleteColumns
        ).idempotent()
    ) { invocation, _, connection in
        let arguments = invocation.arguments
        let filter = CampaignEntryDeleteFilter(
            entryNos: try arguments[Self.onlyCampaignEntries].map {
                try LoggedSegmentCommands.numbers($0, "campaign-entries")
            },
            campaignNo: arguments[Self.campaignFilter],
            segmentNo: arguments[Self.segmentFilter],
            from: arguments[Self.from],
            to: arguments[Self.to]
        )
        let dryRun = arguments[Self.dryRun] ?? false
        let (count, entries) = try CampaignEntryStore.deleteCanceled(connection, filter, dryRun: dryRun)
        let line = Self.deleteLine(deleted: dryRun ? 0 : count, matching: count, entries: entries, dryRun: dryRun)
        let noun = MasterDataCommand.count(count, "campaign entry", plural: "campaign entries")
        if dryRun {
            return .ok("dry run: \(noun) \(count == 1 ? "matches" : "match"), nothing deleted", [line])
        }
        return .ok("\(noun) deleted with \(InteractionReplies.entries(entries))", [line])
    }

    static let all = [list, show, cancel, uncancel, delete, deleteCanceled]
    static var specs: [CommandSpec] { all.map(\.spec) }
    static func make(_ context: ServerContext) -> [Command] { all }

    static func deleteLine(deleted: Int, matching: Int, entries: Int, dryRun: Bool) -> DataLine {
        .shaped(
            Self.deleteColumns,
            [
                "deleted": String(deleted), "matching": String(matching), "entries": String(entries),
                "dry-run": String(dryRun),
            ]
        )
    }

    private static func toggle(_ spec: CommandSpec, canceled: Bool) -> Command {
        Command(
            spec,
            reply: { invocation, session in
                let numbers = try LoggedSegmentCommands.numbers(
                    invocation.arguments[Self.campaignEntries],
                    "campaign-entries"
                )
                let actor = session.actingUser
                return try await invocation.context.write(invocation, user: actor.userID) { connection in
                    let result = try CampaignEntryStore.setCanceled(
                        connection,
                        actor: actor,
                        entryNos: numbers,
                        canceled: canceled
                    )
                    let noun = MasterDataCommand.count(numbers.count, "campaign entry", plural: "campaign entries")
                    return .ok(
                        "\(noun) \(canceled ? "canceled" : "uncanceled")",
                        [
                            .shaped(
                                Self.toggleColumns,
                                [
                                    "campaign-entries": String(result.campaignEntries),
                                    "entries": String(result.entries),
                                ]
                            )
                        ]
                    )
                }
            }
        )
    }
}
