import LibPQ
import RapportModel
import RapportProtocol
import RapportStore

/// Lines by hand (reference 3.6 R8, R9, 1.9): SEGMENT-LINE-ADD, SEGMENT-LINE-SET, SEGMENT-LINE-REMOVE.
enum SegmentLineCommands {
    static let lineArgument = ArgumentSpec(
        "line",
        kind: .positional,
        required: true,
        valueType: .integer(1...Int(Int32.max)),
        help: "Line No."
    )

    static let specs: [CommandSpec] = [
        CommandSpec(
            name: "SEGMENT-LINE-ADD",
            summary: "Add a line for a contact, initialised from the header, with optional per-line overrides.",
            arguments: [
                SegmentArguments.segment,
                ArgumentSpec(
                    "contact",
                    kind: .named,
                    required: true,
                    valueType: .code(maxLength: 20),
                    help: "Contact No."
                ),
            ] + SegmentArguments.lineFields,
            requiredRole: .salesperson,
            help: """
                Recorded as an "Add Contacts" criteria action with a Contact No. filter and an insertion in the \
                history, so SEGMENT-GO-BACK undoes it. The line copies the header (description, template, cost, \
                duration, campaign …), takes the contact's company, the header's salesperson (else the \
                contact's) and the correspondence type by the precedence of reference 3.2 R3.
                """,
            example: [
                "SEGMENT-LINE-ADD SEG00001 contact=CT000012 cost=12.00 idem=s-3",
                "* segment=SEG00001 line=30000 contact=CT000012 contact-name=\"Ann Lee\" company=CT000010 "
                    + "company-name=\"Lee & Co\" salesperson=AH template=BUSLETTER group=LETTER "
                    + "description=\"Spring mailing\" date=2025-03-14 correspondence-type=email cost=12.00 "
                    + "duration=30.00 campaign-target=false campaign-response=false attempt-failed=false "
                    + "send-word-docs=false",
                "OK line 30000 added",
            ]
        ).idempotent(),
        CommandSpec(
            name: "SEGMENT-LINE-SET",
            summary: "Change one line: per-line overrides (reference 3.6 R9), or another contact.",
            arguments: [
                SegmentArguments.segment,
                Self.lineArgument,
                ArgumentSpec(
                    "contact",
                    kind: .named,
                    valueType: .code(maxLength: 20),
                    help: "Another contact: the line is initialised again (recorded as a removal and an addition)."
                ),
            ] + SegmentArguments.lineFields,
            requiredRole: .salesperson,
            help: """
                template= validates the template on the line (reference 3.2 R6): cost, duration, flow, \
                initiated-by, campaign flags and correspondence type come from it, and a template other than the \
                header's brings its own language variants ("Unique" content). language= swaps attachment and \
                subject to that language's variant.
                """,
            example: [
                "SEGMENT-LINE-SET SEG00001 30000 evaluation=positive subject=\"Your offer\" idem=s-4",
                "* segment=SEG00001 line=30000 contact=CT000012 contact-name=\"Ann Lee\" company=CT000010 "
                    + "company-name=\"Lee & Co\" salesperson=AH template=BUSLETTER group=LETTER "
                    + "description=\"Spring mailing\" date=2025-03-14 correspondence-type=email subject=\"Your offer\" "
                    + "cost=12.00 duration=30.00 campaign-target=false campaign-response=false evaluation=positive "
                    + "attempt-failed=false send-word-docs=false",
                "OK line 30000 changed",
            ]
        ).idempotent(),
        CommandSpec(
            name: "SEGMENT-LINE-REMOVE",
            summary: "Remove one line (recorded as a reduce action, so SEGMENT-GO-BACK brings it back).",
            arguments: [
                SegmentArguments.segment,
                Self.lineArgument,
                ArgumentSpec(
                    "reset-criteria",
                    kind: .named,
                    valueType: .bool,
                    help: "When the segment becomes empty: also delete its criteria and history (default false)."
                ),
            ],
            requiredRole: .salesperson,
            example: [
                "SEGMENT-LINE-REMOVE SEG00001 30000 idem=s-5", "* segment=SEG00001 lines=2", "OK line 30000 removed",
            ]
        ).idempotent(),
    ]

    static func make(_ context: ServerContext) -> [Command] {
        [
            Command(
                SessionCommands.spec("SEGMENT-LINE-ADD"),
                reply: { invocation, session in
                    let no = invocation.arguments.code("segment")!
                    var changes = try SegmentArguments.lineChanges(invocation.arguments)
                    let contact = changes.contactNo!
                    changes.contactNo = nil
                    let chosen = changes
                    let actor = session.actingUser
                    return try await context.write(invocation, user: actor.userID) { connection in
                        let line = try SegmentLineStore.add(
                            connection,
                            actor: actor,
                            segmentNo: no,
                            contactNo: contact,
                            changes: chosen
                        )
                        return .ok("line \(line.lineNo) added", [SegmentReplies.line(no, line)])
                    }
                }
            ),
            Command(
                SessionCommands.spec("SEGMENT-LINE-SET"),
                reply: { invocation, session in
                    let no = invocation.arguments.code("segment")!
                    let lineNo = invocation.arguments.integer("line")!
                    let changes = try SegmentArguments.lineChanges(invocation.arguments)
                    let actor = session.actingUser
                    return try await context.write(invocation, user: actor.userID) { connection in
                        let line = try SegmentLineStore.set(
                            connection,
                            actor: actor,
                            segmentNo: no,
                            lineNo: lineNo,
                            changes: changes
                        )
                        return .ok("line \(lineNo) changed", [SegmentReplies.line(no, line)])
                    }
                }
            ),
            Command(
                SessionCommands.spec("SEGMENT-LINE-REMOVE"),
                reply: { invocation, session in
                    let no = invocation.arguments.code("segment")!
                    let lineNo = invocation.arguments.integer("line")!
                    let reset = invocation.arguments.bool("reset-criteria") ?? false
                    let actor = session.actingUser
                    return try await context.write(invocation, user: actor.userID) { connection in
                        let (left, didReset) = try SegmentLineStore.remove(
                            connection,
                            actor: actor,
                            segmentNo: no,
                            lineNo: lineNo,
                            resetCriteria: reset
                        )
                        return .ok(
                            "line \(lineNo) removed" + (didReset ? ", criteria reset" : ""),
                            [.named(["segment": no, "lines": String(left)])]
                        )
                    }
                }
            ),
        ]
    }
}
