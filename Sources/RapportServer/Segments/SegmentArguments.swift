import Foundation
import LibPQ
import RapportModel
import RapportProtocol
import RapportStore

/// Argument declarations and parsing shared by the segment commands. Fields that may be blanked are
/// `ChangeArgument`s: an empty value blanks them (e.g. `campaign=` removes the campaign).
enum SegmentArguments {
    static let segment = RequiredArgument.positional("segment", .code(maxLength: 20), "Segment No.")
    static let contact = OptionalArgument.named("contact", .code(maxLength: 20), "Contact No.; or contact-name=.")

    enum Header {
        static let description = ChangeArgument.named(
            "description",
            .text(maxLength: 100),
            "Description; required to log."
        )
        static let campaign = ChangeArgument.named("campaign", .code(maxLength: 20), "Campaign No.")
        static let salesperson = ChangeArgument.named(
            "salesperson",
            .code(maxLength: 20),
            "Salesperson (not blocked); blank: each line keeps its contact's. Salespeople may only use their own."
        )
        static let template = ChangeArgument.named(
            "template",
            .code(maxLength: 10),
            "Interaction template: re-defaults the interaction fields and the segment's content from it."
        )
        static let correspondenceType = ChangeArgument.named(
            "correspondence-type",
            .oneOf(CorrespondenceType.self),
            "Correspondence Type (Default); only with ignore-contact-corres-type set."
        )
        static let unitCost = OptionalArgument.named("unit-cost", .amount, "Unit Cost (LCY), the lines' cost.")
        static let unitDuration = OptionalArgument.named("unit-duration", .amount, "Unit Duration (Min.).")
        static let date = ChangeArgument.named("date", .date, "Date of the interactions.")
        static let campaignTarget = OptionalArgument.named(
            "campaign-target",
            .bool,
            "The contacts are campaign targets."
        )
        static let campaignResponse = OptionalArgument.named(
            "campaign-response",
            .bool,
            "The interactions answer a campaign."
        )
        static let informationFlow = ChangeArgument.named(
            "information-flow",
            .oneOf(InformationFlow.self),
            "Information Flow."
        )
        static let initiatedBy = ChangeArgument.named("initiated-by", .oneOf(InitiatedBy.self), "Initiated By.")
        static let language = ChangeArgument.named(
            "language",
            .code(maxLength: 10),
            "Language Code (Default) of the segment's content (needs a template)."
        )
        static let subject = ChangeArgument.named(
            "subject",
            .text(maxLength: 100),
            "Subject (Default) (needs a template)."
        )
        static let sendWordDocs = OptionalArgument.named("send-word-docs", .bool, "Send Word Docs. as Attmt.")
        static let ignoreContactCorresType = OptionalArgument.named(
            "ignore-contact-corres-type",
            .bool,
            "Force the default correspondence type on every line."
        )
        static let updateLines = OptionalArgument.named(
            "update-lines",
            .bool,
            "Push changed fields to the lines with the header's template (default true)."
        )
        static let applyTemplateToLines = OptionalArgument.named(
            "apply-template-to-lines",
            .bool,
            "Give every line the new template (default true); false is refused while lines inherit an attachment."
        )
        static let createLanguage = OptionalArgument.named(
            "create-language",
            .bool,
            "Create the segment language row for language= when missing (default false: refused)."
        )
    }

    static let headerFields: [ArgumentSpec] = [
        Header.description.spec, Header.campaign.spec, Header.salesperson.spec, Header.template.spec,
        Header.correspondenceType.spec, Header.unitCost.spec, Header.unitDuration.spec, Header.date.spec,
        Header.campaignTarget.spec, Header.campaignResponse.spec, Header.informationFlow.spec,
        Header.initiatedBy.spec, Header.language.spec, Header.subject.spec, Header.sendWordDocs.spec,
        Header.ignoreContactCorresType.spec,
    ]

    /// The confirmations of the Segment page, as explicit answers.
    static let headerDialogs: [ArgumentSpec] = [
        Header.updateLines.spec, Header.applyTemplateToLines.spec, Header.createLanguage.spec,
    ]

    enum Line {
        static let template = ChangeArgument.named(
            "template",
            .code(maxLength: 10),
            "Interaction template of this line; re-derives its interaction fields."
        )
        static let language = ChangeArgument.named(
            "language",
            .code(maxLength: 10),
            "Language variant (needs a template)."
        )
        static let description = ChangeArgument.named("description", .text(maxLength: 100), "Description.")
        static let subject = ChangeArgument.named("subject", .text(maxLength: 100), "Subject.")
        static let salesperson = ChangeArgument.named(
            "salesperson",
            .code(maxLength: 20),
            "Salesperson (not blocked)."
        )
        static let correspondenceType = ChangeArgument.named(
            "correspondence-type",
            .oneOf(CorrespondenceType.self),
            "Correspondence type."
        )
        static let sendWordDocs = OptionalArgument.named("send-word-docs", .bool, "Send Word Doc. As Attmt.")
        static let altAddress = ChangeArgument.named(
            "alt-address",
            .code(maxLength: 10),
            "Contact alternative address code."
        )
        static let evaluation = ChangeArgument.named(
            "evaluation",
            .oneOf(Evaluation.self),
            "Evaluation, copied to the entry."
        )
        static let cost = OptionalArgument.named("cost", .amount, "Cost (LCY).")
        static let duration = OptionalArgument.named("duration", .amount, "Duration (Min.).")
        static let informationFlow = ChangeArgument.named(
            "information-flow",
            .oneOf(InformationFlow.self),
            "Information Flow."
        )
        static let initiatedBy = ChangeArgument.named("initiated-by", .oneOf(InitiatedBy.self), "Initiated By.")
        static let campaign = ChangeArgument.named("campaign", .code(maxLength: 20), "Campaign No.")
        static let campaignTarget = OptionalArgument.named("campaign-target", .bool, "Campaign Target.")
        static let campaignResponse = OptionalArgument.named("campaign-response", .bool, "Campaign Response.")
        static let date = ChangeArgument.named("date", .date, "Date of the interaction.")
        static let time = ChangeArgument.named("time", .time, "Time of the interaction, HH:MM[:SS].")
        static let attemptFailed = OptionalArgument.named("attempt-failed", .bool, "Attempt Failed.")
        static let task = ChangeArgument.named("task", .code(maxLength: 20), "To-do (task) No.")
        static let opportunity = ChangeArgument.named("opportunity", .code(maxLength: 20), "Opportunity No.")
    }

