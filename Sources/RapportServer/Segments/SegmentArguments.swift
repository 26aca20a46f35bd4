import RapportModel
import RapportProtocol
import RapportStore

/// Argument declarations and parsing shared by the segment commands. Fields that may be cleared are text:
/// an empty value means blank (e.g. `campaign=` removes the campaign).
enum SegmentArguments {
    static let segment = ArgumentSpec(
        "segment",
        kind: .positional,
        required: true,
        valueType: .code(maxLength: 20),
        help: "Segment No."
    )

    static let headerFields: [ArgumentSpec] = [
        ArgumentSpec(
            "description",
            kind: .named,
            valueType: .text(maxLength: 100),
            help: "Description; required to log."
        ),
        ArgumentSpec("campaign", kind: .named, valueType: .text(maxLength: 20), help: "Campaign No.; empty = none."),
        ArgumentSpec(
            "salesperson",
            kind: .named,
            valueType: .text(maxLength: 20),
            help:
                "Salesperson (not blocked); empty = each line keeps its contact's. Salespeople may only use their own."
        ),
        ArgumentSpec(
            "template",
            kind: .named,
            valueType: .text(maxLength: 10),
            help: "Interaction template: re-defaults the interaction fields and the segment's content from it."
        ),
        ArgumentSpec(
            "correspondence-type",
            kind: .named,
            valueType: .enumeration(["hard_copy", "email", "blank"]),
            help: "Correspondence Type (Default); only with ignore-contact-corres-type set."
        ),
        ArgumentSpec("unit-cost", kind: .named, valueType: .decimal, help: "Unit Cost (LCY), the lines' cost."),
        ArgumentSpec("unit-duration", kind: .named, valueType: .decimal, help: "Unit Duration (Min.)."),
        ArgumentSpec("date", kind: .named, valueType: .text(maxLength: 10), help: "YYYY-MM-DD; empty = blank."),
        ArgumentSpec("campaign-target", kind: .named, valueType: .bool, help: "The contacts are campaign targets."),
        ArgumentSpec("campaign-response", kind: .named, valueType: .bool, help: "The interactions answer a campaign."),
        ArgumentSpec(
            "information-flow",
            kind: .named,
            valueType: .enumeration(["outbound", "inbound", "blank"]),
            help: "Information Flow."
        ),
        ArgumentSpec(
            "initiated-by",
            kind: .named,
            valueType: .enumeration(["us", "them", "blank"]),
            help: "Initiated By."
        ),
        ArgumentSpec(
            "language",
            kind: .named,
            valueType: .text(maxLength: 10),
            help: "Language Code (Default) of the segment's content (needs a template)."
        ),
        ArgumentSpec(
            "subject",
            kind: .named,
            valueType: .text(maxLength: 100),
            help: "Subject (Default) (needs a template)."
        ),
        ArgumentSpec("send-word-docs", kind: .named, valueType: .bool, help: "Send Word Docs. as Attmt."),
        ArgumentSpec(
            "ignore-contact-corres-type",
            kind: .named,
            valueType: .bool,
            help: "Force the default correspondence type on every line."
        ),
    ]

    /// The confirmations of the Segment page, as explicit answers.
    static let headerDialogs: [ArgumentSpec] = [
        ArgumentSpec(
            "update-lines",
            kind: .named,
            valueType: .bool,
            help: "Push changed fields to the lines with the header's template (default true)."
        ),
        ArgumentSpec(
            "apply-template-to-lines",
            kind: .named,
            valueType: .bool,
            help: "Give every line the new template (default true); false is refused while lines inherit an attachment."
        ),
        ArgumentSpec(
            "create-language",
            kind: .named,
            valueType: .bool,
            help: "Create the segment language row for language= when missing (default false: refused)."
        ),
    ]

