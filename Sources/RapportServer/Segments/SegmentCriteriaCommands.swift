import LibPQ
import RapportModel
import RapportProtocol
import RapportStore

/// Segment criteria (reference 3.7): SEGMENT-ADD-CONTACTS, SEGMENT-REDUCE, SEGMENT-REFINE, SEGMENT-GO-BACK,
/// SEGMENT-CRITERIA, CRITERIA-SAVE, CRITERIA-REUSE, CRITERIA-LIST, CRITERIA-DELETE, SEGMENT-REUSE-LOGGED.
enum SegmentCriteriaCommands {
    static let filterHelp = """
        Filters use BC's syntax: A|B (either), FROM..TO, FROM.., ..TO, <>A (not), *PART* (pattern, codes and \
        names). A contact qualifies when it passes every contact filter and, when log-… filters are given, has \
        at least one (non-postponed) interaction log entry matching all of them. No filter at all matches every \
        contact. Adding 100,000 contacts is one statement.
        """

    static let confirm = ArgumentSpec(
        "confirm",
        kind: .named,
        valueType: .bool,
        help: "Required when the segment already has criteria actions (BC asks \"Are you sure …?\")."
    )

    static let specs: [CommandSpec] = [
        CommandSpec(
            name: "SEGMENT-ADD-CONTACTS",
            summary: "Add the contacts matching filters (one recorded criteria step).",
            arguments: [SegmentArguments.segment.spec] + SegmentArguments.filters + [
                ArgumentSpec(
                    "allow-existing",
                    kind: .named,
                    valueType: .bool,
                    help: "Also add contacts already on a line."
                ),
                ArgumentSpec(
                    "expand-companies",
                    kind: .named,
                    valueType: .bool,
                    help: "Replace each contact with a company by all contacts of that company."
                ),
                ArgumentSpec(
                    "allow-related-companies",
                    kind: .named,
                    valueType: .bool,
                    help: "Also add the company of each person found."
                ),
                ArgumentSpec(
                    "ignore-exclusion",
                    kind: .named,
                    valueType: .bool,
                    help: "Keep contacts flagged Exclude from Segment."
                ),
            ],
            requiredRole: .salesperson,
            help: Self.filterHelp
                + "\nNew lines are ordered by company name, company no., type (companies first) and name.",
            example: [
                "SEGMENT-ADD-CONTACTS SEG00001 type=person post-code=\"8000..8999\" log-template=OUTGOING idem=s-6",
                "* segment=SEG00001 criteria-actions=1 added=118 removed=0 lines=118",
                "OK 118 lines added",
            ]
        ).idempotent(),
        CommandSpec(
            name: "SEGMENT-REDUCE",
            summary: "Remove the lines whose contact matches the filters (one recorded criteria step).",
            arguments: [SegmentArguments.segment.spec] + SegmentArguments.filters + [Self.entireCompanies],
            requiredRole: .salesperson,
            help: Self.filterHelp + "\nOnly contacts already in the segment are looked at.",
            example: [
                "SEGMENT-REDUCE SEG00001 country=DE entire-companies=true idem=s-7",
                "* segment=SEG00001 criteria-actions=2 added=0 removed=14 lines=104",
                "OK 14 lines removed",
            ]
        ).idempotent(),
        CommandSpec(
            name: "SEGMENT-REFINE",
            summary: "Keep only the lines whose contact matches the filters (one recorded criteria step).",
            arguments: [SegmentArguments.segment.spec] + SegmentArguments.filters + [Self.entireCompanies],
            requiredRole: .salesperson,
            help: Self.filterHelp + "\nOnly contacts already in the segment are looked at.",
            example: [
                "SEGMENT-REFINE SEG00001 log-date=2025-01-01..2025-03-31 idem=s-8",
                "* segment=SEG00001 criteria-actions=3 added=0 removed=40 lines=64",
                "OK 40 lines removed",
            ]
        ).idempotent(),
        CommandSpec(
            name: "SEGMENT-GO-BACK",
            summary: "Undo the last criteria action (also manual line edits).",
            arguments: [SegmentArguments.segment.spec],
            requiredRole: .salesperson,
            help: """
                As BC (reference 3.7 R3): lines the action added are removed (every line of those contacts), lines \
                it removed come back at the end, initialised from the header again (overrides made before are \
                lost). The action's criteria lines and history go.
                """,
            example: [
                "SEGMENT-GO-BACK SEG00001 idem=s-9",
                "* segment=SEG00001 criteria-actions=2 added=40 removed=0 lines=104",
                "OK criteria action 3 undone",
            ]
        ).idempotent(),
        CommandSpec(
            name: "SEGMENT-CRITERIA",
            summary: "List a segment's criteria: its actions with their options and filters, readable.",
            arguments: [SegmentArguments.segment.spec] + Paging.arguments("criteria lines"),
            requiredRole: .salesperson,
            example: [
                "SEGMENT-CRITERIA SEG00001",
                "* segment=SEG00001 line=1 type=action action=add allow-existing=false expand-companies=false "
                    + "allow-related-companies=false ignore-exclusion=false entire-companies=false filters=1 "
                    + "text=\"Add Contacts\"",
                "* segment=SEG00001 line=2 type=filter table=contact view=\"WHERE(Type=FILTER(person))\" "
                    + "text=\"Contact: Type = person\"",
                "OK 2 criteria lines",
            ]
        ),
        CommandSpec(
            name: "CRITERIA-SAVE",
            summary: "Save a segment's criteria under a code, to reuse them on other segments.",
            arguments: [
                SegmentArguments.segment.spec,
                ArgumentSpec(
                    "code",
                    kind: .named,
                    required: true,
                    valueType: .code(maxLength: 10),
                    help: "Saved criteria code."
                ),
                ArgumentSpec("description", kind: .named, valueType: .text(maxLength: 100), help: "Description."),
                ArgumentSpec(
                    "replace",
                    kind: .named,
                    valueType: .bool,
                    help: "Overwrite saved criteria with that code (your own; a manager's may overwrite any)."
                ),
            ],
            requiredRole: .salesperson,
            help: """
                Saved criteria belong to the user who saved them: only they or a manager may replace or delete \
                them. Every salesperson may list and reuse every saved set.
                """,
            example: [
                "CRITERIA-SAVE SEG00001 code=NORTH description=\"Northern persons\" idem=s-10",
                "* code=NORTH description=\"Northern persons\" criteria-actions=2 created-by=ALICE",
                "OK criteria NORTH saved",
            ]
        ).idempotent(),
        CommandSpec(
            name: "CRITERIA-REUSE",
            summary: "Replay saved criteria on a segment, step by step.",
            arguments: [
                SegmentArguments.segment.spec,
                ArgumentSpec(
                    "code",
                    kind: .named,
                    required: true,
                    valueType: .code(maxLength: 10),
                    help: "Saved criteria code."
                ),
                Self.confirm,
            ],
            requiredRole: .salesperson,
            help: "Each saved step runs again with its filters and options (refine steps keep Entire Companies).",
            example: [
                "CRITERIA-REUSE SEG00002 code=NORTH idem=s-11",
                "* segment=SEG00002 criteria-actions=2 added=118 removed=14 lines=104",
                "OK criteria NORTH reused",
            ]
        ).idempotent(),
        CommandSpec(
            name: "CRITERIA-LIST",
            summary: "List the saved criteria.",
            arguments: Paging.arguments("saved criteria"),
            requiredRole: .salesperson,
            example: [
                "CRITERIA-LIST",
                "* code=NORTH description=\"Northern persons\" criteria-actions=2 created-by=ALICE",
                "OK 1 saved criteria",
            ]
        ),
        CommandSpec(
            name: "CRITERIA-DELETE",
            summary: "Delete saved criteria: your own, or any as a manager.",
            arguments: [
                ArgumentSpec(
                    "code",
                    kind: .positional,
                    required: true,
                    valueType: .code(maxLength: 10),
                    help: "Saved criteria code."
                )
            ],
            requiredRole: .salesperson,
            example: ["CRITERIA-DELETE NORTH idem=s-12", "OK criteria NORTH deleted"]
        ).idempotent(),
        CommandSpec(
            name: "SEGMENT-REUSE-LOGGED",
            summary: "Add one line per interaction of a logged segment (its contact and campaign).",
            arguments: [
                SegmentArguments.segment.spec,
                ArgumentSpec(
                    "logged-segment",
                    kind: .named,
                    required: true,
                    valueType: .integer(1...Int.max),
                    help: "Logged segment entry No."
                ),
                Self.confirm,
            ],
            requiredRole: .salesperson,
            help: """
                Reference 3.7 R6: recorded as an Add Contacts action (allow existing) with the filter \
                "Logged Segment Entry No. = N". Like BC, contacts flagged Exclude from Segment are not filtered out.
                """,
            example: [
                "SEGMENT-REUSE-LOGGED SEG00004 logged-segment=17 idem=s-13",
                "* segment=SEG00004 criteria-actions=1 added=104 removed=0 lines=104",
                "OK 104 lines added",
            ]
        ).idempotent(),
    ]

