import LibPQ
import RapportModel
import RapportProtocol
import RapportStore

/// Segment criteria: SEGMENT-ADD-CONTACTS, SEGMENT-REDUCE, SEGMENT-REFINE, SEGMENT-GO-BACK, SEGMENT-CRITERIA,
/// CRITERIA-SAVE, CRITERIA-REUSE, CRITERIA-LIST, CRITERIA-DELETE, SEGMENT-REUSE-LOGGED.
enum SegmentCriteriaCommands {
    static let filterHelp = """
        Filters use BC's syntax: A|B (either), FROM..TO, FROM.., ..TO, <>A (not), *PART* (pattern, codes and \
        names). A contact qualifies when it passes every contact filter and, when log-… filters are given, has \
        at least one (non-postponed) interaction log entry matching all of them. No filter at all matches every \
        contact. Adding 100,000 contacts is one statement.
        """

    static let confirm = OptionalArgument.named(
        "confirm",
        .bool,
        "Required when the segment already has criteria actions (default false: refused then)."
    )
    static let allowExisting = OptionalArgument.named(
        "allow-existing",
        .bool,
        "Also add contacts already on a line (default false)."
    )
    static let expandCompanies = OptionalArgument.named(
        "expand-companies",
        .bool,
        "Replace each contact with a company by all contacts of that company (default false)."
    )
    static let allowRelatedCompanies = OptionalArgument.named(
        "allow-related-companies",
        .bool,
        "Also add the company of each person found (default false)."
    )
    static let ignoreExclusion = OptionalArgument.named(
        "ignore-exclusion",
        .bool,
        "Keep contacts flagged Exclude from Segment (default false)."
    )
    static let entireCompanies = OptionalArgument.named(
        "entire-companies",
        .bool,
        "When any contact of a company matches, the whole company counts as matching (default false)."
    )
    static let criteria = RequiredArgument.named("criteria", .code(maxLength: 10), "Saved criteria code.")
    static let criteriaToDelete = RequiredArgument.positional("criteria", .code(maxLength: 10), "Saved criteria code.")
    static let savedDescription = OptionalArgument.named("description", .text(maxLength: 100), "Description.")
    static let replace = OptionalArgument.named(
        "replace",
        .bool,
        "Overwrite saved criteria of that code (your own; a manager any; default false)."
    )
    static let loggedSegment = RequiredArgument.named(
        "logged-segment",
        .integer(1...Int.max),
        "Logged segment entry No."
    )

    static let stepColumns = [
        ResultColumn("segment", .code), ResultColumn("criteria-actions", .integer), ResultColumn("added", .integer),
        ResultColumn("removed", .integer), ResultColumn("lines", .integer),
    ]

    static func step(_ segmentNo: String, _ result: SegmentCriteriaStore.StepResult) -> DataLine {
        .shaped(
            Self.stepColumns,
            [
                "segment": segmentNo,
                "criteria-actions": String(result.actionNo),
                "added": String(result.added),
                "removed": String(result.removed),
                "lines": String(result.lines),
            ]
        )
    }

    static func exampleStep(_ actions: Int, added: Int, removed: Int, lines: Int, segment: String = "SEG00001")
        -> String
    {
        SegmentReplies.example(
            Self.stepColumns,
            [
                "segment": segment, "criteria-actions": String(actions), "added": String(added),
                "removed": String(removed), "lines": String(lines),
            ]
        )
    }

    static let criteriaColumns = [
        ResultColumn("segment", .code), ResultColumn("line", .integer), ResultColumn("type", .enumeration),
        ResultColumn("action", .enumeration), ResultColumn("allow-existing", .bool),
        ResultColumn("expand-companies", .bool), ResultColumn("allow-related-companies", .bool),
        ResultColumn("ignore-exclusion", .bool), ResultColumn("entire-companies", .bool),
        ResultColumn("filters", .integer), ResultColumn("table", .enumeration), ResultColumn("view", .text),
        ResultColumn("text", .text),
    ]

    static func criteriaLine(_ segmentNo: String, _ record: CriteriaLineRecord) -> DataLine {
        var values: [String: String?] = ["segment": segmentNo, "line": String(record.line.lineNo)]
        switch record.line.kind {
        case .action(let action, let options, let filters):
            values.merge(
                [
                    "type": "action", "action": action.rawValue,
                    "allow-existing": String(options.allowExisting),
                    "expand-companies": String(options.expandCompanies),
                    "allow-related-companies": String(options.allowRelatedCompanies),
                    "ignore-exclusion": String(options.ignoreExclusion),
                    "entire-companies": String(options.entireCompanies),
                    "filters": String(filters),
                ]
            ) { $1 }
        case .filter(let table, let view):
            values.merge(["type": "filter", "table": table.rawValue, "view": view]) { $1 }
        }
        var text = Substring(record.readable)
        while text.first == " " { text = text.dropFirst() }
        values["text"] = String(text)
        return .shaped(Self.criteriaColumns, values)
    }

