import LibPQ
import RapportProtocol
import RapportStore

/// STATS: interaction statistics of a contact, salesperson, template or group (reference section 4).
enum StatisticsCommands {
    static let specs: [CommandSpec] = [
        CommandSpec(
            name: "STATS",
            summary: "Count, cost and duration of interactions of a contact, salesperson, template or group.",
            arguments: [
                ArgumentSpec(
                    "contact",
                    kind: .named,
                    valueType: .code(maxLength: 20),
                    help: "A contact (a company includes its persons)."
                ),
                ArgumentSpec("salesperson", kind: .named, valueType: .code(maxLength: 20), help: "A salesperson."),
                ArgumentSpec(
                    "template",
                    kind: .named,
                    valueType: .code(maxLength: 10),
                    help: "An interaction template."
                ),
                ArgumentSpec("group", kind: .named, valueType: .code(maxLength: 10), help: "An interaction group."),
                ArgumentSpec("from", kind: .named, valueType: .date, help: "First date (inclusive)."),
                ArgumentSpec("to", kind: .named, valueType: .date, help: "Last date (inclusive)."),
            ],
            requiredRole: .salesperson,
            help: """
                Give exactly one of contact=, salesperson=, template=, group=. Canceled and postponed entries \
                are not counted. For a contact also last-interaction (latest date of an entry that was not a \
                failed attempt; canceled entries count) and last-attempted (latest date of an entry initiated \
                by us, failed or canceled ones included); these two ignore from/to, like BC's fields.
                """,
            example: [
                "STATS contact=CT000010 from=2025-01-01",
                "* count=12 cost=64.00 duration=435.00 last-interaction=2025-03-14 last-attempted=2025-03-14",
                "OK",
            ]
        )
    ]

    static func make(_ context: ServerContext) -> [Command] {
        [
            Command(
                SessionCommands.spec("STATS"),
                reply: { invocation, _ in
                    let arguments = invocation.arguments
                    let subjects: [StatisticsSubject] = [
                        arguments.code("contact").map(StatisticsSubject.contact),
                        arguments.code("salesperson").map(StatisticsSubject.salesperson),
                        arguments.code("template").map(StatisticsSubject.template),
                        arguments.code("group").map(StatisticsSubject.group),
                    ].compactMap { $0 }
                    guard subjects.count == 1 else {
                        throw CommandError(.badArguments, "give exactly one of contact, salesperson, template, group")
                    }
                    let from = arguments.date("from")?.description
                    let to = arguments.date("to")?.description
                    let statistics = try await context.store.pool.withConnection { connection in
                        try InteractionStatisticsStore.statistics(connection, subjects[0], from: from, to: to)
                    }
                    return .ok(
                        "",
                        [
                            .named([
                                "count": String(statistics.count), "cost": statistics.cost,
                                "duration": statistics.duration, "last-interaction": statistics.lastInteraction,
                                "last-attempted": statistics.lastAttempted,
                            ])
                        ]
                    )
                }
            )
        ]
    }
}
