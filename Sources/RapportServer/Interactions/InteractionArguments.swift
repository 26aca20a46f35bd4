import RapportModel
import RapportProtocol
import RapportStore

/// Argument declarations and parsing shared by the interaction commands.
enum InteractionArguments {
    static let maximumSelection = 1000

    /// The inputs of the Create Interaction guide, shared by INTERACTION-CREATE and POSTPONED-RESUME. Codes
    /// that may be cleared are text: an empty value means blank (e.g. `campaign=` drops the template's).
    static let guideInputs: [ArgumentSpec] = [
        ArgumentSpec(
            "contact",
            kind: .named,
            valueType: .text(maxLength: 20),
            help: "Contact No. (person or company)."
        ),
        ArgumentSpec(
            "template",
            kind: .named,
            valueType: .text(maxLength: 10),
            help: "Interaction template; its defaults are copied (cost, duration, flow, campaign …)."
        ),
        ArgumentSpec(
            "description",
            kind: .named,
            valueType: .text(maxLength: 100),
            help: "Description; default: the template's."
        ),
        ArgumentSpec(
            "date",
            kind: .named,
            valueType: .text(maxLength: 10),
            help: "YYYY-MM-DD; default: today (the database's date); empty = blank (refused)."
        ),
        ArgumentSpec(
            "time",
            kind: .named,
            valueType: .time,
            help: "Time of interaction; default: now rounded up to the next full minute."
        ),
        ArgumentSpec(
            "salesperson",
            kind: .named,
            valueType: .text(maxLength: 20),
            help: "Default: your own salesperson, else the contact's. Salespeople may only use their own."
        ),
        ArgumentSpec(
            "correspondence-type",
            kind: .named,
            valueType: .enumeration(["hard_copy", "email", "blank"]),
            help: "Default: template vs. contact preference (reference 3.2 R3)."
        ),
        ArgumentSpec(
            "language",
            kind: .named,
            valueType: .text(maxLength: 10),
            help: "Language variant; default: the contact's if the template has it, else the template default."
        ),
        ArgumentSpec(
            "information-flow",
            kind: .named,
            valueType: .enumeration(["outbound", "inbound", "blank"]),
            help: "Default: the template's."
        ),
        ArgumentSpec(
            "initiated-by",
            kind: .named,
            valueType: .enumeration(["us", "them", "blank"]),
            help: "Default: the template's."
        ),
        ArgumentSpec(
            "campaign",
            kind: .named,
            valueType: .text(maxLength: 20),
            help: "Campaign No.; default: the template's; empty = none."
        ),
        ArgumentSpec("campaign-target", kind: .named, valueType: .bool, help: "The contact is a campaign target."),
        ArgumentSpec("campaign-response", kind: .named, valueType: .bool, help: "The interaction answers a campaign."),
        ArgumentSpec("opportunity", kind: .named, valueType: .text(maxLength: 20), help: "Opportunity No."),
        ArgumentSpec("task", kind: .named, valueType: .text(maxLength: 20), help: "Task No. the interaction fulfils."),
        ArgumentSpec(
            "evaluation",
            kind: .named,
            valueType: .enumeration(Evaluation.allCases.map(\.rawValue) + ["blank"]),
            help: "How it went."
        ),
        ArgumentSpec(
            "successful",
            kind: .named,
            valueType: .bool,
            help: "Default true; false stores Attempt Failed."
        ),
        ArgumentSpec("cost", kind: .named, valueType: .decimal, help: "Cost (LCY); default: the template's unit cost."),
        ArgumentSpec(
            "duration",
            kind: .named,
            valueType: .decimal,
            help: "Duration in minutes; default: the template's."
        ),
        ArgumentSpec("subject", kind: .named, valueType: .text(maxLength: 100), help: "Default: the description."),
        ArgumentSpec(
            "contact-via",
            kind: .named,
            valueType: .text(maxLength: 80),
            help: "Phone number or address used."
        ),
        ArgumentSpec(
            "comment",
            kind: .named,
            valueType: .text(maxLength: 4000),
            help: "Comment lines separated by \\n, each at most 80 characters."
        ),
        ArgumentSpec(
            "attachment-name",
            kind: .named,
            valueType: .text(maxLength: 250),
            help: "File name of the attachment sent as the request's literal {N}."
        ),
        ArgumentSpec(
            "content-type",
            kind: .named,
            valueType: .text(maxLength: 255),
            help: "MIME type of the attachment."
        ),
        ArgumentSpec(
            "postpone",
            kind: .named,
            valueType: .bool,
            help: "Save for later (same checks; no campaign entry, no delivery)."
        ),
        ArgumentSpec(
            "deliver",
            kind: .named,
            valueType: .bool,
            help: "Queue the entry for sending when its correspondence type is not blank (default false)."
        ),
    ]

    static func entryArgument(_ help: String) -> ArgumentSpec {
        ArgumentSpec("entry", kind: .positional, required: true, valueType: .integer(1...Int.max), help: help)
    }

    static func entriesArgument(_ help: String) -> ArgumentSpec {
        ArgumentSpec("entries", kind: .positional, required: true, valueType: .list, help: help)
    }