    static let savedColumns = [
        ResultColumn("criteria", .code), ResultColumn("description", .text),
        ResultColumn("criteria-actions", .integer), ResultColumn("created-by", .code),
    ]

    static func saved(_ record: SavedCriteriaRecord) -> DataLine {
        .shaped(
            Self.savedColumns,
            [
                "criteria": record.code,
                "description": record.description,
                "criteria-actions": String(record.noOfActions),
                "created-by": record.createdBy,
            ]
        )
    }

    static let exampleSaved = SegmentReplies.example(
        Self.savedColumns,
        ["criteria": "NORTH", "description": "Northern persons", "criteria-actions": "2", "created-by": "ALICE"]
    )

    static let addContacts = Self.step(
        CommandSpec(
            name: "SEGMENT-ADD-CONTACTS",
            summary: "Add the contacts matching filters (one recorded criteria step).",
            arguments: [SegmentArguments.segment.spec] + SegmentArguments.filters + [
                Self.allowExisting.spec, Self.expandCompanies.spec, Self.allowRelatedCompanies.spec,
                Self.ignoreExclusion.spec,
            ],
            requiredRole: .salesperson,
            help: Self.filterHelp
                + "\nNew lines are ordered by company name, company no., type (companies first) and name.",
            example: [
                "SEGMENT-ADD-CONTACTS SEG00001 type=person post-code=\"8000..8999\" log-template=OUTGOING idem=s-6",
                Self.exampleStep(1, added: 118, removed: 0, lines: 118), "OK 118 lines added",
            ],
            results: Self.stepColumns
        ).idempotent(),
        .add
    )

    static let reduce = Self.step(
        CommandSpec(
            name: "SEGMENT-REDUCE",
            summary: "Remove the lines whose contact matches the filters (one recorded criteria step).",
            arguments: [SegmentArguments.segment.spec] + SegmentArguments.filters + [Self.entireCompanies.spec],
            requiredRole: .salesperson,
            help: Self.filterHelp + "\nOnly contacts already in the segment are looked at.",
            example: [
                "SEGMENT-REDUCE SEG00001 country=DE entire-companies=true idem=s-7",
                Self.exampleStep(2, added: 0, removed: 14, lines: 104), "OK 14 lines removed",
            ],
            results: Self.stepColumns
        ).idempotent(),
        .reduce
    )

    static let refine = Self.step(
        CommandSpec(
            name: "SEGMENT-REFINE",
            summary: "Keep only the lines whose contact matches the filters (one recorded criteria step).",
            arguments: [SegmentArguments.segment.spec] + SegmentArguments.filters + [Self.entireCompanies.spec],
            requiredRole: .salesperson,
            help: Self.filterHelp + "\nOnly contacts already in the segment are looked at.",
            example: [
                "SEGMENT-REFINE SEG00001 log-date=2025-01-01..2025-03-31 idem=s-8",
                Self.exampleStep(3, added: 0, removed: 40, lines: 64), "OK 40 lines removed",
            ],
            results: Self.stepColumns
        ).idempotent(),
        .refine
    )

    static let goBack = Command(
        CommandSpec(
            name: "SEGMENT-GO-BACK",
            summary: "Undo the last criteria action (also manual line edits).",
            arguments: [SegmentArguments.segment.spec],
            requiredRole: .salesperson,
            help: """
                As in BC: lines the action added are removed (every line of those contacts), lines it removed \
                come back at the end, initialised from the header again (overrides made before are lost). The \
                action's criteria lines and history go.
                """,
            example: [
                "SEGMENT-GO-BACK SEG00001 idem=s-9", Self.exampleStep(2, added: 40, removed: 0, lines: 104),
                "OK criteria action 3 undone",
            ],
            results: Self.stepColumns
        ).idempotent(),
        reply: { invocation, session in
            let no = invocation.arguments[SegmentArguments.segment]
            let actor = session.actingUser
            return try await invocation.context.write(invocation, user: actor.userID) { connection in
                let result = try SegmentCriteriaStore.goBack(connection, actor: actor, segmentNo: no)
                return .ok("criteria action \(result.actionNo + 1) undone", [Self.step(no, result)])
            }
        }
    )

