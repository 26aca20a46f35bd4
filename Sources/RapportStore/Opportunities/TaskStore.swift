import Foundation
import LibPQ
import RapportModel
import RapportProtocol

/// A task (to-do).
public struct WorkTask: Sendable, Equatable {
    public var no: String
    public var type: TaskType?
    public var description: String
    public var contactNo: String?
    public var contactCompanyNo: String?
    public var salespersonCode: String
    public var campaignNo: String?
    public var opportunityNo: String?
    public var segmentNo: String?
    public var date: CalendarDate
    public var startTime: TimeOfDay?
    public var endingDate: CalendarDate?
    public var location: String?
    public var status: TaskStatus
    public var canceled: Bool
    public var dateClosed: CalendarDate?
    public var comment: String?

    public var isOpen: Bool { !self.canceled && self.status != .completed }
}

/// What a new task is made of; nil fields take their defaults.
public struct TaskDraft: Sendable, Equatable {
    public var type: TaskType?
    public var description: String?
    public var contactNo: String?
    public var salespersonCode: String?
    public var campaignNo: String?
    public var opportunityNo: String?
    public var segmentNo: String?
    public var date: CalendarDate?
    public var startTime: TimeOfDay?
    public var endingDate: CalendarDate?
    public var location: String?
    public var comment: String?

    public init() {}
}

/// Changes to an open task: nil leaves a field, `.some(nil)` blanks it.
public struct TaskChanges: Sendable, Equatable {
    public var type: TaskType??
    public var description: String?
    public var salespersonCode: String?
    public var opportunityNo: String??
    public var date: CalendarDate?
    public var startTime: TimeOfDay??
    public var endingDate: CalendarDate??
    public var location: String??
    public var status: TaskStatus?
    public var comment: String??

    public init() {}
}

public struct TaskFilter: Sendable, Equatable {
    public var salespersonCode: String?
    public var contactNo: String?
    public var opportunityNo: String?
    public var segmentNo: String?
    public var open: Bool?

    public init() {}
}

/// What completing a task adds to its interaction.
public struct TaskCompletion: Sendable, Equatable {
    public var successful: Bool?
    public var evaluation: Evaluation?
    public var cost: Decimal?
    public var duration: Decimal?
    public var comments: [String] = []

    public init() {}
}

/// A completed task and the interaction its completion logged (none for a blank task).
public struct CompletedTask: Sendable, Equatable {
    public var task: WorkTask
    public var logged: LoggedInteraction?
}

/// Tasks, inside the caller's transaction.
public enum TaskStore {
    static let columns = """
        t.no, t.type::text, t.description, t.contact_no, t.contact_company_no, t.salesperson_code, t.campaign_no,
        t.opportunity_no, t.segment_no, t.date, t.start_time, t.ending_date, t.location, t.status::text, t.canceled,
        t.date_closed, t.comment
        """

    static func decode(_ row: PGRow) throws -> WorkTask {
        WorkTask(
            no: try row.decode(String.self, at: 0),
            type: try row.decode(String?.self, at: 1).flatMap(TaskType.init(rawValue:)),
            description: try row.decode(String.self, at: 2),
            contactNo: try row.decode(String?.self, at: 3),
            contactCompanyNo: try row.decode(String?.self, at: 4),
            salespersonCode: try row.decode(String.self, at: 5),
            campaignNo: try row.decode(String?.self, at: 6),
            opportunityNo: try row.decode(String?.self, at: 7),
            segmentNo: try row.decode(String?.self, at: 8),
            date: CalendarDate(try row.decode(PGDate.self, at: 9)),
            startTime: try row.decode(PGTime?.self, at: 10).map(TimeOfDay.init),
            endingDate: try row.decode(PGDate?.self, at: 11).map(CalendarDate.init),
            location: try row.decode(String?.self, at: 12),
            status: TaskStatus(rawValue: try row.decode(String.self, at: 13)) ?? .notStarted,
            canceled: try row.decode(Bool.self, at: 14),
            dateClosed: try row.decode(PGDate?.self, at: 15).map(CalendarDate.init),
            comment: try row.decode(String?.self, at: 16)
        )
    }