    /// `limit` and `next` (Paging); the cursor of the log's pages is `YYYY-MM-DD/N`.
    static let pageArguments: [ArgumentSpec] = Paging.arguments("entries")

    // MARK: Parsing

    /// A code that may be cleared: absent → not entered, empty → blank, else trimmed and upper-cased.
    static func code(_ arguments: BoundArguments, _ name: String, maximum: Int) throws -> Entered<String> {
        guard let text = arguments.text(name) else { return .notEntered }
        guard let code = Code.normalize(text) else { return .blank }
        guard code.count <= maximum else {
            throw CommandError(.badArguments, "argument \(name) must be a code of 1 to \(maximum) characters")
        }
        return .value(code)
    }

    /// Free text: absent → not entered, empty → blank.
    static func text(_ arguments: BoundArguments, _ name: String) -> Entered<String> {
        guard let text = arguments.text(name) else { return .notEntered }
        return text.isEmpty ? .blank : .value(text)
    }

    /// An enumeration with a `blank` word.
    static func choice<Value: RawRepresentable<String> & Sendable & Equatable>(
        _ arguments: BoundArguments,
        _ name: String,
        as type: Value.Type
    ) -> Entered<Value> {
        guard let word = arguments.enumeration(name) else { return .notEntered }
        return Value(rawValue: word).map(Entered.value) ?? .blank
    }

    static func input(_ arguments: BoundArguments) throws -> InteractionInput {
        var input = InteractionInput()
        input.contactNo = try self.code(arguments, "contact", maximum: 20)
        input.templateCode = try self.code(arguments, "template", maximum: 10)
        input.description = self.text(arguments, "description")
        switch self.text(arguments, "date") {
        case .notEntered: break
        case .blank: input.date = .blank
        case .value(let text):
            guard let date = CalendarDate(text) else {
                throw CommandError(.badArguments, "argument date must be a date YYYY-MM-DD")
            }
            input.date = .value(date.description)
        }
        if let time = arguments.time("time") { input.time = .value(time.description) }
        input.salespersonCode = try self.code(arguments, "salesperson", maximum: 20)
        input.correspondenceType = self.choice(arguments, "correspondence-type", as: CorrespondenceType.self)
        input.languageCode = try self.code(arguments, "language", maximum: 10)
        input.informationFlow = self.choice(arguments, "information-flow", as: InformationFlow.self)
        input.initiatedBy = self.choice(arguments, "initiated-by", as: InitiatedBy.self)
        input.campaignNo = try self.code(arguments, "campaign", maximum: 20)
        input.campaignTarget = arguments.bool("campaign-target")
        input.campaignResponse = arguments.bool("campaign-response")
        input.opportunityNo = try self.code(arguments, "opportunity", maximum: 20)
        input.taskNo = try self.code(arguments, "task", maximum: 20)
        input.evaluation = self.choice(arguments, "evaluation", as: Evaluation.self)
        input.successful = arguments.bool("successful")
        input.cost = arguments.decimal("cost")
        input.duration = arguments.decimal("duration")
        input.subject = self.text(arguments, "subject")
        input.contactVia = self.text(arguments, "contact-via")
        return input
    }

    /// The whole guide request: inputs, attachment literal, comments, postpone and deliver flags.
    static func request(_ arguments: BoundArguments) throws -> InteractionRequest {
        var request = InteractionRequest(input: try self.input(arguments))
        if let payload = arguments.payload {
            request.attachment = InteractionAttachment(
                content: payload,
                fileName: arguments.text("attachment-name").flatMap { $0.isEmpty ? nil : $0 },
                contentType: arguments.text("content-type").flatMap { $0.isEmpty ? nil : $0 }
            )
        }
        if let comment = arguments.text("comment") {
            do {
                request.comments = try CommentLines.split(comment)
            } catch {
                throw CommandError(.invalid, error.message)
            }
        }
        request.postpone = arguments.bool("postpone") ?? false
        request.deliver = arguments.bool("deliver") ?? false
        return request
    }

    /// Entry numbers of a selection (`entries=1,2,3`).
    static func entries(_ arguments: BoundArguments, _ name: String = "entries") throws -> [Int64] {
        guard let items = arguments.list(name) else { return [] }
        var numbers: [Int64] = []
        for item in items {
            guard let number = Int64(item), number > 0 else {
                throw CommandError(.badArguments, "argument \(name) must be entry numbers separated by commas")
            }
            if !numbers.contains(number) { numbers.append(number) }
        }
        guard !numbers.isEmpty else { throw CommandError(.badArguments, "argument \(name) names no entry") }
        guard numbers.count <= Self.maximumSelection else {
            throw CommandError(.tooLarge, "at most \(Self.maximumSelection) entries at a time")
        }
        return numbers
    }

    /// The page asked for: `limit`, and `next` read as a log cursor (date and entry No.).
    static func logPage(_ arguments: BoundArguments) throws -> (limit: Int, cursor: LogCursor?) {
        let page = try Paging.request(arguments, keys: [.date, .integer])
        let cursor = page.after.map { LogCursor(date: $0[0], entryNo: Int64($0[1])!) }
        return (page.limit, cursor)
    }
}
