import LibPQ
import RapportModel
import RapportProtocol
import RapportStore

/// Argument declarations and parsing shared by the interaction commands.
enum InteractionArguments {
    static let maximumSelection = 1000

    // MARK: The inputs of the Create Interaction guide (INTERACTION-CREATE, POSTPONED-RESUME)

    static let createContact = OptionalArgument.named(
        "contact",
        .code(maxLength: 20),
        "Contact No. (person or company); or contact-name=."
    )
    static let contactName = OptionalArgument.named(
        "contact-name",
        .text(maxLength: 100),
        "Instead of contact=: the contact's name, any letter case, when exactly one contact has it."
    )

    /// The contact of contact= or contact-name= (exactly one of them); a name is looked up first.
    static func contact(_ invocation: Invocation, number: OptionalArgument<String>) async throws -> String {
        guard let no = try await Self.optionalContact(invocation, number: number) else {
            throw CommandError(.badArguments, "missing argument contact: give contact= or contact-name=")
        }
        return no
    }

    /// As `contact`, but neither may be given (nil).
    static func optionalContact(_ invocation: Invocation, number: OptionalArgument<String>) async throws -> String? {
        switch (invocation.arguments[number], invocation.arguments[Self.contactName]) {
        case (let no?, nil):
            return no
        case (nil, let name?):
            return try await invocation.context.store.pool.withConnection { connection in
                try ContactNames.resolve(connection, name: name)
            }
        case (nil, nil):
            return nil
        case (_?, _?):
            throw CommandError(.badArguments, "give contact= or contact-name=, not both")
        }
    }
    static let createTemplate = RequiredArgument.named(
        "template",
        .code(maxLength: 10),
        "Interaction template; its defaults are copied (cost, duration, flow, campaign …)."
    )
    static let resumeContact = OptionalArgument.named(
        "contact",
        .code(maxLength: 20),
        "Another contact; default: the entry's."
    )
    static let resumeTemplate = OptionalArgument.named(
        "template",
        .code(maxLength: 10),
        "Another template (its defaults are copied again); default: the entry's."
    )
    static let description = ChangeArgument.named(
        "description",
        .text(maxLength: 100),
        "Description; default: the template's."
    )
    static let date = ChangeArgument.named(
        "date",
        .date,
        "Date of the interaction; default: today (the database's date)."
    )
    static let time = OptionalArgument.named(
        "time",
        .time,
        "Time of interaction; default: now rounded up to the next full minute."
    )
    static let salesperson = ChangeArgument.named(
        "salesperson",
        .code(maxLength: 20),
        "Default: your own salesperson, else the contact's. Salespeople may only use their own."
    )
    static let correspondenceType = ChangeArgument.named(
        "correspondence-type",
        .oneOf(CorrespondenceType.self),
        "Default: the template's when it ignores the contact's preference, else the contact's, else the template's."
    )
    static let language = ChangeArgument.named(
        "language",
        .code(maxLength: 10),
        "Language variant; default: the contact's if the template has it, else the template default."
    )
    static let informationFlow = ChangeArgument.named(
        "information-flow",
        .oneOf(InformationFlow.self),
        "Default: the template's."
    )
    static let initiatedBy = ChangeArgument.named("initiated-by", .oneOf(InitiatedBy.self), "Default: the template's.")
    static let campaign = ChangeArgument.named(
        "campaign",
        .code(maxLength: 20),
        "Campaign No.; default: the template's."
    )
    static let campaignTarget = OptionalArgument.named(
        "campaign-target",
        .bool,
        "The contact is a campaign target; default: the template's."
    )
    static let campaignResponse = OptionalArgument.named(
        "campaign-response",
        .bool,
        "The interaction answers a campaign; default: the template's."
    )
    static let opportunity = ChangeArgument.named("opportunity", .code(maxLength: 20), "Opportunity No.")
    static let task = ChangeArgument.named("task", .code(maxLength: 20), "Task No. the interaction fulfils.")
    static let evaluation = ChangeArgument.named("evaluation", .oneOf(Evaluation.self), "How it went.")
    static let successful = OptionalArgument.named(
        "successful",
        .bool,
        "Default true; false stores Attempt Failed."
    )
    static let cost = OptionalArgument.named("cost", .amount, "Cost (LCY); default: the template's unit cost.")
    static let duration = OptionalArgument.named(
        "duration",
        .amount,
        "Duration in minutes; default: the template's."
    )
    static let subject = ChangeArgument.named("subject", .text(maxLength: 100), "Default: the description.")
    static let contactVia = ChangeArgument.named(
        "contact-via",
        .text(maxLength: 80),
        "Phone number or address used."
    )
    static let comment = OptionalArgument.named(
        "comment",
        .text(maxLength: 4000),
        "Comment lines separated by \\n, each at most 80 characters."
    )
    static let attachmentName = OptionalArgument.named(
        "attachment-name",
        .text(maxLength: 250),
        "File name of the attachment sent as the request's literal {N}."
    )
    static let contentType = OptionalArgument.named(
        "content-type",
        .text(maxLength: 255),
        "MIME type of the attachment."
    )
    static let postpone = OptionalArgument.named(
        "postpone",
        .bool,
        "Save for later (same checks; no campaign entry, no delivery); default false."
    )
    static let deliver = OptionalArgument.named(
        "deliver",
        .bool,
        "Queue the entry for sending when its correspondence type is not blank; default false."
    )

