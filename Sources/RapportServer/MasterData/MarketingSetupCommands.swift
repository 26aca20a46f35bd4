import LibPQ
import RapportModel
import RapportProtocol
import RapportStore

/// SERIES-ADD, SERIES-LIST, SETUP-MARKETING: number series and the marketing setup.
enum MarketingSetupCommands {
    typealias A = MasterDataArguments

    static let setupFields: [(argument: String, help: String)] = [
        ("contact-nos", "Number series of new contacts."),
        ("campaign-nos", "Number series of new campaigns."),
        ("segment-nos", "Number series of new segments."),
        ("task-nos", "Number series of new tasks."),
        ("opportunity-nos", "Number series of new opportunities."),
    ]
    static let clearable = setupFields.map(\.argument) + ["correspondence-type", "salesperson", "language"]

    static let specs: [CommandSpec] = [
        CommandSpec(
            name: "SERIES-ADD",
            summary: "Create a number series.",
            arguments: [
                A.positional("code", .code(maxLength: 20), "Series code."),
                A.named(
                    "starting-no",
                    .code(maxLength: 20),
                    "First number, with digits (e.g. CT000001).",
                    required: true
                ),
                A.named("ending-no", .code(maxLength: 20), "Last number that may be handed out."),
                A.named("increment", .integer(1...1_000_000), "Step between numbers (default 1)."),
                A.named("allow-manual", .bool, "Numbers may also be typed (default false)."),
                A.named("description", .text(maxLength: 100), "Description."),
            ],
            requiredRole: .manager,
            help:
                "Numbers count up in the rightmost digits, keeping their width (CT000009, CT000010); the "
                + "ending number is never passed.",
            example: [
                "SERIES-ADD cont starting-no=CT000001 description=Contacts",
                "* code=CONT description=Contacts starting-no=CT000001 increment=1 allow-manual=false",
                "OK series CONT created",
            ]
        ).idempotent(),
        CommandSpec(
            name: "SERIES-LIST",
            summary: "List the number series with the last number used.",
            arguments: Paging.arguments("series"),
            requiredRole: .salesperson,
            help: "last-no-used is blank until the first number is drawn.",
            example: [
                "SERIES-LIST",
                "* code=CONT description=Contacts starting-no=CT000001 last-no-used=CT000042 increment=1 "
                    + "allow-manual=false",
                "OK 1 series",
            ]
        ),
        CommandSpec(
            name: "SETUP-MARKETING",
            summary: "Show the marketing setup, or change it (managers).",
            arguments: setupFields.map { A.named($0.argument, .code(maxLength: 20), $0.help) } + [
                A.named(
                    "correspondence-type",
                    .enumeration(A.correspondenceTypes),
                    "Default correspondence type of new contacts."
                ),
                A.named("salesperson", .code(maxLength: 20), "Default salesperson of new contacts."),
                A.named("language", .code(maxLength: 10), "Default language of new contacts."),
                A.named(
                    "max-attachment-bytes",
                    .integer(1...Int(Int32.max)),
                    "Largest attachment accepted, in bytes (default 10485760)."
                ),
                A.clear(clearable),
            ],
            requiredRole: .salesperson,
            help: "Without arguments it shows the setup; any argument changes it and needs the manager role.",
            example: [
                "SETUP-MARKETING contact-nos=CONT salesperson=AH idem=setup-1",
                "* contact-nos=CONT salesperson=AH max-attachment-bytes=10485760", "OK marketing setup changed",
            ]
        ).idempotent(),
    ]

    static func make(_ context: ServerContext) -> [Command] {
        [
            MasterDataCommand.write(context, specs[0]) { invocation, _, connection in
                let arguments = invocation.arguments
                let series = try NumberSeriesStore.add(
                    connection,
                    NumberSeries(
                        code: arguments.code("code")!,
                        description: arguments.text("description").flatMap { $0.isEmpty ? nil : $0 },
                        startingNo: arguments.code("starting-no")!,
                        endingNo: arguments.code("ending-no"),
                        incrementBy: arguments.integer("increment") ?? 1,
                        allowManual: arguments.bool("allow-manual") ?? false
                    )
                )
                return .ok("series \(series.code) created", [line(series)])
            },
            MasterDataCommand.list(context, specs[1], keys: [.code(maxLength: 20)]) { _, _, connection, page in
                let rows = try NumberSeriesStore.list(connection, after: page.code(0), limit: page.fetch)
                return Paging.reply(rows, page, noun: "series", plural: "series", key: { [$0.code] }, line: line)
            },
            Command(
                specs[2],
                reply: { invocation, session in
                    let input = try MasterDataInput(invocation, clearable: clearable)
                    let changes = Self.changes(input)
                    if changes.isEmpty {
                        let setup = try await context.store.pool.withConnection { try MarketingSetupStore.get($0) }
                        return .ok("", [line(setup)])
                    }
                    guard session.accessLevel >= .manager else {
                        throw CommandError(.denied, "changing the marketing setup needs the manager role")
                    }
                    return try await context.write(invocation, user: session.user!.userID) { connection in
                        .ok("marketing setup changed", [line(try MarketingSetupStore.update(connection, changes))])
                    }
                }
            ),
        ]
    }

    static func changes(_ input: MasterDataInput) -> MarketingSetupChanges {
        var changes = MarketingSetupChanges()
        changes.contactNos = input.code("contact-nos")
        changes.campaignNos = input.code("campaign-nos")
        changes.segmentNos = input.code("segment-nos")
        changes.taskNos = input.code("task-nos")
        changes.opportunityNos = input.code("opportunity-nos")
        changes.defaultCorrespondenceType = input.enumeration("correspondence-type", CorrespondenceType.self)
        changes.defaultSalespersonCode = input.code("salesperson")
        changes.defaultLanguageCode = input.code("language")
        changes.maxAttachmentBytes = input.arguments.integer("max-attachment-bytes").map(Int64.init)
        return changes
    }

    static func line(_ series: NumberSeries) -> DataLine {
        .named([
            "code": series.code, "description": series.description, "starting-no": series.startingNo,
            "ending-no": series.endingNo, "last-no-used": series.lastNoUsed, "increment": String(series.incrementBy),
            "allow-manual": String(series.allowManual),
        ])
    }

    static func line(_ setup: MarketingSetup) -> DataLine {
        .named([
            "contact-nos": setup.contactNos, "campaign-nos": setup.campaignNos, "segment-nos": setup.segmentNos,
            "task-nos": setup.taskNos, "opportunity-nos": setup.opportunityNos,
            "correspondence-type": setup.defaultCorrespondenceType?.rawValue,
            "salesperson": setup.defaultSalespersonCode, "language": setup.defaultLanguageCode,
            "max-attachment-bytes": String(setup.maxAttachmentBytes),
        ])
    }
}
