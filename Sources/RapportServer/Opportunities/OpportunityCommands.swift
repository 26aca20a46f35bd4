import Foundation
import LibPQ
import RapportModel
import RapportProtocol
import RapportStore

/// SALES-CYCLE-ADD, -SET, -LIST, -DELETE, SALES-CYCLE-STAGE-SET, -LIST: the sales cycles (managers).
enum SalesCycleCommands {
    static let cycle = RequiredArgument.positional("cycle", .code(maxLength: 10), "Sales cycle code.")
    static let description = ChangeArgument.named("description", .text(maxLength: 100), "Description.")
    static let blocked = OptionalArgument.named("blocked", .bool, "No new opportunity may use it (new: false).")
    static let stage = RequiredArgument.named("stage", .integer(1...999), "Stage number (its order, 1 to 999).")
    static let completed = OptionalArgument.named("completed", .amount, "% completed at this stage (default 0).")
    static let chances = OptionalArgument.named("chances", .amount, "Chances of success % at this stage (default 0).")

    static let columns = [
        ResultColumn("cycle", .code), ResultColumn("description", .text), ResultColumn("blocked", .bool),
    ]
    static let stageColumns = [
        ResultColumn("cycle", .code), ResultColumn("stage", .integer), ResultColumn("description", .text),
        ResultColumn("completed", .decimal), ResultColumn("chances", .decimal),
    ]

    static let add = MasterDataCommand.write(
        CommandSpec(
            name: "SALES-CYCLE-ADD",
            summary: "Create a sales cycle.",
            arguments: [cycle.spec, description.spec, blocked.spec],
            requiredRole: .manager,
            help:
                "Its stages: SALES-CYCLE-STAGE-SET. The marketing setup's sales-cycle= is the default of new opportunities.",
            example: [
                "SALES-CYCLE-ADD NEW description=\"New customers\"",
                "* cycle=NEW description=\"New customers\" blocked=false",
                "OK sales cycle NEW created",
            ],
            results: columns
        ).idempotent()
    ) { invocation, _, connection in
        let arguments = invocation.arguments
        let created = try SalesCycleStore.add(
            connection,
            SalesCycle(
                code: arguments[Self.cycle],
                description: arguments[Self.description].value,
                blocked: arguments[Self.blocked] ?? false
            )
        )
        return .ok("sales cycle \(created.code) created", [line(created)])
    }

    static let set = MasterDataCommand.write(
        CommandSpec(
            name: "SALES-CYCLE-SET",
            summary: "Change a sales cycle's description or block it.",
            arguments: [cycle.spec, description.spec, blocked.spec],
            requiredRole: .manager,
            help: "A blocked cycle keeps its opportunities but takes no new ones.",
            example: [
                "SALES-CYCLE-SET NEW blocked=true",
                "* cycle=NEW description=\"New customers\" blocked=true",
                "OK sales cycle NEW changed",
            ],
            results: columns
        ).idempotent()
    ) { invocation, _, connection in
        let arguments = invocation.arguments
        let changed = try SalesCycleStore.update(
            connection,
            arguments[Self.cycle],
            description: arguments[Self.description].update,
            blocked: arguments[Self.blocked]
        )
        return .ok("sales cycle \(changed.code) changed", [line(changed)])
    }

    static let list = MasterDataCommand.list(
        CommandSpec(
            name: "SALES-CYCLE-LIST",
            summary: "List the sales cycles.",
            arguments: Paging.arguments("sales cycles"),
            requiredRole: .salesperson,
            help: "Every logged-in user may list them.",
            example: [
                "SALES-CYCLE-LIST",
                "* cycle=NEW description=\"New customers\" blocked=false",
                "OK 1 sales cycle total=1",
            ],
            results: columns
        ),
        keys: [.code(maxLength: 10)]
    ) { _, _, connection, page in
        let rows = try SalesCycleStore.list(connection, after: page.code(0), limit: page.fetch)
        let total = try SalesCycleStore.count(connection)
        return Paging.reply(rows, page, noun: "sales cycle", total: total, key: { [$0.code] }, line: line)
    }

