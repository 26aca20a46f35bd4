import LibPQ
import RapportModel
import RapportProtocol
import RapportStore

/// Lines by hand: SEGMENT-LINE-ADD, SEGMENT-LINE-SET, SEGMENT-LINE-REMOVE, and SEGMENT-LINE-LIST.
enum SegmentLineCommands {
    static let line = RequiredArgument.positional("line", .integer(1...Int(Int32.max)), "Line No.")
    static let newContact = OptionalArgument.named(
        "contact",
        .code(maxLength: 20),
        "Another contact: the line is initialised again (recorded as a removal and an addition)."
    )
    static let resetCriteria = OptionalArgument.named(
        "reset-criteria",
        .bool,
        "When the segment becomes empty: also delete its criteria and history (default false)."
    )

    /// An example line, as every line command prints it.
    static func exampleLine(_ changes: [String: String?] = [:]) -> String {
        var values: [String: String?] = [
            "segment": "SEG00001", "line": "30000", "contact": "CT000012", "contact-name": "Ann Lee",
            "company": "CT000010", "company-name": "Lee & Co", "email": "ann@lee.example", "salesperson": "AH",
            "template": "BUSLETTER",
            "group": "LETTER", "description": "Spring mailing", "date": "2025-03-14", "correspondence-type": "email",
            "cost": "12.00", "duration": "30.00", "information-flow": "outbound", "initiated-by": "us",
            "campaign-target": "false", "campaign-response": "false", "attempt-failed": "false",
            "send-word-docs": "false",
        ]
        values.merge(changes) { $1 }
        return SegmentReplies.example(SegmentReplies.lineColumns, values)
    }

    static let add = Command(
        CommandSpec(
            name: "SEGMENT-LINE-ADD",
            summary: "Add a line for a contact, initialised from the header, with optional per-line overrides.",
            arguments: [SegmentArguments.segment.spec, SegmentArguments.contact.spec, ContactNameArgument.spec]
                + SegmentArguments.lineFields,
            requiredRole: .salesperson,
            help: """
                Recorded as an "Add Contacts" criteria action with a Contact No. filter and an insertion in the \
                history, so SEGMENT-GO-BACK undoes it. The line copies the header (description, template, cost, \
                duration, campaign …), takes the contact's company, the header's salesperson (else the \
                contact's) and the correspondence type by the usual precedence.
                """,
            example: [
                "SEGMENT-LINE-ADD SEG00001 contact=CT000012 cost=12.00 idem=s-3", Self.exampleLine(),
                "OK line 30000 added",
            ],
            results: SegmentReplies.lineColumns
        ).idempotent(),
        reply: { invocation, session in
            let no = invocation.arguments[SegmentArguments.segment]
            let number = invocation.arguments[SegmentArguments.contact]
            let changes = SegmentArguments.lineChanges(invocation.arguments)
            let actor = session.actingUser
            return try await invocation.context.write(invocation, user: actor.userID) { connection in
                let contact = try ContactNameArgument.required(invocation.arguments, number: number, connection)
                let line = try SegmentLineStore.add(
                    connection,
                    actor: actor,
                    segmentNo: no,
                    contactNo: contact,
                    changes: changes
                )
                return .ok("line \(line.lineNo) added", [SegmentReplies.line(no, line)])
            }
        }
    )

    static let set = Command(
        CommandSpec(
            name: "SEGMENT-LINE-SET",
            summary: "Change one line: per-line overrides, or another contact.",
            arguments: [SegmentArguments.segment.spec, Self.line.spec, Self.newContact.spec]
                + SegmentArguments.lineFields,
            requiredRole: .salesperson,
            help: """
                template= validates the template on the line: cost, duration, flow, initiated-by, campaign flags \
                and correspondence type come from it, and a template other than the header's brings its own \
                language variants ("Unique" content). language= swaps attachment and subject to that language's \
                variant. An empty value blanks a field.
                """,
            example: [
                "SEGMENT-LINE-SET SEG00001 30000 evaluation=positive subject=\"Your offer\" idem=s-4",
                Self.exampleLine(["evaluation": "positive", "subject": "Your offer"]),
                "OK line 30000 changed",
            ],
            results: SegmentReplies.lineColumns
        ).idempotent(),
        reply: { invocation, session in
            let no = invocation.arguments[SegmentArguments.segment]
            let lineNo = invocation.arguments[Self.line]
            var changes = SegmentArguments.lineChanges(invocation.arguments)
            changes.contactNo = invocation.arguments[Self.newContact]
            let chosen = changes
            let actor = session.actingUser
            return try await invocation.context.write(invocation, user: actor.userID) { connection in
                let line = try SegmentLineStore.set(
                    connection,
                    actor: actor,
                    segmentNo: no,
                    lineNo: lineNo,
                    changes: chosen
                )
                return .ok("line \(lineNo) changed", [SegmentReplies.line(no, line)])
            }
        }
    )

