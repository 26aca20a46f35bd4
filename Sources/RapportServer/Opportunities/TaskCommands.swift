import Foundation
import LibPQ
import RapportModel
import RapportProtocol
import RapportStore

/// TASK-CREATE, -FROM-ENTRY, -FROM-SEGMENT, -SET, -COMPLETE, -CANCEL, -LIST, -SHOW.
enum TaskCommands {
    static let task = RequiredArgument.positional("task", .code(maxLength: 20), "Task No.")
    static let type = OptionalArgument.named(
        "type",
        .oneOf(TaskType.self),
        "meeting or phone_call; absent: a plain to-do."
    )
    static let description = OptionalArgument.named(
        "description",
        .text(maxLength: 100),
        "Description (required; from an entry or segment: default theirs)."
    )
    static let contact = OptionalArgument.named(
        "contact",
        .code(maxLength: 20),
        "Contact (required for meetings and phone calls)."
    )
    static let salesperson = OptionalArgument.named(
        "salesperson",
        .code(maxLength: 20),
        "Who does it; default: yours, else the contact's. Salespeople may only use their own."
    )
    static let campaign = OptionalArgument.named("campaign", .code(maxLength: 20), "Campaign.")
    static let opportunity = OptionalArgument.named(
        "opportunity",
        .code(maxLength: 20),
        "Open opportunity of the contact's company."
    )
    static let date = OptionalArgument.named(
        "date",
        .date,
        "Date due; default: today plus the marketing setup's task-date-formula."
    )
    static let startTime = OptionalArgument.named("start-time", .time, "Start time (meetings).")
    static let endingDate = OptionalArgument.named("ending-date", .date, "Ending date, not before the date.")
    static let location = OptionalArgument.named("location", .text(maxLength: 50), "Location (meetings).")
    static let comment = OptionalArgument.named(
        "comment",
        .text(maxLength: 4000),
        "Comment lines separated by \\n, each at most 80 characters; logged with the interaction on completion."
    )
    static let entry = RequiredArgument.positional("entry", .integer(1...Int.max), "Interaction log entry No.")
    static let segment = RequiredArgument.positional("segment", .code(maxLength: 20), "Segment No.")

    static let columns = [
        ResultColumn("task", .code), ResultColumn("type", .enumeration), ResultColumn("description", .text),
        ResultColumn("contact", .code), ResultColumn("company", .code), ResultColumn("salesperson", .code),
        ResultColumn("campaign", .code), ResultColumn("opportunity", .code), ResultColumn("segment", .code),
        ResultColumn("date", .date), ResultColumn("start-time", .time), ResultColumn("ending-date", .date),
        ResultColumn("location", .text), ResultColumn("status", .enumeration), ResultColumn("canceled", .bool),
        ResultColumn("date-closed", .date), ResultColumn("comment", .text),
    ]

    static let exampleLine =
        "* task=TD000001 type=meeting description=\"Present the offer\" contact=CT000012 company=CT000010 "
        + "salesperson=AH campaign= opportunity=OP000001 segment= date=2025-03-10 start-time=10:00:00 "
        + "ending-date= location=\"Their office\" status=not_started canceled=false date-closed= "
        + "comment=\"bring the catalogue\""

    static func draft(_ arguments: BoundArguments) -> TaskDraft {
        var draft = TaskDraft()
        draft.type = arguments[Self.type]
        draft.description = arguments[Self.description]
        draft.salespersonCode = arguments[Self.salesperson]
        draft.campaignNo = arguments[Self.campaign]
        draft.opportunityNo = arguments[Self.opportunity]
        draft.date = arguments[Self.date]
        draft.startTime = arguments[Self.startTime]
        draft.endingDate = arguments[Self.endingDate]
        draft.location = arguments[Self.location]
        draft.comment = arguments[Self.comment]
        return draft
    }

    static let create = MasterDataCommand.write(
        CommandSpec(
            name: "TASK-CREATE",
            summary: "Create a task (a plain to-do, a meeting or a phone call).",
            arguments: [
                type.spec, description.spec, contact.spec, ContactNameArgument.spec, salesperson.spec, campaign.spec,
                opportunity.spec,
                date.spec, startTime.spec, endingDate.spec, location.spec, comment.spec,
            ],
            requiredRole: .salesperson,
            help: """
                The number comes from the marketing setup's task series (SETUP-MARKETING task-nos=). Refused for a \
                contact blocked due to privacy.
                """,
            example: [
                "TASK-CREATE type=meeting description=\"Present the offer\" contact=CT000012 opportunity=OP000001 "
                    + "date=2025-03-10 start-time=10:00 location=\"Their office\" comment=\"bring the catalogue\"",
                exampleLine,
                "OK task TD000001 created",
            ],
            results: columns
        ).idempotent()
    ) { invocation, session, connection in
        var draft = Self.draft(invocation.arguments)
        draft.contactNo = try ContactNameArgument.resolve(
            invocation.arguments,
            number: invocation.arguments[Self.contact],
            connection
        )
        let created = try TaskStore.create(connection, draft, actor: session.actingUser)
        return .ok("task \(created.no) created", [line(created)])
    }