    static let delete = MasterDataCommand.write(
        CommandSpec(
            name: "SALES-CYCLE-DELETE",
            summary: "Delete a sales cycle (with its stages) no opportunity uses.",
            arguments: [cycle.spec],
            requiredRole: .manager,
            help: "Refused (ERR CONFLICT) while opportunities or the marketing setup use it; block it instead.",
            example: ["SALES-CYCLE-DELETE OLD", "OK sales cycle OLD deleted"]
        ).idempotent()
    ) { invocation, _, connection in
        let code = invocation.arguments[Self.cycle]
        try SalesCycleStore.delete(connection, code)
        return .ok("sales cycle \(code) deleted")
    }

    static let stageSet = MasterDataCommand.write(
        CommandSpec(
            name: "SALES-CYCLE-STAGE-SET",
            summary: "Add or replace one stage of a sales cycle.",
            arguments: [cycle.spec, stage.spec, description.spec, completed.spec, chances.spec],
            requiredRole: .manager,
            help: "Stages are ordered by their number; OPPORTUNITY-SET stage= moves an opportunity to one.",
            example: [
                "SALES-CYCLE-STAGE-SET NEW stage=1 description=\"Initial contact\" completed=10 chances=5",
                "* cycle=NEW stage=1 description=\"Initial contact\" completed=10.00 chances=5.00",
                "OK stage 1 of sales cycle NEW set",
            ],
            results: stageColumns
        ).idempotent()
    ) { invocation, _, connection in
        let arguments = invocation.arguments
        let stage = try SalesCycleStore.setStage(
            connection,
            SalesCycleStage(
                salesCycleCode: arguments[Self.cycle],
                stage: arguments[Self.stage],
                description: arguments[Self.description].value,
                completedPct: arguments[Self.completed] ?? 0,
                chancesOfSuccess: arguments[Self.chances] ?? 0
            )
        )
        return .ok("stage \(stage.stage) of sales cycle \(stage.salesCycleCode) set", [stageLine(stage)])
    }

    static let stageList = MasterDataCommand.list(
        CommandSpec(
            name: "SALES-CYCLE-STAGE-LIST",
            summary: "List the stages of a sales cycle, in order.",
            arguments: [cycle.spec] + Paging.arguments("stages"),
            requiredRole: .salesperson,
            help: "Every logged-in user may list them.",
            example: [
                "SALES-CYCLE-STAGE-LIST NEW",
                "* cycle=NEW stage=1 description=\"Initial contact\" completed=10.00 chances=5.00",
                "OK 1 stage total=1",
            ],
            results: stageColumns
        ),
        keys: [.integer]
    ) { invocation, _, connection, page in
        let code = invocation.arguments[Self.cycle]
        guard try SalesCycleStore.get(connection, code) != nil else {
            throw StoreError.notFound("Sales cycle \(code) does not exist (SALES-CYCLE-LIST shows them)")
        }
        let stages = try SalesCycleStore.stages(
            connection,
            code,
            after: page.integer(0).map { Int($0) },
            limit: page.fetch
        )
        let total = try SalesCycleStore.stageCount(connection, code)
        return Paging.reply(
            stages,
            page,
            noun: "stage",
            total: total,
            key: { [String($0.stage)] },
            line: stageLine
        )
    }

    static let all = [add, set, list, delete, stageSet, stageList]

    static func line(_ cycle: SalesCycle) -> DataLine {
        .shaped(columns, ["cycle": cycle.code, "description": cycle.description, "blocked": String(cycle.blocked)])
    }

    static func stageLine(_ stage: SalesCycleStage) -> DataLine {
        .shaped(
            stageColumns,
            [
                "cycle": stage.salesCycleCode, "stage": String(stage.stage), "description": stage.description,
                "completed": Amount.text(stage.completedPct), "chances": Amount.text(stage.chancesOfSuccess),
            ]
        )
    }
}