    /// The guide's inputs after contact and template (which INTERACTION-CREATE requires and
    /// POSTPONED-RESUME may change).
    static let guideInputs: [ArgumentSpec] = [
        description.spec, date.spec, time.spec, salesperson.spec, correspondenceType.spec, language.spec,
        informationFlow.spec, initiatedBy.spec, campaign.spec, campaignTarget.spec, campaignResponse.spec,
        opportunity.spec, task.spec, evaluation.spec, successful.spec, cost.spec, duration.spec, subject.spec,
        contactVia.spec, comment.spec, attachmentName.spec, contentType.spec, postpone.spec, deliver.spec,
    ]

    /// One entry, by position (`LOG-SHOW 1043`).
    static func entry(_ help: String) -> RequiredArgument<Int> {
        .positional("entry", .integer(1...Int.max), help)
    }

    /// Several entries: one named list (`entries=1001,1002`).
    static let entries = RequiredArgument.named(
        "entries",
        .list,
        "Entry numbers, comma-separated (at most \(maximumSelection))."
    )

    /// `limit` and `next` (Paging); the cursor of the log's pages is `YYYY-MM-DD/N`.
    static let pageArguments: [ArgumentSpec] = Paging.arguments("entries")

    // MARK: Parsing

    /// A field as the guide takes it: not given (the defaults decide), blanked, or set.
    static func entered<Value>(_ change: FieldChange<Value>) -> Entered<Value> {
        switch change {
        case .keep: return .notEntered
        case .blank: return .blank
        case .set(let value): return .value(value)
        }
    }

    /// Free text: an empty value blanks it, like an empty code.
    static func enteredText(_ change: FieldChange<String>) -> Entered<String> {
        if case .set(let text) = change, text.isEmpty { return .blank }
        return Self.entered(change)
    }

    static func input(_ arguments: BoundArguments, contact: String?, template: String?) -> InteractionInput {
        var input = InteractionInput()
        input.contactNo = contact.map(Entered.value) ?? .notEntered
        input.templateCode = template.map(Entered.value) ?? .notEntered
        input.description = Self.enteredText(arguments[Self.description])
        input.date = Self.entered(arguments[Self.date])
        input.time = arguments[Self.time].map(Entered.value) ?? .notEntered
        input.salespersonCode = Self.entered(arguments[Self.salesperson])
        input.correspondenceType = Self.entered(arguments[Self.correspondenceType])
        input.languageCode = Self.entered(arguments[Self.language])
        input.informationFlow = Self.entered(arguments[Self.informationFlow])
        input.initiatedBy = Self.entered(arguments[Self.initiatedBy])
        input.campaignNo = Self.entered(arguments[Self.campaign])
        input.campaignTarget = arguments[Self.campaignTarget]
        input.campaignResponse = arguments[Self.campaignResponse]
        input.opportunityNo = Self.entered(arguments[Self.opportunity])
        input.taskNo = Self.entered(arguments[Self.task])
        input.evaluation = Self.entered(arguments[Self.evaluation])
        input.successful = arguments[Self.successful]
        input.cost = arguments[Self.cost]
        input.duration = arguments[Self.duration]
        input.subject = Self.enteredText(arguments[Self.subject])
        input.contactVia = Self.enteredText(arguments[Self.contactVia])
        return input
    }

    /// The whole guide request: inputs, attachment literal, comments, postpone and deliver flags.
    static func request(_ arguments: BoundArguments, contact: String?, template: String?) throws
        -> InteractionRequest
    {
        var request = InteractionRequest(input: Self.input(arguments, contact: contact, template: template))
        if let payload = arguments.payload {
            request.attachment = InteractionAttachment(
                content: payload,
                fileName: arguments[Self.attachmentName].flatMap { $0.isEmpty ? nil : $0 },
                contentType: arguments[Self.contentType].flatMap { $0.isEmpty ? nil : $0 }
            )
        }
        if let comment = arguments[Self.comment] {
            do {
                request.comments = try CommentLines.split(comment)
            } catch {
                throw CommandError(.invalid, "comment: \(error.message)")
            }
        }
        request.postpone = arguments[Self.postpone] ?? false
        request.deliver = arguments[Self.deliver] ?? false
        return request
    }

    /// Entry numbers of a selection (`entries=1,2,3`).
    static func entries(_ items: [String]) throws -> [Int64] {
        let name = "entries"
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
