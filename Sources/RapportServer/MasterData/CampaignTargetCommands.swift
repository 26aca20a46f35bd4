import RapportProtocol
import RapportStore

/// CAMPAIGN-ACTIVATE, CAMPAIGN-DEACTIVATE, CAMPAIGN-TARGET-LIST: a campaign's target group.
enum CampaignTargetCommands {
    static let campaign = RequiredArgument.positional("campaign", .code(maxLength: 20), "Campaign number.")
    static let changeColumns = [ResultColumn("campaign", .code), ResultColumn("targets", .integer)]
    static let targetColumns = [
        ResultColumn("campaign", .code), ResultColumn("contact", .code), ResultColumn("name", .text),
    ]

    static let activate = MasterDataCommand.write(
        CommandSpec(
            name: "CAMPAIGN-ACTIVATE",
            summary: "Activate a campaign: fill its target group from what is marked campaign target.",
            arguments: [campaign.spec],
            requiredRole: .manager,
            help: """
                The target group gets the company of every contact (or the person without a company) on a \
                segment line or an active interaction of the campaign marked campaign-target, each once; \
                activating again fills it anew. All or nothing: refused, changing nothing, when nothing is \
                marked. While it runs, segment lines keep the group in step, and DOCUMENT-LOG of a sales \
                invoice for a targeted customer logs it with the campaign.
                """,
            example: [
                "CAMPAIGN-ACTIVATE CP0001 idem=t-1", "* campaign=CP0001 targets=12", "OK campaign CP0001 activated",
            ],
            results: changeColumns
        ).idempotent()
    ) { invocation, _, connection in
        let no = invocation.arguments[Self.campaign]
        let targets = try CampaignTargetStore.activate(connection, campaignNo: no)
        return .ok(
            "campaign \(no) activated",
            [.shaped(Self.changeColumns, ["campaign": no, "targets": String(targets)])]
        )
    }

    static let deactivate = MasterDataCommand.write(
        CommandSpec(
            name: "CAMPAIGN-DEACTIVATE",
            summary: "Deactivate a campaign: empty its target group.",
            arguments: [campaign.spec],
            requiredRole: .manager,
            help: "targets is how many contacts left the group.",
            example: [
                "CAMPAIGN-DEACTIVATE CP0001 idem=t-2", "* campaign=CP0001 targets=12",
                "OK campaign CP0001 deactivated",
            ],
            results: changeColumns
        ).idempotent()
    ) { invocation, _, connection in
        let no = invocation.arguments[Self.campaign]
        let targets = try CampaignTargetStore.deactivate(connection, campaignNo: no)
        return .ok(
            "campaign \(no) deactivated",
            [.shaped(Self.changeColumns, ["campaign": no, "targets": String(targets)])]
        )
    }

    static let list = MasterDataCommand.list(
        CommandSpec(
            name: "CAMPAIGN-TARGET-LIST",
            summary: "List a campaign's target group.",
            arguments: [campaign.spec] + Paging.arguments("contacts"),
            requiredRole: .salesperson,
            help: "In contact order; empty unless the campaign is activated.",
            example: [
                "CAMPAIGN-TARGET-LIST CP0001", "* campaign=CP0001 contact=CT000001 name=\"Acme Ltd\"",
                "OK 1 contact total=1",
            ],
            results: targetColumns
        ),
        keys: [.code(maxLength: 20)]
    ) { invocation, _, connection, page in
        let no = invocation.arguments[Self.campaign]
        let rows = try CampaignTargetStore.list(connection, campaignNo: no, after: page.code(0), limit: page.fetch)
        let total = try CampaignTargetStore.count(connection, campaignNo: no)
        return Paging.reply(rows, page, noun: "contact", total: total, key: { [$0.contactNo] }) { t in
            .shaped(Self.targetColumns, ["campaign": no, "contact": t.contactNo, "name": t.name])
        }
    }

    static let all = [activate, deactivate, list]
    static var specs: [CommandSpec] { all.map(\.spec) }
    static func make(_ context: ServerContext) -> [Command] { all }
}