/// OPPORTUNITY-CREATE, -FROM-ENTRY, -FROM-SEGMENT, -SET, -CLOSE, -LIST, -SHOW, -STATS.
enum OpportunityCommands {
    static let opportunity = RequiredArgument.positional("opportunity", .code(maxLength: 20), "Opportunity No.")
    static let contact = OptionalArgument.named(
        "contact",
        .code(maxLength: 20),
        "Contact (person or company); or contact-name=."
    )
    static let description = RequiredArgument.named("description", .text(maxLength: 100), "Description.")
    static let optionalDescription = OptionalArgument.named(
        "description",
        .text(maxLength: 100),
        "Description; default: the entry's (or the segment's)."
    )
    static let salesperson = OptionalArgument.named(
        "salesperson",
        .code(maxLength: 20),
        "Salesperson responsible; default: yours, else the contact's. Salespeople may only use their own."
    )
    static let campaign = OptionalArgument.named("campaign", .code(maxLength: 20), "Campaign.")
    static let salesCycle = OptionalArgument.named(
        "sales-cycle",
        .code(maxLength: 10),
        "Sales cycle; default: the marketing setup's."
    )
    static let estimatedValue = OptionalArgument.named("estimated-value", .amount, "Estimated value (LCY).")
    static let closingDate = OptionalArgument.named("closing-date", .date, "Estimated closing date.")
    static let entry = RequiredArgument.positional("entry", .integer(1...Int.max), "Interaction log entry No.")
    static let segment = RequiredArgument.positional("segment", .code(maxLength: 20), "Segment No.")

    static let columns = [
        ResultColumn("opportunity", .code), ResultColumn("description", .text), ResultColumn("contact", .code),
        ResultColumn("company", .code), ResultColumn("salesperson", .code), ResultColumn("campaign", .code),
        ResultColumn("segment", .code), ResultColumn("sales-cycle", .code), ResultColumn("stage", .integer),
        ResultColumn("status", .enumeration), ResultColumn("creation-date", .date),
        ResultColumn("estimated-value", .decimal), ResultColumn("closing-date", .date),
        ResultColumn("chances", .decimal), ResultColumn("date-closed", .date), ResultColumn("reason", .text),
    ]

    static let exampleLine =
        "* opportunity=OP000001 description=\"Golf equipment\" contact=CT000012 company=CT000010 salesperson=AH "
        + "campaign= segment= sales-cycle=NEW stage= status=not_started creation-date=2025-03-03 "
        + "estimated-value=12000.00 closing-date=2025-06-30 chances=0.00 date-closed= reason="

    static let create = MasterDataCommand.write(
        CommandSpec(
            name: "OPPORTUNITY-CREATE",
            summary: "Create an opportunity for a contact.",
            arguments: [
                contact.spec, ContactNameArgument.spec, description.spec, salesperson.spec, campaign.spec,
                salesCycle.spec,
                estimatedValue.spec, closingDate.spec,
            ],
            requiredRole: .salesperson,
            help: """
                The number comes from the marketing setup's opportunity series (SETUP-MARKETING opportunity-nos=); \
                the company is the contact's. Refused for a contact blocked due to privacy.
                """,
            example: [
                "OPPORTUNITY-CREATE contact=CT000012 description=\"Golf equipment\" estimated-value=12000 "
                    + "closing-date=2025-06-30 idem=o-1",
                exampleLine,
                "OK opportunity OP000001 created",
            ],
            results: columns
        ).idempotent()
    ) { invocation, session, connection in
        let arguments = invocation.arguments
        var draft = OpportunityDraft(
            contactNo: try ContactNameArgument.required(arguments, number: arguments[Self.contact], connection),
            description: arguments[Self.description]
        )
        draft.salespersonCode = arguments[Self.salesperson]
        draft.campaignNo = arguments[Self.campaign]
        draft.salesCycleCode = arguments[Self.salesCycle]
        draft.estimatedValue = arguments[Self.estimatedValue]
        draft.estimatedClosingDate = arguments[Self.closingDate]
        let created = try OpportunityStore.create(connection, draft, actor: session.actingUser)
        return .ok("opportunity \(created.no) created", [line(created)])
    }