    static let fromEntry = MasterDataCommand.write(
        CommandSpec(
            name: "TASK-FROM-ENTRY",
            summary: "Create a follow-up task from a log entry.",
            arguments: [
                entry.spec, type.spec, description.spec, salesperson.spec, campaign.spec, opportunity.spec,
                date.spec, startTime.spec, endingDate.spec, location.spec, comment.spec,
            ],
            requiredRole: .salesperson,
            help: """
                Pre-filled with the entry's contact, salesperson, campaign and (when still open) opportunity; \
                anything given wins. Refused for a postponed entry or a contact blocked due to privacy.
                """,
            example: [
                "TASK-FROM-ENTRY 1043 type=meeting description=\"Present the offer\" date=2025-03-10 "
                    + "start-time=10:00 location=\"Their office\" comment=\"bring the catalogue\"",
                exampleLine,
                "OK task TD000001 created from entry 1043",
            ],
            results: columns
        ).idempotent()
    ) { invocation, session, connection in
        let entryNo = invocation.arguments[Self.entry]
        let created = try TaskStore.createFromEntry(
            connection,
            entryNo: Int64(entryNo),
            Self.draft(invocation.arguments),
            actor: session.actingUser
        )
        return .ok("task \(created.no) created from entry \(entryNo)", [line(created)])
    }

    static let fromSegment = MasterDataCommand.write(
        CommandSpec(
            name: "TASK-FROM-SEGMENT",
            summary: "Create one task per line of a segment.",
            arguments: [
                segment.spec, type.spec, description.spec, salesperson.spec, campaign.spec, opportunity.spec,
                date.spec, startTime.spec, endingDate.spec, location.spec, comment.spec,
            ],
            requiredRole: .salesperson,
            help: """
                Each line's contact gets one, with the line's salesperson, campaign and opportunity (else the \
                segment's); the line keeps the task's number. Deleting the last line of a contact deletes its open \
                tasks of the segment that no entry names. All or nothing.
                """,
            example: [
                "TASK-FROM-SEGMENT SEG00001 type=phone_call description=\"Follow-up call\" date=2025-03-10",
                "* task=TD000002 type=phone_call description=\"Follow-up call\" contact=CT000012 company=CT000010 "
                    + "salesperson=AH campaign= opportunity= segment=SEG00001 date=2025-03-10 start-time= "
                    + "ending-date= location= status=not_started canceled=false date-closed= comment=",
                "OK 1 task created",
            ],
            results: columns
        ).idempotent()
    ) { invocation, session, connection in
        let made = try TaskStore.createForSegment(
            connection,
            segmentNo: invocation.arguments[Self.segment],
            Self.draft(invocation.arguments),
            actor: session.actingUser
        )
        return .ok("\(MasterDataCommand.count(made.count, "task")) created", made.map(line))
    }

    static let setType = ChangeArgument.named("type", .oneOf(TaskType.self), "meeting, phone_call, or empty.")
    static let setOpportunity = ChangeArgument.named("opportunity", .code(maxLength: 20), "Opportunity.")
    static let setStartTime = ChangeArgument.named("start-time", .time, "Start time.")
    static let setEndingDate = ChangeArgument.named("ending-date", .date, "Ending date.")
    static let setLocation = ChangeArgument.named("location", .text(maxLength: 50), "Location.")
    static let setComment = ChangeArgument.named("comment", .text(maxLength: 4000), "Comment lines (\\n).")
    static let setStatus = OptionalArgument.named(
        "status",
        .oneOf(TaskStatus.self),
        "not_started, in_progress, waiting or postponed (completed: TASK-COMPLETE)."
    )
    static let setDate = OptionalArgument.named("date", .date, "Date due.")