    /// The marketing setup's To-do Nos. and the interval of its default task date formula.
    static func setup(_ connection: PGConnection) throws -> (series: String, interval: String) {
        let setup = try connection.query("SELECT task_nos, default_task_date_formula FROM marketing_setup")[0]
        guard let series = try setup.decode(String?.self, at: 0) else {
            throw StoreError.invalid(
                "To-do Nos. must have a value in Marketing Setup: set one with SETUP-MARKETING task-nos=<series>"
            )
        }
        return (series, try setup.decode(String?.self, at: 1).flatMap(TaskDateFormula.init)?.interval ?? "0 days")
    }

    /// Creates a task numbered from the marketing setup's To-do Nos.
    public static func create(_ connection: PGConnection, _ draft: TaskDraft, actor: ActingUser) throws -> WorkTask {
        let contact = try draft.contactNo.map { try OpportunityStore.contact(connection, $0) }
        if draft.type != nil, contact == nil {
            throw StoreError.invalid(
                "A \(draft.type!.rawValue) task needs a contact: send contact= (only a blank task may have none)"
            )
        }
        let salesperson = try OpportunityStore.salesperson(
            connection,
            given: draft.salespersonCode,
            contact: contact,
            actor: actor,
            what: "tasks"
        )
        let description = try OpportunityStore.requiredDescription(draft.description)
        try OpportunityStore.requireCampaign(connection, draft.campaignNo)
        if let opportunityNo = draft.opportunityNo {
            try Self.checkOpportunity(connection, opportunityNo, contact: contact)
        }
        if let comment = draft.comment { try Self.checkComment(comment) }
        let (series, interval) = try Self.setup(connection)
        if let date = draft.date, let ending = draft.endingDate, ending < date {
            throw StoreError.invalid("Ending Date \(ending) must not be before Date \(date): change ending-date=")
        }
        let no = try NumberSeriesStore.next(connection, series)
        let rows = try MasterDataLookup.inserting("Task \(no) already exists") {
            try connection.query(
                """
                INSERT INTO tasks AS t (no, type, description, contact_no, contact_company_no, salesperson_code,
                    campaign_no, opportunity_no, segment_no, date, start_time, ending_date, location, comment, created_by)
                VALUES (\(no), \(draft.type?.rawValue), \(description), \(contact?.no), \(contact?.companyNo),
                        \(salesperson), \(draft.campaignNo), \(draft.opportunityNo), \(draft.segmentNo),
                        coalesce(\(draft.date?.pgValue)::date, (CURRENT_DATE + \(interval)::interval)::date),
                        \(draft.startTime?.pgValue), \(draft.endingDate?.pgValue), \(draft.location),
                        \(draft.comment), \(actor.userID))
                RETURNING \(unescaped: Self.columns)
                """
            )
        }
        let task = try Self.decode(rows[0])
        if let ending = task.endingDate, ending < task.date {
            throw StoreError.invalid("Ending Date \(ending) must not be before Date \(task.date): change ending-date=")
        }
        return task
    }

    /// A task from a log entry: its contact, salesperson, campaign and opportunity (the rest as given).
    public static func createFromEntry(
        _ connection: PGConnection,
        entryNo: Int64,
        _ given: TaskDraft,
        actor: ActingUser
    ) throws -> WorkTask {
        guard let entry = try InteractionLogReader.entry(connection, entryNo) else {
            throw StoreError.notFound("Interaction log entry \(entryNo) does not exist")
        }
        if entry.postponed {
            throw StoreError.conflict(
                "Interaction log entry \(entryNo) is postponed: resume it with POSTPONED-RESUME first"
            )
        }
        guard let contactNo = entry.draft.contactNo else {
            throw StoreError.invalid("Interaction log entry \(entryNo) has no contact (it was deleted)")
        }
        var draft = given
        draft.contactNo = contactNo
        draft.salespersonCode = given.salespersonCode ?? entry.draft.salespersonCode
        draft.campaignNo = given.campaignNo ?? entry.draft.campaignNo
        if draft.opportunityNo == nil, let opportunityNo = entry.draft.opportunityNo,
            try OpportunityStore.get(connection, opportunityNo)?.status.isOpen == true
        {
            draft.opportunityNo = opportunityNo
        }
        draft.description = given.description ?? entry.draft.description
        return try Self.create(connection, draft, actor: actor)
    }

