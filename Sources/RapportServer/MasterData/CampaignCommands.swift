import LibPQ
import RapportProtocol
import RapportStore

/// CAMPAIGN-ADD, -SET, -LIST, -DELETE.
enum CampaignCommands {
    typealias A = MasterDataArguments

    static let no = A.positional("no", .code(maxLength: 20), "Campaign number.")
    static let fields: [ArgumentSpec] = [
        A.named("description", .text(maxLength: 100), "Description."),
        A.named("starting-date", .date, "Starting date."),
        A.named("ending-date", .date, "Ending date (not before the starting date)."),
        A.named("salesperson", .code(maxLength: 20), "Salesperson responsible."),
        A.named("status", .code(maxLength: 10), "Status code."),
    ]

    static let specs: [CommandSpec] = [
        CommandSpec(
            name: "CAMPAIGN-ADD",
            summary: "Create a campaign.",
            arguments: [
                A.named(
                    "no",
                    .code(maxLength: 20),
                    "Campaign number; omitted, the next of the setup's campaign series."
                )
            ]
                + fields,
            requiredRole: .manager,
            help:
                "Without no=, the number comes from the marketing setup's campaign series "
                + "(SETUP-MARKETING campaign-nos=); a typed number needs a series that allows manual "
                + "numbers, or none.",
            example: [
                "CAMPAIGN-ADD description=\"Spring golf event\" starting-date=2025-04-01 ending-date=2025-05-31 "
                    + "salesperson=AH",
                "* no=CP0001 description=\"Spring golf event\" starting-date=2025-04-01 ending-date=2025-05-31 "
                    + "salesperson=AH",
                "OK campaign CP0001 created",
            ]
        ).idempotent(),
        CommandSpec(
            name: "CAMPAIGN-SET",
            summary: "Change a campaign; absent fields stay, clear= blanks fields.",
            arguments: [no] + fields + [
                A.clear(["description", "starting-date", "ending-date", "salesperson", "status"])
            ],
            requiredRole: .manager,
            help: "An empty description= blanks it; clear= blanks dates, salesperson and status.",
            example: [
                "CAMPAIGN-SET CP0001 ending-date=2025-06-30 clear=salesperson",
                "* no=CP0001 description=\"Spring golf event\" starting-date=2025-04-01 ending-date=2025-06-30",
                "OK campaign CP0001 changed",
            ]
        ).idempotent(),
        CommandSpec(
            name: "CAMPAIGN-LIST",
            summary: "List the campaigns.",
            arguments: [A.named("salesperson", .code(maxLength: 20), "Only the campaigns of this salesperson.")]
                + Paging.arguments("campaigns"),
            requiredRole: .salesperson,
            help: "Every logged-in user may list them.",
            example: [
                "CAMPAIGN-LIST",
                "* no=CP0001 description=\"Spring golf event\" starting-date=2025-04-01 ending-date=2025-06-30",
                "OK 1 campaign",
            ]
        ),
        CommandSpec(
            name: "CAMPAIGN-DELETE",
            summary: "Delete a campaign nothing refers to.",
            arguments: [no],
            requiredRole: .manager,
            help: "Refused (ERR CONFLICT) while campaign entries, log entries, templates or segments refer to it.",
            example: ["CAMPAIGN-DELETE CP0002", "OK campaign CP0002 deleted"]
        ).idempotent(),
    ]

    static func make(_ context: ServerContext) -> [Command] {
        [
            MasterDataCommand.write(context, specs[0]) { invocation, _, connection in
                let input = try MasterDataInput(invocation)
                let changes = Self.changes(input)
                let campaign = Campaign(
                    no: input.arguments.code("no") ?? "",
                    description: changes.description ?? nil,
                    startingDate: changes.startingDate ?? nil,
                    endingDate: changes.endingDate ?? nil,
                    salespersonCode: changes.salespersonCode ?? nil,
                    statusCode: changes.statusCode ?? nil
                )
                let created = try CampaignStore.add(connection, campaign, numbered: !input.arguments.contains("no"))
                return .ok("campaign \(created.no) created", [line(created)])
            },
            MasterDataCommand.write(context, specs[1]) { invocation, _, connection in
                let input = try MasterDataInput(
                    invocation,
                    clearable: ["description", "starting-date", "ending-date", "salesperson", "status"]
                )
                let updated = try CampaignStore.update(connection, input.arguments.code("no")!, Self.changes(input))
                return .ok("campaign \(updated.no) changed", [line(updated)])
            },
            MasterDataCommand.list(context, specs[2], keys: [.code(maxLength: 20)]) { invocation, _, connection, page in
                let salesperson = invocation.arguments.code("salesperson")
                let rows = try CampaignStore.list(
                    connection,
                    salesperson: salesperson,
                    after: page.code(0),
                    limit: page.fetch
                )
                return Paging.reply(rows, page, noun: "campaign", key: { [$0.no] }, line: line)
            },
            MasterDataCommand.write(context, specs[3]) { invocation, _, connection in
                let no = invocation.arguments.code("no")!
                try CampaignStore.delete(connection, no)
                return .ok("campaign \(no) deleted")
            },
        ]
    }

    static func changes(_ input: MasterDataInput) -> CampaignChanges {
        var changes = CampaignChanges()
        changes.description = input.text("description")
        changes.startingDate = input.date("starting-date")
        changes.endingDate = input.date("ending-date")
        changes.salespersonCode = input.code("salesperson")
        changes.statusCode = input.code("status")
        return changes
    }

    static func line(_ campaign: Campaign) -> DataLine {
        .named([
            "no": campaign.no, "description": campaign.description,
            "starting-date": campaign.startingDate?.description, "ending-date": campaign.endingDate?.description,
            "salesperson": campaign.salespersonCode, "status": campaign.statusCode,
        ])
    }
}
