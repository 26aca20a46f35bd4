import LibPQ
import RapportProtocol
import RapportStore

/// CAMPAIGN-ADD, -SET, -LIST, -DELETE.
enum CampaignCommands {
    static let campaign = RequiredArgument.positional("campaign", .code(maxLength: 20), "Campaign number.")
    static let newCampaign = OptionalArgument.named(
        "campaign",
        .code(maxLength: 20),
        "Campaign number; omitted, the next of the setup's campaign series."
    )
    static let description = ChangeArgument.named("description", .text(maxLength: 100), "Description.")
    static let startingDate = ChangeArgument.named("starting-date", .date, "Starting date.")
    static let endingDate = ChangeArgument.named("ending-date", .date, "Ending date (not before the starting date).")
    static let salesperson = ChangeArgument.named("salesperson", .code(maxLength: 20), "Salesperson responsible.")
    static let status = ChangeArgument.named("status", .code(maxLength: 10), "Campaign status (CAMPAIGN-STATUS-ADD).")
    static let fields = [description.spec, startingDate.spec, endingDate.spec, salesperson.spec, status.spec]
    static let ofSalesperson = OptionalArgument.named(
        "salesperson",
        .code(maxLength: 20),
        "Only the campaigns of this salesperson."
    )

    static let columns = [
        ResultColumn("campaign", .code), ResultColumn("description", .text), ResultColumn("starting-date", .date),
        ResultColumn("ending-date", .date), ResultColumn("salesperson", .code), ResultColumn("status", .code),
        ResultColumn("activated", .bool),
    ]

    static let add = MasterDataCommand.write(
        CommandSpec(
            name: "CAMPAIGN-ADD",
            summary: "Create a campaign.",
            arguments: [newCampaign.spec] + fields,
            requiredRole: .manager,
            help:
                "Without campaign=, the number comes from the marketing setup's campaign series "
                + "(SETUP-MARKETING campaign-nos=); a typed number needs a series that allows manual "
                + "numbers, or none.",
            example: [
                "CAMPAIGN-ADD description=\"Spring golf event\" starting-date=2025-04-01 ending-date=2025-05-31 "
                    + "salesperson=AH",
                "* campaign=CP0001 description=\"Spring golf event\" starting-date=2025-04-01 ending-date=2025-05-31 "
                    + "salesperson=AH status= activated=false",
                "OK campaign CP0001 created",
            ],
            results: columns
        ).idempotent()
    ) { invocation, _, connection in
        let arguments = invocation.arguments
        let typed = arguments[Self.newCampaign]
        let campaign = Campaign(
            no: typed ?? "",
            description: arguments[Self.description].value,
            startingDate: arguments[Self.startingDate].value,
            endingDate: arguments[Self.endingDate].value,
            salespersonCode: arguments[Self.salesperson].value,
            statusCode: arguments[Self.status].value
        )
        let created = try CampaignStore.add(connection, campaign, numbered: typed == nil)
        return .ok("campaign \(created.no) created", [line(created)])
    }

    static let set = MasterDataCommand.write(
        CommandSpec(
            name: "CAMPAIGN-SET",
            summary: "Change a campaign; absent fields stay, an empty value blanks one.",
            arguments: [campaign.spec] + fields,
            requiredRole: .manager,
            help: "E.g. salesperson= (empty) takes the campaign away from its salesperson.",
            example: [
                "CAMPAIGN-SET CP0001 ending-date=2025-06-30 salesperson=",
                "* campaign=CP0001 description=\"Spring golf event\" starting-date=2025-04-01 ending-date=2025-06-30 "
                    + "salesperson= status= activated=false",
                "OK campaign CP0001 changed",
            ],
            results: columns
        ).idempotent()
    ) { invocation, _, connection in
        let arguments = invocation.arguments
        var changes = CampaignChanges()
        changes.description = arguments[Self.description].update
        changes.startingDate = arguments[Self.startingDate].update
        changes.endingDate = arguments[Self.endingDate].update
        changes.salespersonCode = arguments[Self.salesperson].update
        changes.statusCode = arguments[Self.status].update
        let updated = try CampaignStore.update(connection, arguments[Self.campaign], changes)
        return .ok("campaign \(updated.no) changed", [line(updated)])
    }

    static let list = MasterDataCommand.list(
        CommandSpec(
            name: "CAMPAIGN-LIST",
            summary: "List the campaigns.",
            arguments: [ofSalesperson.spec] + Paging.arguments("campaigns"),
            requiredRole: .salesperson,
            help: "Every logged-in user may list them.",
            example: [
                "CAMPAIGN-LIST",
                "* campaign=CP0001 description=\"Spring golf event\" starting-date=2025-04-01 ending-date=2025-06-30 "
                    + "salesperson= status= activated=false",
                "OK 1 campaign total=1",
            ],
            results: columns
        ),
        keys: [.code(maxLength: 20)]
    ) { invocation, _, connection, page in
        let salesperson = invocation.arguments[Self.ofSalesperson]
        let rows = try CampaignStore.list(connection, salesperson: salesperson, after: page.code(0), limit: page.fetch)
        let total = try CampaignStore.count(connection, salesperson: salesperson)
        return Paging.reply(rows, page, noun: "campaign", total: total, key: { [$0.no] }, line: line)
    }

    static let delete = MasterDataCommand.write(
        CommandSpec(
            name: "CAMPAIGN-DELETE",
            summary: "Delete a campaign nothing refers to.",
            arguments: [campaign.spec],
            requiredRole: .manager,
            help: "Refused (ERR CONFLICT) while campaign entries, log entries, templates or segments refer to it.",
            example: ["CAMPAIGN-DELETE CP0002", "OK campaign CP0002 deleted"]
        ).idempotent()
    ) { invocation, _, connection in
        let no = invocation.arguments[Self.campaign]
        try CampaignStore.delete(connection, no)
        return .ok("campaign \(no) deleted")
    }

    static let all = [add, set, list, delete]
    static var specs: [CommandSpec] { all.map(\.spec) }
    static func make(_ context: ServerContext) -> [Command] { all }

    static func line(_ campaign: Campaign) -> DataLine {
        .shaped(
            columns,
            [
                "campaign": campaign.no, "description": campaign.description,
                "starting-date": campaign.startingDate?.description, "ending-date": campaign.endingDate?.description,
                "salesperson": campaign.salespersonCode, "status": campaign.statusCode,
                "activated": String(campaign.activated),
            ]
        )
    }
}