    static let show = Command(
        CommandSpec(
            name: "SEGMENT-CRITERIA",
            summary: "List a segment's criteria: its actions with their options and filters, readable.",
            arguments: [SegmentArguments.segment.spec] + Paging.arguments("criteria lines"),
            requiredRole: .salesperson,
            example: [
                "SEGMENT-CRITERIA SEG00001",
                SegmentReplies.example(
                    Self.criteriaColumns,
                    [
                        "segment": "SEG00001", "line": "1", "type": "action", "action": "add",
                        "allow-existing": "false", "expand-companies": "false", "allow-related-companies": "false",
                        "ignore-exclusion": "false", "entire-companies": "false", "filters": "1",
                        "text": "Add Contacts",
                    ]
                ),
                SegmentReplies.example(
                    Self.criteriaColumns,
                    [
                        "segment": "SEG00001", "line": "2", "type": "filter", "table": "contact",
                        "view": "WHERE(Type=FILTER(person))", "text": "Contact: Type = person",
                    ]
                ),
                "OK 2 criteria lines total=2",
            ],
            results: Self.criteriaColumns
        ),
        list: { invocation, _ in
            let no = invocation.arguments[SegmentArguments.segment]
            let page = try Paging.request(invocation.arguments, keys: [.integer])
            let (lines, total) = try await invocation.context.store.pool.withConnection { connection in
                (
                    try SegmentCriteriaStore.criteria(
                        connection,
                        segmentNo: no,
                        afterLine: page.integer(0),
                        limit: page.fetch
                    ),
                    try SegmentCriteriaStore.criteriaCount(connection, segmentNo: no)
                )
            }
            return Paging.reply(
                lines,
                page,
                noun: "criteria line",
                total: total,
                key: { [String($0.line.lineNo)] },
                line: { Self.criteriaLine(no, $0) }
            )
        }
    )

    static let save = Command(
        CommandSpec(
            name: "CRITERIA-SAVE",
            summary: "Save a segment's criteria under a code, to reuse them on other segments.",
            arguments: [
                SegmentArguments.segment.spec, Self.criteria.spec, Self.savedDescription.spec, Self.replace.spec,
            ],
            requiredRole: .salesperson,
            help: """
                Saved criteria belong to the user who saved them: only they or a manager may replace or delete \
                them. Every salesperson may list and reuse every saved set.
                """,
            example: [
                "CRITERIA-SAVE SEG00001 criteria=NORTH description=\"Northern persons\" idem=s-10", Self.exampleSaved,
                "OK criteria NORTH saved",
            ],
            results: Self.savedColumns
        ).idempotent(),
        reply: { invocation, session in
            let arguments = invocation.arguments
            let no = arguments[SegmentArguments.segment]
            let code = arguments[Self.criteria]
            let description = arguments[Self.savedDescription].flatMap { $0.isEmpty ? nil : $0 }
            let replace = arguments[Self.replace] ?? false
            let actor = session.actingUser
            return try await invocation.context.write(invocation, user: actor.userID) { connection in
                let saved = try SegmentCriteriaStore.save(
                    connection,
                    actor: actor,
                    segmentNo: no,
                    code: code,
                    description: description,
                    replace: replace
                )
                return .ok("criteria \(code) saved", [Self.saved(saved)])
            }
        }
    )

    static let reuse = Command(
        CommandSpec(
            name: "CRITERIA-REUSE",
            summary: "Replay saved criteria on a segment, step by step.",
            arguments: [SegmentArguments.segment.spec, Self.criteria.spec, Self.confirm.spec],
            requiredRole: .salesperson,
            help: "Each saved step runs again with its filters and options (refine steps keep Entire Companies).",
            example: [
                "CRITERIA-REUSE SEG00002 criteria=NORTH idem=s-11",
                Self.exampleStep(2, added: 118, removed: 14, lines: 104, segment: "SEG00002"),
                "OK criteria NORTH reused",
            ],
            results: Self.stepColumns
        ).idempotent(),
        reply: { invocation, session in
            let no = invocation.arguments[SegmentArguments.segment]
            let code = invocation.arguments[Self.criteria]
            let confirm = invocation.arguments[Self.confirm] ?? false
            let actor = session.actingUser
            return try await invocation.context.write(invocation, user: actor.userID) { connection in
                let result = try SegmentCriteriaStore.reuse(
                    connection,
                    actor: actor,
                    segmentNo: no,
                    code: code,
                    confirm: confirm
                )
                return .ok("criteria \(code) reused", [Self.step(no, result)])
            }
        }
    )