    /// One task per line of a segment (contact, salesperson and campaign of the line or the header); the
    /// line keeps the task's number.
    public static func createForSegment(
        _ connection: PGConnection,
        segmentNo: String,
        _ given: TaskDraft,
        actor: ActingUser
    ) throws -> [WorkTask] {
        let (headerDescription, lines) = try OpportunityStore.segmentWorkLines(
            connection,
            segmentNo,
            salesperson: given.salespersonCode,
            campaign: given.campaignNo,
            opportunity: given.opportunityNo,
            actor: actor
        )
        let description = try OpportunityStore.requiredDescription(given.description ?? headerDescription)
        var salespeople: [String] = []
        for line in lines {
            let contact = try line.checkedContact()
            salespeople.append(try line.checkedSalesperson(actor: actor, what: "tasks"))
            try line.checkCampaign()
            if let opportunityNo = line.opportunityNo {
                try Self.checkOpportunity(opportunityNo, line.opportunity, contact: contact)
            }
        }
        if let comment = given.comment { try Self.checkComment(comment) }
        let (series, interval) = try Self.setup(connection)
        if let date = given.date, let ending = given.endingDate, ending < date {
            throw StoreError.invalid("Ending Date \(ending) must not be before Date \(date): change ending-date=")
        }
        let numbers = try NumberSeriesStore.take(connection, series, count: lines.count)
        // The tasks and the lines' numbers in one statement, from one array per column.
        let rows = try MasterDataLookup.inserting(
            "To-do numbers \(numbers[0])…\(numbers[numbers.count - 1]) of series \(series) are taken already"
        ) {
            try connection.query(
                """
                WITH line AS (
                    SELECT * FROM unnest(\(numbers)::text[], \(lines.map(\.contactNo))::text[],
                                         \(lines.map { $0.contact?.companyNo ?? "" })::text[], \(salespeople)::text[],
                                         \(lines.map { $0.campaignNo ?? "" })::text[],
                                         \(lines.map { $0.opportunityNo ?? "" })::text[],
                                         \(PGInt64Array(lines.map { Int64($0.lineNo) })))
                        AS l(no, contact_no, company_no, salesperson_code, campaign_no, opportunity_no, line_no)),
                linked AS (
                    UPDATE segment_lines s SET task_no = line.no FROM line
                    WHERE s.segment_no = \(segmentNo) AND s.line_no = line.line_no)
                INSERT INTO tasks AS t (no, type, description, contact_no, contact_company_no, salesperson_code,
                    campaign_no, opportunity_no, segment_no, date, start_time, ending_date, location, comment, created_by)
                SELECT line.no, \(given.type?.rawValue), \(description), line.contact_no,
                       nullif(line.company_no, ''), line.salesperson_code, nullif(line.campaign_no, ''),
                       nullif(line.opportunity_no, ''), \(segmentNo),
                       coalesce(\(given.date?.pgValue)::date, (CURRENT_DATE + \(interval)::interval)::date),
                       \(given.startTime?.pgValue), \(given.endingDate?.pgValue), \(given.location), \(given.comment),
                       \(actor.userID)
                FROM line
                RETURNING \(unescaped: Self.columns)
                """
            )
        }
        let tasks = OpportunityStore.inNumberOrder(try rows.map(Self.decode), numbers, \.no)
        if let task = tasks.first, let ending = task.endingDate, ending < task.date {
            throw StoreError.invalid("Ending Date \(ending) must not be before Date \(task.date): change ending-date=")
        }
        return tasks
    }