    static let fromEntry = MasterDataCommand.write(
        CommandSpec(
            name: "OPPORTUNITY-FROM-ENTRY",
            summary: "Create an opportunity from a log entry and link the entry to it.",
            arguments: [
                entry.spec, optionalDescription.spec, salesCycle.spec, estimatedValue.spec, closingDate.spec,
            ],
            requiredRole: .salesperson,
            help: """
                The opportunity takes the entry's contact, salesperson, campaign and segment; its number is stored \
                on the entry. Refused (ERR CONFLICT) when the entry is canceled, postponed or already has an \
                opportunity.
                """,
            example: [
                "OPPORTUNITY-FROM-ENTRY 1043 description=\"Golf equipment\" estimated-value=12000 "
                    + "closing-date=2025-06-30",
                exampleLine,
                "OK opportunity OP000001 created from entry 1043",
            ],
            results: columns
        ).idempotent()
    ) { invocation, session, connection in
        let arguments = invocation.arguments
        let entryNo = arguments[Self.entry]
        let created = try OpportunityStore.createFromEntry(
            connection,
            entryNo: Int64(entryNo),
            description: arguments[Self.optionalDescription],
            salesCycleCode: arguments[Self.salesCycle],
            estimatedValue: arguments[Self.estimatedValue],
            estimatedClosingDate: arguments[Self.closingDate],
            actor: session.actingUser
        )
        return .ok("opportunity \(created.no) created from entry \(entryNo)", [line(created)])
    }

    static let fromSegment = MasterDataCommand.write(
        CommandSpec(
            name: "OPPORTUNITY-FROM-SEGMENT",
            summary: "Create one opportunity per line of a segment.",
            arguments: [segment.spec, optionalDescription.spec, salesCycle.spec],
            requiredRole: .salesperson,
            help: """
                Each line's contact gets one, with the line's salesperson (else the segment's), its campaign and \
                the segment; the line keeps the number, so logging the segment links its entries. Refused when a \
                line already has one. All or nothing.
                """,
            example: [
                "OPPORTUNITY-FROM-SEGMENT SEG00001 description=\"Golf equipment\"",
                "* opportunity=OP000002 description=\"Golf equipment\" contact=CT000012 company=CT000010 "
                    + "salesperson=AH campaign= segment=SEG00001 sales-cycle=NEW stage= status=not_started "
                    + "creation-date=2025-03-03 estimated-value=0.00 closing-date= chances=0.00 date-closed= reason=",
                "OK 1 opportunity created",
            ],
            results: columns
        ).idempotent()
    ) { invocation, session, connection in
        let arguments = invocation.arguments
        let made = try OpportunityStore.createForSegment(
            connection,
            segmentNo: arguments[Self.segment],
            description: arguments[Self.optionalDescription],
            salesCycleCode: arguments[Self.salesCycle],
            actor: session.actingUser
        )
        return .ok(
            "\(MasterDataCommand.count(made.count, "opportunity", plural: "opportunities")) created",
            made.map(line)
        )
    }

    static let setDescription = OptionalArgument.named("description", .text(maxLength: 100), "Description.")
    static let setSalesperson = OptionalArgument.named(
        "salesperson",
        .code(maxLength: 20),
        "Another salesperson (managers)."
    )
    static let setCampaign = ChangeArgument.named("campaign", .code(maxLength: 20), "Campaign.")
    static let setStage = OptionalArgument.named(
        "stage",
        .integer(1...999),
        "Stage of its sales cycle reached: the opportunity is in progress, with the stage's chances."
    )
    static let setClosingDate = ChangeArgument.named("closing-date", .date, "Estimated closing date.")
    static let setChances = OptionalArgument.named("chances", .amount, "Chances of success %, 0 to 100.")