    static let lineFields: [ArgumentSpec] = [
        Line.template.spec, Line.language.spec, Line.description.spec, Line.subject.spec, Line.salesperson.spec,
        Line.correspondenceType.spec, Line.sendWordDocs.spec, Line.altAddress.spec, Line.evaluation.spec,
        Line.cost.spec, Line.duration.spec, Line.informationFlow.spec, Line.initiatedBy.spec, Line.campaign.spec,
        Line.campaignTarget.spec, Line.campaignResponse.spec, Line.date.spec, Line.time.spec,
        Line.attemptFailed.spec, Line.task.spec, Line.opportunity.spec,
    ]

    /// One argument per criteria filter field, in BC filter syntax.
    static let filterArguments: [(field: CriteriaField, argument: OptionalArgument<String>)] =
        CriteriaField.allCases.map { field in
            (field, OptionalArgument.named(field.argument, .text(maxLength: 1000), Self.filterHelp(field)))
        }

    static var filters: [ArgumentSpec] { Self.filterArguments.map(\.argument.spec) }

    private static func filterHelp(_ field: CriteriaField) -> String {
        let scope =
            switch field.table {
            case .contact: "Contact"
            case .interactionLogEntry: "Interaction log entry"
            case .mailingGroup: "Mailing group"
            case .businessRelation: "Business relation (of the contact's company)"
            }
        switch field.kind {
        case .enumeration(let values): return "\(scope) \(field.caption): \(values.joined(separator: "|"))."
        case .date: return "\(scope) \(field.caption): dates, ranges FROM..TO."
        default: return "\(scope) \(field.caption) filter: A|B, FROM..TO, <>A, *PART*."
        }
    }

    // MARK: parsing

    static func headerChanges(_ arguments: BoundArguments) -> SegmentHeaderChanges {
        var changes = SegmentHeaderChanges()
        changes.description = arguments[Header.description].update
        changes.campaignNo = arguments[Header.campaign].update
        changes.salespersonCode = arguments[Header.salesperson].update
        changes.templateCode = arguments[Header.template].update
        changes.correspondenceTypeDefault = arguments[Header.correspondenceType].update
        changes.unitCost = arguments[Header.unitCost]
        changes.unitDuration = arguments[Header.unitDuration]
        changes.date = arguments[Header.date].update
        changes.campaignTarget = arguments[Header.campaignTarget]
        changes.campaignResponse = arguments[Header.campaignResponse]
        changes.informationFlow = arguments[Header.informationFlow].update
        changes.initiatedBy = arguments[Header.initiatedBy].update
        changes.languageCodeDefault = arguments[Header.language].update
        changes.subjectDefault = arguments[Header.subject].update
        changes.sendWordDocsAsAttmt = arguments[Header.sendWordDocs]
        changes.ignoreContactCorresType = arguments[Header.ignoreContactCorresType]
        changes.updateLines = arguments[Header.updateLines] ?? true
        changes.applyTemplateToLines = arguments[Header.applyTemplateToLines] ?? true
        changes.createLanguage = arguments[Header.createLanguage] ?? false
        return changes
    }

    static func lineChanges(_ arguments: BoundArguments) -> SegmentLineChanges {
        var changes = SegmentLineChanges()
        changes.templateCode = arguments[Line.template].update
        changes.languageCode = arguments[Line.language].update
        changes.description = arguments[Line.description].update
        changes.subject = arguments[Line.subject].update
        changes.salespersonCode = arguments[Line.salesperson].update
        changes.correspondenceType = arguments[Line.correspondenceType].update
        changes.sendWordDocsAsAttmt = arguments[Line.sendWordDocs]
        changes.altAddressCode = arguments[Line.altAddress].update
        changes.evaluation = arguments[Line.evaluation].update
        changes.cost = arguments[Line.cost]
        changes.duration = arguments[Line.duration]
        changes.informationFlow = arguments[Line.informationFlow].update
        changes.initiatedBy = arguments[Line.initiatedBy].update
        changes.campaignNo = arguments[Line.campaign].update
        changes.campaignTarget = arguments[Line.campaignTarget]
        changes.campaignResponse = arguments[Line.campaignResponse]
        changes.date = arguments[Line.date].update
        changes.time = arguments[Line.time].update
        changes.attemptFailed = arguments[Line.attemptFailed]
        changes.taskNo = arguments[Line.task].update
        changes.opportunityNo = arguments[Line.opportunity].update
        return changes
    }

    /// The filters given, in field order.
    static func filters(_ arguments: BoundArguments) throws -> [FieldFilter] {
        var filters: [FieldFilter] = []
        for (field, argument) in Self.filterArguments {
            guard let text = arguments[argument] else { continue }
            do {
                filters.append(FieldFilter(field, try field.filter(text)))
            } catch {
                throw CommandError(.badArguments, error.message)
            }
        }
        return filters
    }
}