    static let set = MasterDataCommand.write(
        CommandSpec(
            name: "TASK-SET",
            summary: "Change an open task; absent fields stay, an empty value blanks one.",
            arguments: [
                task.spec, setType.spec, description.spec, salesperson.spec, setOpportunity.spec, setDate.spec,
                setStartTime.spec, setEndingDate.spec, setLocation.spec, setStatus.spec, setComment.spec,
            ],
            requiredRole: .salesperson,
            help: "Salespeople change their own tasks, managers anyone's. A completed or canceled task cannot change.",
            example: [
                "TASK-SET TD000001 status=in_progress",
                "* task=TD000001 type=meeting description=\"Present the offer\" contact=CT000012 company=CT000010 "
                    + "salesperson=AH campaign= opportunity=OP000001 segment= date=2025-03-10 start-time=10:00:00 "
                    + "ending-date= location=\"Their office\" status=in_progress canceled=false date-closed= "
                    + "comment=\"bring the catalogue\"",
                "OK task TD000001 changed",
            ],
            results: columns
        ).idempotent()
    ) { invocation, session, connection in
        let arguments = invocation.arguments
        var changes = TaskChanges()
        changes.type = arguments[Self.setType].update
        changes.description = arguments[Self.description]
        changes.salespersonCode = arguments[Self.salesperson]
        changes.opportunityNo = arguments[Self.setOpportunity].update
        changes.date = arguments[Self.setDate]
        changes.startTime = arguments[Self.setStartTime].update
        changes.endingDate = arguments[Self.setEndingDate].update
        changes.location = arguments[Self.setLocation].update
        changes.status = arguments[Self.setStatus]
        changes.comment = arguments[Self.setComment].update
        let changed = try TaskStore.update(connection, arguments[Self.task], changes, actor: session.actingUser)
        return .ok("task \(changed.no) changed", [line(changed)])
    }

    static let successful = OptionalArgument.named("successful", .bool, "Default true; false stores Attempt Failed.")
    static let evaluation = OptionalArgument.named("evaluation", .oneOf(Evaluation.self), "How it went.")
    static let cost = OptionalArgument.named("cost", .amount, "Cost (LCY); default: the template's.")
    static let duration = OptionalArgument.named("duration", .amount, "Duration in minutes; default: the template's.")
    static let completionComment = OptionalArgument.named(
        "comment",
        .text(maxLength: 4000),
        "More comment lines for the interaction (after the task's), separated by \\n."
    )

    static let complete = MasterDataCommand.write(
        CommandSpec(
            name: "TASK-COMPLETE",
            summary: "Complete an open task; a meeting or phone call logs its interaction.",
            arguments: [task.spec, successful.spec, evaluation.spec, cost.spec, duration.spec, completionComment.spec],
            requiredRole: .salesperson,
            help: """
                A meeting is logged with the template setup's meeting_invitation template, a phone call with its \
                outgoing_call template (the contact's phone number as contact-via): the task's contact, \
                salesperson, campaign, opportunity and description, the task's comment lines then those given. \
                The interaction and the completion commit together: if the interaction is refused, nothing is \
                logged and the task stays open. A plain to-do logs nothing.
                """,
            example: [
                "TASK-COMPLETE TD000001 comment=\"they liked it\"",
                "* task=TD000001 type=meeting description=\"Present the offer\" contact=CT000012 company=CT000010 "
                    + "salesperson=AH campaign= opportunity=OP000001 segment= date=2025-03-10 start-time=10:00:00 "
                    + "ending-date= location=\"Their office\" status=completed canceled=false date-closed=2025-03-10 "
                    + "comment=\"bring the catalogue\"",
                "OK task TD000001 completed, interaction 1044 logged",
            ],
            results: columns
        ).idempotent()
    ) { invocation, session, connection in
        let arguments = invocation.arguments
        var completion = TaskCompletion()
        completion.successful = arguments[Self.successful]
        completion.evaluation = arguments[Self.evaluation]
        completion.cost = arguments[Self.cost]
        completion.duration = arguments[Self.duration]
        if let comment = arguments[Self.completionComment] {
            do throws(InteractionProblem) {
                completion.comments = try CommentLines.split(comment)
            } catch {
                throw CommandError(.invalid, "comment: \(error.message)")
            }
        }
        let done = try TaskStore.complete(connection, arguments[Self.task], completion, actor: session.actingUser)
        let logged = done.logged.map { ", interaction \($0.entryNo) logged" } ?? ""
        return .ok("task \(done.task.no) completed\(logged)", [line(done.task)])
    }