    static func checkOpportunity(_ connection: PGConnection, _ no: String, contact: OpportunityStore.WorkContact?)
        throws
    {
        let opportunity = try OpportunityStore.get(connection, no).map {
            OpportunityStore.LinkedOpportunity(
                status: $0.status.rawValue,
                contactNo: $0.contactNo,
                contactCompanyNo: $0.contactCompanyNo
            )
        }
        try Self.checkOpportunity(no, opportunity, contact: contact)
    }

    /// A task's opportunity must exist, be open and belong to the task contact's company (or to the
    /// contact, for a person without a company).
    static func checkOpportunity(
        _ no: String,
        _ opportunity: OpportunityStore.LinkedOpportunity?,
        contact: OpportunityStore.WorkContact?
    ) throws {
        guard let opportunity else {
            throw StoreError.notFound("Opportunity \(no) does not exist (OPPORTUNITY-LIST shows them)")
        }
        let status = OpportunityStatus(rawValue: opportunity.status)
        guard status?.isOpen == true else {
            throw StoreError.invalid("Opportunity \(no) is closed (\(opportunity.status))")
        }
        if let contact,
            contact.companyNo == nil
                ? opportunity.contactNo != contact.no : opportunity.contactCompanyNo != contact.companyNo
        {
            throw StoreError.invalid(
                "Opportunity \(no) belongs to company \(opportunity.contactCompanyNo ?? "(none)"), not to the company "
                    + "of contact \(contact.no)"
            )
        }
    }

    /// The check of an interaction that names a task: it exists and is not canceled.
    static func checkLink(_ connection: PGConnection, _ no: String) throws {
        guard let row = try connection.query("SELECT canceled FROM tasks WHERE no = \(no)").first else {
            throw InteractionValidation.doesNotExist("Task", "No.", no)
                .withFix("send another task= (TASK-LIST shows them), or create it with TASK-CREATE").storeError
        }
        if try row.decode(Bool.self, at: 0) {
            throw StoreError.invalid("Task \(no) is canceled: an interaction cannot fulfil it")
        }
    }

    static func checkComment(_ comment: String) throws {
        do {
            _ = try CommentLines.split(comment)
        } catch {
            throw StoreError.invalid("comment: \(error.message)")
        }
    }

    static func lockOpen(_ connection: PGConnection, _ no: String, actor: ActingUser) throws -> WorkTask {
        guard let task = try Self.get(connection, no, lock: true) else {
            throw StoreError.notFound("Task \(no) does not exist (TASK-LIST shows them)")
        }
        guard actor.mayActFor(task.salespersonCode) else {
            throw AccessDenied("Task \(no) belongs to salesperson \(task.salespersonCode).")
        }
        if task.canceled { throw StoreError.conflict("Task \(no) is canceled") }
        if task.status == .completed { throw StoreError.conflict("Task \(no) is already completed") }
        return task
    }

