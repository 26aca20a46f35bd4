import LibPQ
import RapportModel
import RapportProtocol
import RapportStore

/// SERIES-ADD, SERIES-LIST, SETUP-MARKETING: number series and the marketing setup.
enum MarketingSetupCommands {
    // MARK: Number series

    static let series = RequiredArgument.positional("series", .code(maxLength: 20), "Number series code.")
    static let startingNo = RequiredArgument.named(
        "starting-no",
        .code(maxLength: 20),
        "First number, with digits (e.g. CT000001)."
    )
    static let endingNo = OptionalArgument.named(
        "ending-no",
        .code(maxLength: 20),
        "Last number that may be handed out."
    )
    static let increment = OptionalArgument.named(
        "increment",
        .integer(1...1_000_000),
        "Step between numbers (default 1)."
    )
    static let allowManual = OptionalArgument.named("allow-manual", .bool, "Numbers may also be typed (default false).")
    static let seriesDescription = ChangeArgument.named("description", .text(maxLength: 100), "Description.")

    static let seriesColumns = [
        ResultColumn("series", .code), ResultColumn("description", .text), ResultColumn("starting-no", .code),
        ResultColumn("ending-no", .code), ResultColumn("last-no-used", .code), ResultColumn("increment", .integer),
        ResultColumn("allow-manual", .bool),
    ]

    static let seriesAdd = MasterDataCommand.write(
        CommandSpec(
            name: "SERIES-ADD",
            summary: "Create a number series.",
            arguments: [
                series.spec, startingNo.spec, endingNo.spec, increment.spec, allowManual.spec, seriesDescription.spec,
            ],
            requiredRole: .manager,
            help:
                "Numbers count up in the rightmost digits, keeping their width (CT000009, CT000010); the "
                + "ending number is never passed.",
            example: [
                "SERIES-ADD cont starting-no=CT000001 description=Contacts",
                "* series=CONT description=Contacts starting-no=CT000001 ending-no= last-no-used= increment=1 "
                    + "allow-manual=false",
                "OK series CONT created",
            ],
            results: seriesColumns
        ).idempotent()
    ) { invocation, _, connection in
        let arguments = invocation.arguments
        let series = try NumberSeriesStore.add(
            connection,
            NumberSeries(
                code: arguments[Self.series],
                description: arguments[Self.seriesDescription].value,
                startingNo: arguments[Self.startingNo],
                endingNo: arguments[Self.endingNo],
                incrementBy: arguments[Self.increment] ?? 1,
                allowManual: arguments[Self.allowManual] ?? false
            )
        )
        return .ok("series \(series.code) created", [line(series)])
    }

    static let seriesList = MasterDataCommand.list(
        CommandSpec(
            name: "SERIES-LIST",
            summary: "List the number series with the last number used.",
            arguments: Paging.arguments("series"),
            requiredRole: .salesperson,
            help: "last-no-used is blank until the first number is drawn.",
            example: [
                "SERIES-LIST",
                "* series=CONT description=Contacts starting-no=CT000001 ending-no= last-no-used=CT000042 increment=1 "
                    + "allow-manual=false",
                "OK 1 series total=1",
            ],
            results: seriesColumns
        ),
        keys: [.code(maxLength: 20)]
    ) { _, _, connection, page in
        let rows = try NumberSeriesStore.list(connection, after: page.code(0), limit: page.fetch)
        let total = try NumberSeriesStore.count(connection)
        return Paging.reply(rows, page, noun: "series", plural: "series", total: total, key: { [$0.code] }, line: line)
    }

    // MARK: Marketing setup

    static let contactNos = ChangeArgument.named("contact-nos", .code(maxLength: 20), "Number series of new contacts.")
    static let campaignNos = ChangeArgument.named(
        "campaign-nos",
        .code(maxLength: 20),
        "Number series of new campaigns."
    )
    static let segmentNos = ChangeArgument.named("segment-nos", .code(maxLength: 20), "Number series of new segments.")
    static let taskNos = ChangeArgument.named("task-nos", .code(maxLength: 20), "Number series of new tasks.")
    static let opportunityNos = ChangeArgument.named(
        "opportunity-nos",
        .code(maxLength: 20),
        "Number series of new opportunities."
    )
    static let correspondenceType = ChangeArgument.named(
        "correspondence-type",
        .oneOf(CorrespondenceType.self),
        "Default correspondence type of new contacts."
    )
    static let salesperson = ChangeArgument.named(
        "salesperson",
        .code(maxLength: 20),
        "Default salesperson of new contacts."
    )
    static let language = ChangeArgument.named("language", .code(maxLength: 10), "Default language of new contacts.")
    static let maxAttachmentBytes = OptionalArgument.named(
        "max-attachment-bytes",
        .integer(1...Int(Int32.max)),
        "Largest attachment accepted, in bytes (10485760 until changed)."
    )

