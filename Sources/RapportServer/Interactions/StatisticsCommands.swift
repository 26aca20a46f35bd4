import LibPQ
import RapportProtocol
import RapportStore

/// STATS: interaction statistics of a contact, salesperson, template or group .
enum StatisticsCommands {
    static let contact = OptionalArgument.named(
        "contact",
        .code(maxLength: 20),
        "A contact (a company includes its persons)."
    )
    static let salesperson = OptionalArgument.named("salesperson", .code(maxLength: 20), "A salesperson.")
    static let template = OptionalArgument.named("template", .code(maxLength: 10), "An interaction template.")
    static let group = OptionalArgument.named("group", .code(maxLength: 10), "An interaction group.")
    static let from = OptionalArgument.named("from", .date, "First date (inclusive).")
    static let to = OptionalArgument.named("to", .date, "Last date (inclusive).")

    static let columns: [ResultColumn] = [
        ResultColumn("count", .integer), ResultColumn("cost", .decimal), ResultColumn("duration", .decimal),
        ResultColumn("last-interaction", .date), ResultColumn("last-attempted", .date),
    ]

    static let stats = Command(
        CommandSpec(
            name: "STATS",
            summary: "Count, cost and duration of interactions of a contact, salesperson, template or group.",
            arguments: [
                Self.contact.spec, Self.salesperson.spec, Self.template.spec, Self.group.spec, Self.from.spec,
                Self.to.spec,
            ],
            requiredRole: .salesperson,
            help: """
                Give exactly one of contact=, salesperson=, template=, group=. Canceled and postponed entries \
                are not counted. For a contact also last-interaction (latest date of an entry that was not a \
                failed attempt; canceled entries count) and last-attempted (latest date of an entry initiated \
                by us, failed or canceled ones included); these two ignore from/to. Other subjects leave \
                them blank.
                """,
            example: [
                "STATS contact=CT000010 from=2025-01-01",
                "* count=12 cost=64.00 duration=435.00 last-interaction=2025-03-14 last-attempted=2025-03-14",
                "OK",
            ],
            results: Self.columns
        )
    ) { invocation, _ in
        let arguments = invocation.arguments
        let subjects: [StatisticsSubject] = [
            arguments[Self.contact].map(StatisticsSubject.contact),
            arguments[Self.salesperson].map(StatisticsSubject.salesperson),
            arguments[Self.template].map(StatisticsSubject.template),
            arguments[Self.group].map(StatisticsSubject.group),
        ].compactMap { $0 }
        guard subjects.count == 1 else {
            throw CommandError(.badArguments, "give exactly one of contact=, salesperson=, template=, group=")
        }
        let from = arguments[Self.from]
        let to = arguments[Self.to]
        let statistics = try await invocation.context.store.pool.withConnection { connection in
            try InteractionStatisticsStore.statistics(connection, subjects[0], from: from, to: to)
        }
        return .ok(
            "",
            [
                .shaped(
                    Self.columns,
                    [
                        "count": String(statistics.count), "cost": Amount.text(statistics.cost),
                        "duration": Amount.text(statistics.duration),
                        "last-interaction": statistics.lastInteraction?.description,
                        "last-attempted": statistics.lastAttempted?.description,
                    ]
                )
            ]
        )
    }

    static let all = [Self.stats]
}