    static let list = Command(
        CommandSpec(
            name: "CRITERIA-LIST",
            summary: "List the saved criteria.",
            arguments: Paging.arguments("saved criteria"),
            requiredRole: .salesperson,
            example: ["CRITERIA-LIST", Self.exampleSaved, "OK 1 saved criteria total=1"],
            results: Self.savedColumns
        ),
        list: { invocation, _ in
            let page = try Paging.request(invocation.arguments, keys: [.code(maxLength: 10)])
            let (saved, total) = try await invocation.context.store.pool.withConnection { connection in
                (
                    try SegmentCriteriaStore.saved(connection, after: page.code(0), limit: page.fetch),
                    try SegmentCriteriaStore.savedCount(connection)
                )
            }
            return Paging.reply(
                saved,
                page,
                noun: "saved criteria",
                plural: "saved criteria",
                total: total,
                key: { [$0.code] },
                line: Self.saved
            )
        }
    )

    static let delete = Command(
        CommandSpec(
            name: "CRITERIA-DELETE",
            summary: "Delete saved criteria: your own, or any as a manager.",
            arguments: [Self.criteriaToDelete.spec],
            requiredRole: .salesperson,
            example: ["CRITERIA-DELETE NORTH idem=s-12", "OK criteria NORTH deleted"]
        ).idempotent(),
        reply: { invocation, session in
            let code = invocation.arguments[Self.criteriaToDelete]
            let actor = session.actingUser
            return try await invocation.context.write(invocation, user: actor.userID) { connection in
                try SegmentCriteriaStore.deleteSaved(connection, actor: actor, code: code)
                return .ok("criteria \(code) deleted")
            }
        }
    )

    static let reuseLogged = Command(
        CommandSpec(
            name: "SEGMENT-REUSE-LOGGED",
            summary: "Add one line per interaction of a logged segment (its contact and campaign).",
            arguments: [SegmentArguments.segment.spec, Self.loggedSegment.spec, Self.confirm.spec],
            requiredRole: .salesperson,
            help: """
                Recorded as an Add Contacts action (allow existing) with the filter "Logged Segment Entry No. = \
                N". As in BC, contacts flagged Exclude from Segment are not filtered out.
                """,
            example: [
                "SEGMENT-REUSE-LOGGED SEG00004 logged-segment=17 idem=s-13",
                Self.exampleStep(1, added: 104, removed: 0, lines: 104, segment: "SEG00004"), "OK 104 lines added",
            ],
            results: Self.stepColumns
        ).idempotent(),
        reply: { invocation, session in
            let no = invocation.arguments[SegmentArguments.segment]
            let logged = Int64(invocation.arguments[Self.loggedSegment])
            let confirm = invocation.arguments[Self.confirm] ?? false
            let actor = session.actingUser
            return try await invocation.context.write(invocation, user: actor.userID) { connection in
                let result = try SegmentCriteriaStore.reuseLogged(
                    connection,
                    actor: actor,
                    segmentNo: no,
                    loggedSegmentEntryNo: logged,
                    confirm: confirm
                )
                return .ok("\(SegmentReplies.count(result.added, "line")) added", [Self.step(no, result)])
            }
        }
    )

    static let all: [Command] = [
        addContacts, reduce, refine, goBack, show, save, reuse, list, delete, reuseLogged,
    ]
    static var specs: [CommandSpec] { all.map(\.spec) }
    static func make(_ context: ServerContext) -> [Command] { all }

    private static func step(_ spec: CommandSpec, _ action: CriteriaAction) -> Command {
        Command(
            spec,
            reply: { invocation, session in
                let arguments = invocation.arguments
                let no = arguments[SegmentArguments.segment]
                let options = CriteriaOptions(
                    allowExisting: arguments[Self.allowExisting] ?? false,
                    expandCompanies: arguments[Self.expandCompanies] ?? false,
                    allowRelatedCompanies: arguments[Self.allowRelatedCompanies] ?? false,
                    ignoreExclusion: arguments[Self.ignoreExclusion] ?? false,
                    entireCompanies: arguments[Self.entireCompanies] ?? false
                )
                let step = CriteriaStep(
                    action: action,
                    options: options,
                    filters: try SegmentArguments.filters(arguments)
                )
                let actor = session.actingUser
                return try await invocation.context.write(invocation, user: actor.userID) { connection in
                    let result = try SegmentCriteriaStore.run(connection, actor: actor, segmentNo: no, step)
                    let text =
                        action == .add
                        ? "\(SegmentReplies.count(result.added, "line")) added"
                        : "\(SegmentReplies.count(result.removed, "line")) removed"
                    return .ok(text, [Self.step(no, result)])
                }
            }
        )
    }
}