    static let salesCycle = ChangeArgument.named(
        "sales-cycle",
        .code(maxLength: 10),
        "Default sales cycle of new opportunities."
    )
    static let taskDateFormula = ChangeArgument.named(
        "task-date-formula",
        .code(maxLength: 4),
        "Date of a new task without one: today plus N days, weeks, months or years (3D, 1W, 2M, 1Y)."
    )

    static let setupColumns = [
        ResultColumn("contact-nos", .code), ResultColumn("campaign-nos", .code), ResultColumn("segment-nos", .code),
        ResultColumn("task-nos", .code), ResultColumn("opportunity-nos", .code),
        ResultColumn("correspondence-type", .enumeration), ResultColumn("salesperson", .code),
        ResultColumn("language", .code), ResultColumn("max-attachment-bytes", .integer),
        ResultColumn("sales-cycle", .code), ResultColumn("task-date-formula", .code),
    ]

    static let setup = Command(
        CommandSpec(
            name: "SETUP-MARKETING",
            summary: "Show the marketing setup, or change it (managers).",
            arguments: [
                contactNos.spec, campaignNos.spec, segmentNos.spec, taskNos.spec, opportunityNos.spec,
                correspondenceType.spec, salesperson.spec, language.spec, maxAttachmentBytes.spec, salesCycle.spec,
                taskDateFormula.spec,
            ],
            requiredRole: .salesperson,
            help: "Without arguments it shows the setup; any argument changes it and needs the manager role.",
            example: [
                "SETUP-MARKETING contact-nos=CONT salesperson=AH idem=setup-1",
                "* contact-nos=CONT campaign-nos= segment-nos= task-nos= opportunity-nos= correspondence-type= "
                    + "salesperson=AH language= max-attachment-bytes=10485760 sales-cycle= task-date-formula=",
                "OK marketing setup changed",
            ],
            results: setupColumns
        ).idempotent(),
        reply: { invocation, session in
            let changes = Self.changes(invocation.arguments)
            if changes.isEmpty {
                let setup = try await invocation.context.store.pool.withConnection { try MarketingSetupStore.get($0) }
                return .ok("", [line(setup)])
            }
            guard let user = session.user, session.accessLevel >= .manager else {
                throw CommandError(.denied, "changing the marketing setup needs the manager role")
            }
            return try await invocation.context.write(invocation, user: user.userID) { connection in
                .ok("marketing setup changed", [line(try MarketingSetupStore.update(connection, changes))])
            }
        }
    )

    static let all = [seriesAdd, seriesList, setup]
    static var specs: [CommandSpec] { all.map(\.spec) }
    static func make(_ context: ServerContext) -> [Command] { all }

    static func changes(_ arguments: BoundArguments) -> MarketingSetupChanges {
        var changes = MarketingSetupChanges()
        changes.contactNos = arguments[Self.contactNos].update
        changes.campaignNos = arguments[Self.campaignNos].update
        changes.segmentNos = arguments[Self.segmentNos].update
        changes.taskNos = arguments[Self.taskNos].update
        changes.opportunityNos = arguments[Self.opportunityNos].update
        changes.defaultCorrespondenceType = arguments[Self.correspondenceType].update
        changes.defaultSalespersonCode = arguments[Self.salesperson].update
        changes.defaultLanguageCode = arguments[Self.language].update
        changes.maxAttachmentBytes = arguments[Self.maxAttachmentBytes].map(Int64.init)
        changes.defaultSalesCycleCode = arguments[Self.salesCycle].update
        changes.defaultTaskDateFormula = arguments[Self.taskDateFormula].update
        return changes
    }

    static func line(_ series: NumberSeries) -> DataLine {
        .shaped(
            seriesColumns,
            [
                "series": series.code, "description": series.description, "starting-no": series.startingNo,
                "ending-no": series.endingNo, "last-no-used": series.lastNoUsed,
                "increment": String(series.incrementBy), "allow-manual": String(series.allowManual),
            ]
        )
    }

    static func line(_ setup: MarketingSetup) -> DataLine {
        .shaped(
            setupColumns,
            [
                "contact-nos": setup.contactNos, "campaign-nos": setup.campaignNos, "segment-nos": setup.segmentNos,
                "task-nos": setup.taskNos, "opportunity-nos": setup.opportunityNos,
                "correspondence-type": setup.defaultCorrespondenceType?.rawValue,
                "salesperson": setup.defaultSalespersonCode, "language": setup.defaultLanguageCode,
                "max-attachment-bytes": String(setup.maxAttachmentBytes),
                "sales-cycle": setup.defaultSalesCycleCode, "task-date-formula": setup.defaultTaskDateFormula,
            ]
        )
    }
}