    public static func update(_ connection: PGConnection, _ no: String, _ changes: TaskChanges, actor: ActingUser)
        throws -> WorkTask
    {
        var task = try Self.lockOpen(connection, no, actor: actor)
        if let type = changes.type {
            if type != nil, task.contactNo == nil {
                throw StoreError.invalid("A \(type!.rawValue) task needs a contact; task \(no) has none")
            }
            task.type = type
        }
        if let description = changes.description {
            task.description = try OpportunityStore.requiredDescription(description)
        }
        if let code = changes.salespersonCode {
            task.salespersonCode = try OpportunityStore.salesperson(
                connection,
                given: code,
                contact: nil,
                actor: actor,
                what: "tasks"
            )
        }
        if let opportunity = changes.opportunityNo {
            if let opportunity {
                let contact = try task.contactNo.map { try OpportunityStore.contact(connection, $0) }
                try Self.checkOpportunity(connection, opportunity, contact: contact)
            }
            task.opportunityNo = opportunity
        }
        if let date = changes.date { task.date = date }
        if let time = changes.startTime { task.startTime = time }
        if let ending = changes.endingDate { task.endingDate = ending }
        if let ending = task.endingDate, ending < task.date {
            throw StoreError.invalid("Ending Date \(ending) must not be before Date \(task.date): change ending-date=")
        }
        if let location = changes.location { task.location = location }
        if let status = changes.status {
            if status == .completed {
                throw StoreError.invalid("A task is completed with TASK-COMPLETE, which logs its interaction")
            }
            task.status = status
        }
        if let comment = changes.comment {
            if let comment { try Self.checkComment(comment) }
            task.comment = comment
        }
        let rows = try connection.query(
            """
            UPDATE tasks t
            SET type = \(task.type?.rawValue), description = \(task.description),
                salesperson_code = \(task.salespersonCode), opportunity_no = \(task.opportunityNo),
                date = \(task.date.pgValue), start_time = \(task.startTime?.pgValue),
                ending_date = \(task.endingDate?.pgValue), location = \(task.location),
                status = \(task.status.rawValue), comment = \(task.comment)
            WHERE no = \(no)
            RETURNING \(unescaped: Self.columns)
            """
        )
        return try Self.decode(rows[0])
    }

    /// Completes an open task. A meeting logs an interaction with the setup's Meeting Invitation template,
    /// a phone call with its Outg. Calls template (the contact's phone number dialled), both in this
    /// transaction with the task's comment lines and those given; a blank task logs nothing.
    public static func complete(
        _ connection: PGConnection,
        _ no: String,
        _ completion: TaskCompletion,
        actor: ActingUser
    ) throws -> CompletedTask {
        let task = try Self.lockOpen(connection, no, actor: actor)
        var logged: LoggedInteraction?
        if let type = task.type, let contactNo = task.contactNo {
            let event: TemplateSetupEvent = type == .meeting ? .meetingInvitation : .outgoingCall
            let templateCode = try Self.setupTemplate(connection, event)
            var input = InteractionInput()
            input.contactNo = .value(contactNo)
            input.templateCode = .value(templateCode)
            input.description = .value(task.description)
            input.salespersonCode = .value(task.salespersonCode)
            if let campaign = task.campaignNo { input.campaignNo = .value(campaign) }
            if let opportunity = task.opportunityNo { input.opportunityNo = .value(opportunity) }
            input.taskNo = .value(task.no)
            if let evaluation = completion.evaluation { input.evaluation = .value(evaluation) }
            input.successful = completion.successful
            input.cost = completion.cost
            input.duration = completion.duration
            if type == .phoneCall,
                let phone = try OpportunityStore.contact(connection, contactNo).phoneNo, !phone.isEmpty
            {
                input.contactVia = .value(phone)
            }
            var request = InteractionRequest(input: input)
            var comments: [String] = []
            if let comment = task.comment {
                do { comments = try CommentLines.split(comment) } catch { throw StoreError.invalid(error.message) }
            }
            comments += completion.comments
            request.comments = comments.isEmpty ? nil : comments
            logged = try InteractionStore.create(connection, request, actor: actor)
        }
        let rows = try connection.query(
            """
            UPDATE tasks t SET status = 'completed', date_closed = CURRENT_DATE
            WHERE no = \(no)
            RETURNING \(unescaped: Self.columns)
            """
        )
        return CompletedTask(task: try Self.decode(rows[0]), logged: logged)
    }