    static let entireCompanies = ArgumentSpec(
        "entire-companies",
        kind: .named,
        valueType: .bool,
        help: "When any contact of a company matches, the whole company (company and persons) counts as matching."
    )

    static func make(_ context: ServerContext) -> [Command] {
        [
            Self.step("SEGMENT-ADD-CONTACTS", .add, context),
            Self.step("SEGMENT-REDUCE", .reduce, context),
            Self.step("SEGMENT-REFINE", .refine, context),
            Command(
                SessionCommands.spec("SEGMENT-GO-BACK"),
                reply: { invocation, session in
                    let no = invocation.arguments.code("segment")!
                    let actor = session.actingUser
                    return try await context.write(invocation, user: actor.userID) { connection in
                        let result = try SegmentCriteriaStore.goBack(connection, actor: actor, segmentNo: no)
                        return .ok("criteria action \(result.actionNo + 1) undone", [SegmentReplies.step(no, result)])
                    }
                }
            ),
            Command(
                SessionCommands.spec("SEGMENT-CRITERIA"),
                list: { invocation, _ in
                    let no = invocation.arguments.code("segment")!
                    let page = try Paging.request(invocation.arguments, keys: [.integer])
                    let lines = try await context.store.pool.withConnection { connection in
                        try SegmentCriteriaStore.criteria(
                            connection,
                            segmentNo: no,
                            afterLine: page.integer(0),
                            limit: page.fetch
                        )
                    }
                    return Paging.reply(
                        lines,
                        page,
                        noun: "criteria line",
                        key: { [String($0.line.lineNo)] },
                        line: { SegmentReplies.criteria(no, $0) }
                    )
                }
            ),
            Command(
                SessionCommands.spec("CRITERIA-SAVE"),
                reply: { invocation, session in
                    let arguments = invocation.arguments
                    let no = arguments.code("segment")!
                    let code = arguments.code("code")!
                    let description = arguments.text("description").flatMap { $0.isEmpty ? nil : $0 }
                    let replace = arguments.bool("replace") ?? false
                    let actor = session.actingUser
                    return try await context.write(invocation, user: actor.userID) { connection in
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
            ),
            Command(
                SessionCommands.spec("CRITERIA-REUSE"),
                reply: { invocation, session in
                    let no = invocation.arguments.code("segment")!
                    let code = invocation.arguments.code("code")!
                    let confirm = invocation.arguments.bool("confirm") ?? false
                    let actor = session.actingUser
                    return try await context.write(invocation, user: actor.userID) { connection in
                        let result = try SegmentCriteriaStore.reuse(
                            connection,
                            actor: actor,
                            segmentNo: no,
                            code: code,
                            confirm: confirm
                        )
                        return .ok("criteria \(code) reused", [SegmentReplies.step(no, result)])
                    }
                }
            ),
            Command(
                SessionCommands.spec("CRITERIA-LIST"),
                list: { invocation, _ in
                    let page = try Paging.request(invocation.arguments, keys: [.code(maxLength: 10)])
                    let saved = try await context.store.pool.withConnection { connection in
                        try SegmentCriteriaStore.saved(connection, after: page.code(0), limit: page.fetch)
                    }
                    return Paging.reply(
                        saved,
                        page,
                        noun: "saved criteria",
                        plural: "saved criteria",
                        key: { [$0.code] },
                        line: Self.saved
                    )
                }
            ),
            Command(
                SessionCommands.spec("CRITERIA-DELETE"),
                reply: { invocation, session in
                    let code = invocation.arguments.code("code")!
                    let actor = session.actingUser
                    return try await context.write(invocation, user: actor.userID) { connection in
                        try SegmentCriteriaStore.deleteSaved(connection, actor: actor, code: code)
                        return .ok("criteria \(code) deleted")
                    }
                }
            ),
            Command(
                SessionCommands.spec("SEGMENT-REUSE-LOGGED"),
                reply: { invocation, session in
                    let no = invocation.arguments.code("segment")!
                    let logged = Int64(invocation.arguments.integer("logged-segment")!)
                    let confirm = invocation.arguments.bool("confirm") ?? false
                    let actor = session.actingUser
                    return try await context.write(invocation, user: actor.userID) { connection in
                        let result = try SegmentCriteriaStore.reuseLogged(
                            connection,
                            actor: actor,
                            segmentNo: no,
                            loggedSegmentEntryNo: logged,
                            confirm: confirm
                        )
                        return .ok(
                            "\(SegmentReplies.count(result.added, "line")) added",
                            [SegmentReplies.step(no, result)]
                        )
                    }
                }
            ),
        ]
    }

    private static func step(_ name: String, _ action: CriteriaAction, _ context: ServerContext) -> Command {
        Command(
            SessionCommands.spec(name),
            reply: { invocation, session in
                let arguments = invocation.arguments
                let no = arguments.code("segment")!
                let options = CriteriaOptions(
                    allowExisting: arguments.bool("allow-existing") ?? false,
                    expandCompanies: arguments.bool("expand-companies") ?? false,
                    allowRelatedCompanies: arguments.bool("allow-related-companies") ?? false,
                    ignoreExclusion: arguments.bool("ignore-exclusion") ?? false,
                    entireCompanies: arguments.bool("entire-companies") ?? false
                )
                let step = CriteriaStep(
                    action: action,
                    options: options,
                    filters: try SegmentArguments.filters(arguments)
                )
                let actor = session.actingUser
                return try await context.write(invocation, user: actor.userID) { connection in
                    let result = try SegmentCriteriaStore.run(connection, actor: actor, segmentNo: no, step)
                    let text =
                        action == .add
                        ? "\(SegmentReplies.count(result.added, "line")) added"
                        : "\(SegmentReplies.count(result.removed, "line")) removed"
                    return .ok(text, [SegmentReplies.step(no, result)])
                }
            }
        )
    }

    static func saved(_ record: SavedCriteriaRecord) -> DataLine {
        .named([
            "code": record.code,
            "description": record.description,
            "criteria-actions": String(record.noOfActions),
            "created-by": record.createdBy,
        ])
    }
}