    static let cancel = MasterDataCommand.write(
        CommandSpec(
            name: "TASK-CANCEL",
            summary: "Cancel an open task.",
            arguments: [task.spec],
            requiredRole: .salesperson,
            help: "It stays, closed, with canceled=true; nothing is logged.",
            example: [
                "TASK-CANCEL TD000002",
                "* task=TD000002 type=phone_call description=\"Follow-up call\" contact=CT000012 company=CT000010 "
                    + "salesperson=AH campaign= opportunity= segment=SEG00001 date=2025-03-10 start-time= "
                    + "ending-date= location= status=not_started canceled=true date-closed=2025-03-04 comment=",
                "OK task TD000002 canceled",
            ],
            results: columns
        ).idempotent()
    ) { invocation, session, connection in
        let canceled = try TaskStore.cancel(connection, invocation.arguments[Self.task], actor: session.actingUser)
        return .ok("task \(canceled.no) canceled", [line(canceled)])
    }

    static let ofSalesperson = OptionalArgument.named("salesperson", .code(maxLength: 20), "Only this salesperson's.")
    static let ofContact = OptionalArgument.named("contact", .code(maxLength: 20), "Only this contact's.")
    static let ofOpportunity = OptionalArgument.named("opportunity", .code(maxLength: 20), "Only this opportunity's.")
    static let ofSegment = OptionalArgument.named("segment", .code(maxLength: 20), "Only this segment's.")
    static let open = OptionalArgument.named(
        "open",
        .bool,
        "Only open (true) or only completed and canceled (false) ones."
    )

    static let list = MasterDataCommand.list(
        CommandSpec(
            name: "TASK-LIST",
            summary: "List tasks in number order.",
            arguments: [ofSalesperson.spec, ofContact.spec, ofOpportunity.spec, ofSegment.spec, open.spec]
                + Paging.arguments("tasks"),
            requiredRole: .salesperson,
            help: "Everyone may read every task.",
            example: ["TASK-LIST salesperson=AH open=true", exampleLine, "OK 1 task total=1"],
            results: columns
        ),
        keys: [.code(maxLength: 20)]
    ) { invocation, _, connection, page in
        let arguments = invocation.arguments
        var filter = TaskFilter()
        filter.salespersonCode = arguments[Self.ofSalesperson]
        filter.contactNo = arguments[Self.ofContact]
        filter.opportunityNo = arguments[Self.ofOpportunity]
        filter.segmentNo = arguments[Self.ofSegment]
        filter.open = arguments[Self.open]
        let rows = try TaskStore.list(connection, filter, after: page.code(0), limit: page.fetch)
        let total = try TaskStore.count(connection, filter)
        return Paging.reply(rows, page, noun: "task", total: total, key: { [$0.no] }, line: line)
    }

    static let show = MasterDataCommand.read(
        CommandSpec(
            name: "TASK-SHOW",
            summary: "Show one task.",
            arguments: [task.spec],
            requiredRole: .salesperson,
            help: "Its interactions: LOG-LIST task=.",
            example: ["TASK-SHOW TD000001", exampleLine, "OK task TD000001"],
            results: columns
        )
    ) { invocation, _, connection in
        let no = invocation.arguments[Self.task]
        guard let found = try TaskStore.get(connection, no) else {
            throw StoreError.notFound("Task \(no) does not exist (TASK-LIST shows them)")
        }
        return .ok("task \(found.no)", [line(found)])
    }

    static let all = [create, fromEntry, fromSegment, set, complete, cancel, list, show]

    static func line(_ t: WorkTask) -> DataLine {
        .shaped(
            columns,
            [
                "task": t.no, "type": t.type?.rawValue, "description": t.description, "contact": t.contactNo,
                "company": t.contactCompanyNo, "salesperson": t.salespersonCode, "campaign": t.campaignNo,
                "opportunity": t.opportunityNo, "segment": t.segmentNo, "date": t.date.description,
                "start-time": t.startTime?.description, "ending-date": t.endingDate?.description,
                "location": t.location, "status": t.status.rawValue, "canceled": String(t.canceled),
                "date-closed": t.dateClosed?.description, "comment": t.comment,
            ]
        )
    }
}