    static let removedColumns = [ResultColumn("segment", .code), ResultColumn("lines", .integer)]

    static let lines = RequiredArgument.named(
        "lines",
        .list,
        "Line numbers to remove, comma-separated (at most 1000)."
    )

    static let remove = Command(
        CommandSpec(
            name: "SEGMENT-LINE-REMOVE",
            summary: "Remove lines (each recorded as a reduce action, so SEGMENT-GO-BACK brings it back).",
            arguments: [SegmentArguments.segment.spec, Self.lines.spec, Self.resetCriteria.spec],
            requiredRole: .salesperson,
            help: "All or nothing: a line that does not exist refuses the whole request.",
            example: [
                "SEGMENT-LINE-REMOVE SEG00001 lines=20000,30000 idem=s-5", "* segment=SEG00001 lines=1",
                "OK 2 lines removed",
            ],
            results: Self.removedColumns
        ).idempotent(),
        reply: { invocation, session in
            let no = invocation.arguments[SegmentArguments.segment]
            let lineNos = try Self.lineNumbers(invocation.arguments[Self.lines])
            let reset = invocation.arguments[Self.resetCriteria] ?? false
            let actor = session.actingUser
            return try await invocation.context.write(invocation, user: actor.userID) { connection in
                var left = 0
                var didReset = false
                for lineNo in lineNos {
                    (left, didReset) = try SegmentLineStore.remove(
                        connection,
                        actor: actor,
                        segmentNo: no,
                        lineNo: lineNo,
                        resetCriteria: reset
                    )
                }
                return .ok(
                    "\(SegmentReplies.count(lineNos.count, "line")) removed" + (didReset ? ", criteria reset" : ""),
                    [.shaped(Self.removedColumns, ["segment": no, "lines": String(left)])]
                )
            }
        }
    )

    /// `lines=10000,20000`: each once, in the order given.
    static func lineNumbers(_ items: [String]) throws -> [Int] {
        var numbers: [Int] = []
        for item in items {
            guard let number = Int(item), (1...Int(Int32.max)).contains(number) else {
                throw CommandError(.badArguments, "argument lines must be line numbers separated by commas")
            }
            if !numbers.contains(number) { numbers.append(number) }
        }
        guard !numbers.isEmpty else {
            throw CommandError(.badArguments, "argument lines names no line: give lines=N,M")
        }
        guard numbers.count <= 1000 else {
            throw CommandError(.tooLarge, "at most 1000 lines at a time: split lines into batches")
        }
        return numbers
    }

    static let list = Command(
        CommandSpec(
            name: "SEGMENT-LINE-LIST",
            summary: "List a segment's lines in line order.",
            arguments: [SegmentArguments.segment.spec] + Paging.arguments("lines"),
            requiredRole: .salesperson,
            example: ["SEGMENT-LINE-LIST SEG00001 limit=1", Self.exampleLine(), "OK 1 line next=30000"],
            results: SegmentReplies.lineColumns
        ),
        list: { invocation, _ in
            let no = invocation.arguments[SegmentArguments.segment]
            let page = try Paging.request(invocation.arguments, keys: [.integer])
            let after = Int(clamping: page.integer(0) ?? 0)
            let lines = try await invocation.context.store.pool.withConnection { connection in
                try SegmentStore.lines(connection, no: no, afterLine: after, limit: page.fetch)
            }
            return Paging.reply(
                lines,
                page,
                noun: "line",
                key: { [String($0.lineNo)] },
                line: { SegmentReplies.line(no, $0) }
            )
        }
    )

    static let all: [Command] = [add, set, remove, list]
    static var specs: [CommandSpec] { all.map(\.spec) }
    static func make(_ context: ServerContext) -> [Command] { all }
}