    static let set = MasterDataCommand.write(
        CommandSpec(
            name: "OPPORTUNITY-SET",
            summary: "Change an open opportunity; absent fields stay.",
            arguments: [
                opportunity.spec, setDescription.spec, setSalesperson.spec, setCampaign.spec, setStage.spec,
                estimatedValue.spec, setClosingDate.spec, setChances.spec,
            ],
            requiredRole: .salesperson,
            help: "Salespeople change their own opportunities, managers anyone's. A closed one cannot change.",
            example: [
                "OPPORTUNITY-SET OP000001 stage=1",
                "* opportunity=OP000001 description=\"Golf equipment\" contact=CT000012 company=CT000010 "
                    + "salesperson=AH campaign= segment= sales-cycle=NEW stage=1 status=in_progress "
                    + "creation-date=2025-03-03 estimated-value=12000.00 closing-date=2025-06-30 chances=5.00 "
                    + "date-closed= reason=",
                "OK opportunity OP000001 changed",
            ],
            results: columns
        ).idempotent()
    ) { invocation, session, connection in
        let arguments = invocation.arguments
        var changes = OpportunityChanges()
        changes.description = arguments[Self.setDescription]
        changes.salespersonCode = arguments[Self.setSalesperson]
        changes.campaignNo = arguments[Self.setCampaign].update
        changes.stage = arguments[Self.setStage]
        changes.estimatedValue = arguments[Self.estimatedValue]
        changes.estimatedClosingDate = arguments[Self.setClosingDate].update
        changes.chancesOfSuccess = arguments[Self.setChances]
        let changed = try OpportunityStore.update(
            connection,
            arguments[Self.opportunity],
            changes,
            actor: session.actingUser
        )
        return .ok("opportunity \(changed.no) changed", [line(changed)])
    }

    static let outcome = RequiredArgument.named("outcome", .oneOf(OpportunityOutcome.self), "won or lost.")
    static let reason = OptionalArgument.named(
        "reason",
        .text(maxLength: 100),
        "Why it was won or lost (required when lost)."
    )

    static let close = MasterDataCommand.write(
        CommandSpec(
            name: "OPPORTUNITY-CLOSE",
            summary: "Close an open opportunity as won or lost.",
            arguments: [opportunity.spec, outcome.spec, reason.spec],
            requiredRole: .salesperson,
            help:
                "The date closed is today; chances become 100 (won) or 0 (lost). A closed opportunity takes no more interactions.",
            example: [
                "OPPORTUNITY-CLOSE OP000001 outcome=won reason=\"Signed order\"",
                "* opportunity=OP000001 description=\"Golf equipment\" contact=CT000012 company=CT000010 "
                    + "salesperson=AH campaign= segment= sales-cycle=NEW stage=1 status=won "
                    + "creation-date=2025-03-03 estimated-value=12000.00 closing-date=2025-06-30 chances=100.00 "
                    + "date-closed=2025-05-20 reason=\"Signed order\"",
                "OK opportunity OP000001 won",
            ],
            results: columns
        ).idempotent()
    ) { invocation, session, connection in
        let arguments = invocation.arguments
        let closed = try OpportunityStore.close(
            connection,
            arguments[Self.opportunity],
            outcome: arguments[Self.outcome],
            reason: arguments[Self.reason],
            actor: session.actingUser
        )
        return .ok("opportunity \(closed.no) \(closed.status.rawValue)", [line(closed)])
    }

    static let ofSalesperson = OptionalArgument.named("salesperson", .code(maxLength: 20), "Only this salesperson's.")
    static let ofContact = OptionalArgument.named("contact", .code(maxLength: 20), "Only this contact's.")
    static let ofCompany = OptionalArgument.named("company", .code(maxLength: 20), "Only this company's.")
    static let withStatus = OptionalArgument.named("status", .oneOf(OpportunityStatus.self), "Only this status.")
    static let open = OptionalArgument.named("open", .bool, "Only open (true) or only closed (false) ones.")

    static let list = MasterDataCommand.list(
        CommandSpec(
            name: "OPPORTUNITY-LIST",
            summary: "List opportunities in number order.",
            arguments: [ofSalesperson.spec, ofContact.spec, ofCompany.spec, withStatus.spec, open.spec]
                + Paging.arguments("opportunities"),
            requiredRole: .salesperson,
            help: "Everyone may read every opportunity.",
            example: [
                "OPPORTUNITY-LIST salesperson=AH open=true",
                exampleLine,
                "OK 1 opportunity total=1",
            ],
            results: columns
        ),
        keys: [.code(maxLength: 20)]
    ) { invocation, _, connection, page in
        let arguments = invocation.arguments
        var filter = OpportunityFilter()
        filter.salespersonCode = arguments[Self.ofSalesperson]
        filter.contactNo = arguments[Self.ofContact]
        filter.companyNo = arguments[Self.ofCompany]
        filter.status = arguments[Self.withStatus]
        filter.open = arguments[Self.open]
        let rows = try OpportunityStore.list(connection, filter, after: page.code(0), limit: page.fetch)
        let total = try OpportunityStore.count(connection, filter)
        return Paging.reply(
            rows,
            page,
            noun: "opportunity",
            plural: "opportunities",
            total: total,
            key: { [$0.no] },
            line: line
        )
    }