/// PHONE-CALL: the Make Phone Call guide.
enum PhoneCallCommands {
    static let contact = OptionalArgument.named("contact", .code(maxLength: 20), "Call this contact.")
    static let task = OptionalArgument.named(
        "task",
        .code(maxLength: 20),
        "Call the contact of this open task (the entry names the task)."
    )
    static let segment = OptionalArgument.named(
        "segment",
        .code(maxLength: 20),
        "Call the contact of a segment line (with line=)."
    )
    static let line = OptionalArgument.named("line", .integer(1...Int.max), "Line No. of the segment line.")
    static let phone = OptionalArgument.named(
        "phone",
        .text(maxLength: 80),
        "Number dialled; default: the contact's phone number."
    )
    static let successful = OptionalArgument.named(
        "successful",
        .bool,
        "Whether the call got through (default true); false stores a failed attempt."
    )
    static let description = OptionalArgument.named(
        "description",
        .text(maxLength: 100),
        "Description; default: the template's."
    )
    static let salesperson = OptionalArgument.named(
        "salesperson",
        .code(maxLength: 20),
        "Default: the task's or line's, else yours, else the contact's."
    )
    static let opportunity = OptionalArgument.named(
        "opportunity",
        .code(maxLength: 20),
        "Open opportunity of the contact's company; default: the task's or line's."
    )
    static let newOpportunity = OptionalArgument.named(
        "new-opportunity",
        .text(maxLength: 100),
        "Create an opportunity from the call with this description (empty: the call's)."
    )
    static let evaluation = OptionalArgument.named("evaluation", .oneOf(Evaluation.self), "How it went.")
    static let duration = OptionalArgument.named("duration", .amount, "Duration in minutes; default: the template's.")
    static let comment = OptionalArgument.named(
        "comment",
        .text(maxLength: 4000),
        "Comment lines separated by \\n, each at most 80 characters."
    )

    static let call = MasterDataCommand.write(
        CommandSpec(
            name: "PHONE-CALL",
            summary: "Log a phone call to a contact, for a task or a segment line.",
            arguments: [
                contact.spec, ContactNameArgument.spec, task.spec, segment.spec, line.spec, phone.spec, successful.spec,
                description.spec,
                salesperson.spec, opportunity.spec, newOpportunity.spec, evaluation.spec, duration.spec,
                comment.spec,
            ],
            requiredRole: .salesperson,
            help: """
                Exactly one of contact=, task= or segment= (with line=). Logged with the interaction template \
                setup's outgoing_call template (SETUP-SET event=outgoing_call), today, without delivery; \
                contact-via is the number dialled. new-opportunity= creates an opportunity from the call in the \
                same transaction (from a segment line it remembers the segment, and the line keeps its number).
                """,
            example: [
                "PHONE-CALL contact=CT000012 successful=false comment=\"no answer\"",
                InteractionReplies.exampleEntry(InteractionReplies.exampleValues),
                "OK interaction 1043 logged",
            ],
            results: InteractionReplies.entryColumns
        ).idempotent()
    ) { invocation, session, connection in
        let arguments = invocation.arguments
        let contact = try ContactNameArgument.resolve(arguments, number: arguments[Self.contact], connection)
        let sources = [contact, arguments[Self.task], arguments[Self.segment]].compactMap { $0 }
        guard sources.count == 1 else {
            throw CommandError(.badArguments, "send exactly one of contact=, task= or segment= with line=")
        }
        let source: PhoneCallSource
        if let no = contact {
            source = .contact(no)
        } else if let no = arguments[Self.task] {
            source = .task(no)
        } else {
            guard let lineNo = arguments[Self.line] else {
                throw CommandError(.badArguments, "segment= needs line=: the segment line to call")
            }
            source = .segmentLine(segmentNo: arguments[Self.segment]!, lineNo: lineNo)
        }
        if arguments[Self.line] != nil, arguments[Self.segment] == nil {
            throw CommandError(.badArguments, "line= goes with segment=")
        }
        var request = PhoneCallRequest(source: source)
        request.phoneNo = arguments[Self.phone]
        request.successful = arguments[Self.successful] ?? true
        request.description = arguments[Self.description]
        request.salespersonCode = arguments[Self.salesperson]
        request.opportunityNo = arguments[Self.opportunity]
        request.newOpportunity = arguments[Self.newOpportunity]
        request.evaluation = arguments[Self.evaluation]
        request.duration = arguments[Self.duration]
        if let comment = arguments[Self.comment] {
            do throws(InteractionProblem) {
                request.comments = try CommentLines.split(comment)
            } catch {
                throw CommandError(.invalid, "comment: \(error.message)")
            }
        }
        let call = try PhoneCallStore.call(connection, request, actor: session.actingUser)
        let made = call.newOpportunity.map { ", opportunity \($0.no) created" } ?? ""
        return .ok(
            "interaction \(call.logged.entryNo) logged\(made)",
            [InteractionReplies.entry(call.logged.entry)]
        )
    }

    static let all = [call]
}