    /// The template the interaction template setup names for `event`, or a refusal naming the field.
    static func setupTemplate(_ connection: PGConnection, _ event: TemplateSetupEvent) throws -> String {
        let field = event == .meetingInvitation ? "Meeting Invitation" : "Outg. Calls"
        guard
            let row = try connection.query(
                "SELECT template_code FROM interaction_template_setup WHERE event = \(event.rawValue)"
            ).first
        else {
            throw StoreError.invalid(
                "\(field) must have a value in Interaction Template Setup: set one with SETUP-SET "
                    + "event=\(event.rawValue) template=<template>"
            )
        }
        return try row.decode(String.self, at: 0)
    }

    public static func cancel(_ connection: PGConnection, _ no: String, actor: ActingUser) throws -> WorkTask {
        _ = try Self.lockOpen(connection, no, actor: actor)
        let rows = try connection.query(
            """
            UPDATE tasks t SET canceled = true, date_closed = CURRENT_DATE
            WHERE no = \(no)
            RETURNING \(unescaped: Self.columns)
            """
        )
        return try Self.decode(rows[0])
    }

    public static func get(_ connection: PGConnection, _ no: String, lock: Bool = false) throws -> WorkTask? {
        try connection.query(
            "SELECT \(unescaped: Self.columns) FROM tasks t WHERE t.no = \(no) \(unescaped: lock ? "FOR UPDATE" : "")"
        ).first.map(Self.decode)
    }

    private static func whereClause(_ filter: TaskFilter) -> PGQuery {
        """
        (\(filter.salespersonCode)::text IS NULL OR t.salesperson_code = \(filter.salespersonCode))
        AND (\(filter.contactNo)::text IS NULL OR t.contact_no = \(filter.contactNo))
        AND (\(filter.opportunityNo)::text IS NULL OR t.opportunity_no = \(filter.opportunityNo))
        AND (\(filter.segmentNo)::text IS NULL OR t.segment_no = \(filter.segmentNo))
        AND (\(filter.open)::boolean IS NULL OR (NOT t.canceled AND t.status <> 'completed') = \(filter.open))
        """
    }

    public static func count(_ connection: PGConnection, _ filter: TaskFilter) throws -> Int {
        var query = Self.whereClause(filter)
        query.sql = "SELECT count(*) FROM tasks t WHERE " + query.sql
        return try MasterDataLookup.count(connection, query)
    }

    public static func list(_ connection: PGConnection, _ filter: TaskFilter, after: String?, limit: Int) throws
        -> [WorkTask]
    {
        var query = Self.whereClause(filter)
        let afterPlaceholder = query.bind(after)
        let limitPlaceholder = query.bind(limit)
        query.sql =
            "SELECT \(Self.columns) FROM tasks t WHERE " + query.sql
            + " AND (\(afterPlaceholder)::text IS NULL OR t.no > \(afterPlaceholder)) ORDER BY t.no LIMIT \(limitPlaceholder)"
        return try connection.query(query).map(Self.decode)
    }

    /// After lines left a segment: for each contact with no line left in it, its open tasks made for the
    /// segment that no entry names are deleted, the others forget the segment.
    public static func segmentLinesRemoved(_ connection: PGConnection, segmentNo: String, contactNos: [String])
        throws
    {
        if contactNos.isEmpty { return }
        try connection.execute(
            """
            WITH gone AS (
                SELECT DISTINCT c FROM unnest(\(MasterDataTextArray(contactNos))::text[]) c
                WHERE NOT EXISTS (SELECT 1 FROM segment_lines l WHERE l.segment_no = \(segmentNo) AND l.contact_no = c)),
            removed AS (
                DELETE FROM tasks t
                WHERE t.segment_no = \(segmentNo) AND t.contact_no IN (SELECT c FROM gone)
                  AND NOT t.canceled AND t.status <> 'completed'
                  AND NOT EXISTS (SELECT 1 FROM interaction_log_entries e WHERE e.task_no = t.no)
                RETURNING t.no)
            UPDATE tasks t SET segment_no = NULL
            WHERE t.segment_no = \(segmentNo) AND t.contact_no IN (SELECT c FROM gone)
              AND t.no NOT IN (SELECT no FROM removed)
            """
        )
    }
}