    static let show = MasterDataCommand.read(
        CommandSpec(
            name: "OPPORTUNITY-SHOW",
            summary: "Show one opportunity.",
            arguments: [opportunity.spec],
            requiredRole: .salesperson,
            help: "Its interactions: LOG-LIST opportunity=; its figures: OPPORTUNITY-STATS.",
            example: ["OPPORTUNITY-SHOW OP000001", exampleLine, "OK opportunity OP000001"],
            results: columns
        )
    ) { invocation, _, connection in
        let no = invocation.arguments[Self.opportunity]
        guard let found = try OpportunityStore.get(connection, no) else {
            throw StoreError.notFound("Opportunity \(no) does not exist (OPPORTUNITY-LIST shows them)")
        }
        return .ok("opportunity \(found.no)", [line(found)])
    }

    static let statisticsColumns = [
        ResultColumn("opportunity", .code), ResultColumn("interactions", .integer), ResultColumn("cost", .decimal),
        ResultColumn("duration", .decimal), ResultColumn("last-date", .date),
    ]

    static let stats = MasterDataCommand.read(
        CommandSpec(
            name: "OPPORTUNITY-STATS",
            summary: "An opportunity's interactions, cost and duration from the log.",
            arguments: [opportunity.spec],
            requiredRole: .salesperson,
            help: "Counts the entries linked to it that are neither canceled nor postponed.",
            example: [
                "OPPORTUNITY-STATS OP000001",
                "* opportunity=OP000001 interactions=2 cost=9.00 duration=45.00 last-date=2025-03-10",
                "OK opportunity OP000001",
            ],
            results: statisticsColumns
        )
    ) { invocation, _, connection in
        let no = invocation.arguments[Self.opportunity]
        guard try OpportunityStore.get(connection, no) != nil else {
            throw StoreError.notFound("Opportunity \(no) does not exist (OPPORTUNITY-LIST shows them)")
        }
        let figures = try OpportunityStore.statistics(connection, no)
        return .ok(
            "opportunity \(no)",
            [
                .shaped(
                    statisticsColumns,
                    [
                        "opportunity": no, "interactions": String(figures.interactions),
                        "cost": Amount.text(figures.cost), "duration": Amount.text(figures.duration),
                        "last-date": figures.lastDate?.description,
                    ]
                )
            ]
        )
    }

    static let all = [create, fromEntry, fromSegment, set, close, list, show, stats]

    static func line(_ o: Opportunity) -> DataLine {
        .shaped(
            columns,
            [
                "opportunity": o.no, "description": o.description, "contact": o.contactNo,
                "company": o.contactCompanyNo, "salesperson": o.salespersonCode, "campaign": o.campaignNo,
                "segment": o.segmentNo, "sales-cycle": o.salesCycleCode, "stage": o.currentStage.map(String.init),
                "status": o.status.rawValue, "creation-date": o.creationDate.description,
                "estimated-value": Amount.text(o.estimatedValue),
                "closing-date": o.estimatedClosingDate?.description, "chances": Amount.text(o.chancesOfSuccess),
                "date-closed": o.dateClosed?.description, "reason": o.closeReason,
            ]
        )
    }
}

/// Sales cycles, opportunities, tasks and phone calls.
enum OpportunityTaskCommands {
    static let all: [Command] =
        SalesCycleCommands.all + OpportunityCommands.all + TaskCommands.all
        + PhoneCallCommands.all

    static var specs: [CommandSpec] { Self.all.map(\.spec) }

    static func make(_ context: ServerContext) -> [Command] { Self.all }
}