    static let lineFields: [ArgumentSpec] = [
        ArgumentSpec(
            "template",
            kind: .named,
            valueType: .text(maxLength: 10),
            help: "Interaction template of this line; re-derives its interaction fields (reference 3.2 R6)."
        ),
        ArgumentSpec(
            "language",
            kind: .named,
            valueType: .text(maxLength: 10),
            help: "Language variant (needs a template)."
        ),
        ArgumentSpec("description", kind: .named, valueType: .text(maxLength: 100), help: "Description."),
        ArgumentSpec("subject", kind: .named, valueType: .text(maxLength: 100), help: "Subject."),
        ArgumentSpec("salesperson", kind: .named, valueType: .text(maxLength: 20), help: "Salesperson (not blocked)."),
        ArgumentSpec(
            "correspondence-type",
            kind: .named,
            valueType: .enumeration(["hard_copy", "email", "blank"]),
            help: "Correspondence type."
        ),
        ArgumentSpec("send-word-docs", kind: .named, valueType: .bool, help: "Send Word Doc. As Attmt."),
        ArgumentSpec(
            "alt-address",
            kind: .named,
            valueType: .text(maxLength: 10),
            help: "Contact alternative address code."
        ),
        ArgumentSpec(
            "evaluation",
            kind: .named,
            valueType: .enumeration(Evaluation.allCases.map(\.rawValue) + ["blank"]),
            help: "Evaluation, copied to the entry."
        ),
        ArgumentSpec("cost", kind: .named, valueType: .decimal, help: "Cost (LCY)."),
        ArgumentSpec("duration", kind: .named, valueType: .decimal, help: "Duration (Min.)."),
        ArgumentSpec(
            "information-flow",
            kind: .named,
            valueType: .enumeration(["outbound", "inbound", "blank"]),
            help: "Information Flow."
        ),
        ArgumentSpec(
            "initiated-by",
            kind: .named,
            valueType: .enumeration(["us", "them", "blank"]),
            help: "Initiated By."
        ),
        ArgumentSpec("campaign", kind: .named, valueType: .text(maxLength: 20), help: "Campaign No.; empty = none."),
        ArgumentSpec("campaign-target", kind: .named, valueType: .bool, help: "Campaign Target."),
        ArgumentSpec("campaign-response", kind: .named, valueType: .bool, help: "Campaign Response."),
        ArgumentSpec("date", kind: .named, valueType: .text(maxLength: 10), help: "YYYY-MM-DD; empty = blank."),
        ArgumentSpec(
            "time",
            kind: .named,
            valueType: .text(maxLength: 8),
            help: "Time of interaction HH:MM[:SS]; empty = blank."
        ),
        ArgumentSpec("attempt-failed", kind: .named, valueType: .bool, help: "Attempt Failed."),
        ArgumentSpec("task", kind: .named, valueType: .text(maxLength: 20), help: "To-do (task) No."),
        ArgumentSpec("opportunity", kind: .named, valueType: .text(maxLength: 20), help: "Opportunity No."),
    ]

    /// One argument per criteria filter field, in BC filter syntax.
    static let filters: [ArgumentSpec] = CriteriaField.allCases.map { field in
        ArgumentSpec(
            field.argument,
            kind: .named,
            valueType: .text(maxLength: 1000),
            help: Self.filterHelp(field)
        )
    }

    private static func filterHelp(_ field: CriteriaField) -> String {
        let scope = field.table == .contact ? "Contact" : "Interaction log entry"
        switch field.kind {
        case .enumeration(let values): return "\(scope) \(field.caption): \(values.joined(separator: "|"))."
        case .date: return "\(scope) \(field.caption): dates, ranges FROM..TO."
        default: return "\(scope) \(field.caption) filter: A|B, FROM..TO, <>A, *PART*."
        }
    }

    // MARK: parsing

    /// A code that may be cleared: nil = not given, `.some(nil)` = empty (blank).
    static func clearableCode(_ arguments: BoundArguments, _ name: String, maximum: Int) throws -> String?? {
        guard let text = arguments.text(name) else { return nil }
        guard let code = Code.normalize(text) else { return .some(nil) }
        guard code.count <= maximum else {
            throw CommandError(.badArguments, "argument \(name) must be a code of at most \(maximum) characters")
        }
        return .some(code)
    }

    static func clearableText(_ arguments: BoundArguments, _ name: String) -> String?? {
        guard let text = arguments.text(name) else { return nil }
        return .some(text.isEmpty ? nil : text)
    }

    static func clearableDate(_ arguments: BoundArguments, _ name: String) throws -> String?? {
        guard let text = arguments.text(name) else { return nil }
        if text.isEmpty { return .some(nil) }
        guard CalendarDate(text) != nil else {
            throw CommandError(.badArguments, "argument \(name) must be a date YYYY-MM-DD")
        }
        return .some(text)
    }

    static func clearableEnum<T: RawRepresentable>(_ arguments: BoundArguments, _ name: String, _ type: T.Type) -> T??
    where T.RawValue == String {
        guard let word = arguments.enumeration(name) else { return nil }
        return .some(T(rawValue: word))
    }

    static func headerChanges(_ arguments: BoundArguments) throws -> SegmentHeaderChanges {
        var changes = SegmentHeaderChanges()
        changes.description = Self.clearableText(arguments, "description")
        changes.campaignNo = try Self.clearableCode(arguments, "campaign", maximum: 20)
        changes.salespersonCode = try Self.clearableCode(arguments, "salesperson", maximum: 20)
        changes.templateCode = try Self.clearableCode(arguments, "template", maximum: 10)
        changes.correspondenceTypeDefault = Self.clearableEnum(
            arguments,
            "correspondence-type",
            CorrespondenceType.self
        )
        changes.unitCost = arguments.decimal("unit-cost")
        changes.unitDuration = arguments.decimal("unit-duration")
        changes.date = try Self.clearableDate(arguments, "date")
        changes.campaignTarget = arguments.bool("campaign-target")
        changes.campaignResponse = arguments.bool("campaign-response")
        changes.informationFlow = Self.clearableEnum(arguments, "information-flow", InformationFlow.self)
        changes.initiatedBy = Self.clearableEnum(arguments, "initiated-by", InitiatedBy.self)
        changes.languageCodeDefault = try Self.clearableCode(arguments, "language", maximum: 10)
        changes.subjectDefault = Self.clearableText(arguments, "subject")
        changes.sendWordDocsAsAttmt = arguments.bool("send-word-docs")
        changes.ignoreContactCorresType = arguments.bool("ignore-contact-corres-type")
        if arguments.contains("update-lines") { changes.updateLines = arguments.bool("update-lines")! }
        if arguments.contains("apply-template-to-lines") {
            changes.applyTemplateToLines = arguments.bool("apply-template-to-lines")!
        }
        changes.createLanguage = arguments.bool("create-language") ?? false
        return changes
    }

    static func lineChanges(_ arguments: BoundArguments) throws -> SegmentLineChanges {
        var changes = SegmentLineChanges()
        changes.contactNo = arguments.code("contact")
        changes.templateCode = try Self.clearableCode(arguments, "template", maximum: 10)
        changes.languageCode = try Self.clearableCode(arguments, "language", maximum: 10)
        changes.description = Self.clearableText(arguments, "description")
        changes.subject = Self.clearableText(arguments, "subject")
        changes.salespersonCode = try Self.clearableCode(arguments, "salesperson", maximum: 20)
        changes.correspondenceType = Self.clearableEnum(arguments, "correspondence-type", CorrespondenceType.self)
        changes.sendWordDocsAsAttmt = arguments.bool("send-word-docs")
        changes.altAddressCode = try Self.clearableCode(arguments, "alt-address", maximum: 10)
        changes.evaluation = Self.clearableEnum(arguments, "evaluation", Evaluation.self)
        changes.cost = arguments.decimal("cost")
        changes.duration = arguments.decimal("duration")
        changes.informationFlow = Self.clearableEnum(arguments, "information-flow", InformationFlow.self)
        changes.initiatedBy = Self.clearableEnum(arguments, "initiated-by", InitiatedBy.self)
        changes.campaignNo = try Self.clearableCode(arguments, "campaign", maximum: 20)
        changes.campaignTarget = arguments.bool("campaign-target")
        changes.campaignResponse = arguments.bool("campaign-response")
        changes.date = try Self.clearableDate(arguments, "date")
        if let text = arguments.text("time") {
            if text.isEmpty {
                changes.time = .some(nil)
            } else {
                guard let time = TimeOfDay(text) else {
                    throw CommandError(.badArguments, "argument time must be a time HH:MM[:SS]")
                }
                changes.time = .some(time.description)
            }
        }
        changes.attemptFailed = arguments.bool("attempt-failed")
        changes.taskNo = try Self.clearableCode(arguments, "task", maximum: 20)
        changes.opportunityNo = try Self.clearableCode(arguments, "opportunity", maximum: 20)
        return changes
    }

    /// The filters given, in field order.
    static func filters(_ arguments: BoundArguments) throws -> [FieldFilter] {
        var filters: [FieldFilter] = []
        for field in CriteriaField.allCases {
            guard let text = arguments.text(field.argument) else { continue }
            do {
                filters.append(FieldFilter(field, try field.filter(text)))
            } catch {
                throw CommandError(.badArguments, error.message)
            }
        }
        return filters
    }

    /// Entry numbers of a selection (`entries=1,2,3`).
    static func numbers(_ arguments: BoundArguments, _ name: String, maximum: Int = 1000) throws -> [Int64]? {
        guard let items = arguments.list(name) else { return nil }
        var numbers: [Int64] = []
        for item in items {
            guard let number = Int64(item), number > 0 else {
                throw CommandError(.badArguments, "argument \(name) must be entry numbers separated by commas")
            }
            if !numbers.contains(number) { numbers.append(number) }
        }
        guard !numbers.isEmpty else { throw CommandError(.badArguments, "argument \(name) names no entry") }
        guard numbers.count <= maximum else { throw CommandError(.tooLarge, "at most \(maximum) entries at a time") }
        return numbers
    }
}
