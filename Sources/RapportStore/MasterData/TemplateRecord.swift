import Foundation
import LibPQ
import RapportModel

/// An interaction template (reference §1.3): the defaults copied to every interaction made from it.
public struct InteractionTemplate: Sendable, Equatable {
    public var code: String
    public var groupCode: String
    public var description: String?
    /// Unit Cost (LCY), exact.
    public var unitCost: Decimal
    /// Unit Duration (Min.), exact.
    public var unitDuration: Decimal
    public var informationFlow: InformationFlow?
    public var initiatedBy: InitiatedBy?
    public var campaignNo: String?
    public var campaignTarget: Bool
    public var campaignResponse: Bool
    public var correspondenceType: CorrespondenceType?
    public var languageCodeDefault: String?
    public var wizardAction: WizardAction?
    public var ignoreContactCorresType: Bool
    public var wordTemplateCode: String?
    /// Computed: the attachment of the default-language row (reference "Attachment No." FlowField).
    public var attachmentNo: Int64?

    public init(code: String, groupCode: String) {
        self.code = code
        self.groupCode = groupCode
        self.unitCost = 0
        self.unitDuration = 0
        self.campaignTarget = false
        self.campaignResponse = false
        self.correspondenceType = .email
        self.ignoreContactCorresType = false
    }

    var content: TemplateContent {
        TemplateContent(
            code: self.code,
            languageCodeDefault: self.languageCodeDefault,
            wizardAction: self.wizardAction,
            wordTemplateCode: self.wordTemplateCode
        )
    }
}

/// Changes to a template: nil leaves a field, `.some(nil)` blanks it; the content fields follow
/// R3–R5 (``TemplateRules``).
public struct TemplateChanges: Sendable, Equatable {
    public var groupCode: String?
    public var description: String??
    public var unitCost: Decimal?
    public var unitDuration: Decimal?
    public var informationFlow: InformationFlow??
    public var initiatedBy: InitiatedBy??
    public var campaignNo: String??
    public var campaignTarget: Bool?
    public var campaignResponse: Bool?
    public var correspondenceType: CorrespondenceType??
    public var ignoreContactCorresType: Bool?
    public var content = TemplateContentChange()

    public init() {}
}

extension InteractionTemplate {
    /// Columns of `interaction_templates t`, plus the default row's attachment.
    static let columns = """
        t.code, t.interaction_group_code, t.description, t.unit_cost, t.unit_duration,
        t.information_flow, t.initiated_by, t.campaign_no, t.campaign_target, t.campaign_response,
        t.correspondence_type, t.language_code_default, t.wizard_action, t.ignore_contact_corres_type,
        t.word_template_code,
        (SELECT l.attachment_no FROM interaction_template_languages l
         WHERE l.template_code = t.code AND l.language_code IS NOT DISTINCT FROM t.language_code_default)
        """

    init(row: PGRow) throws {
        self.init(code: try row.decode(String.self, at: 0), groupCode: try row.decode(String.self, at: 1))
        self.description = try row.decode(String?.self, at: 2)
        self.unitCost = try row.decode(Decimal.self, at: 3)
        self.unitDuration = try row.decode(Decimal.self, at: 4)
        self.informationFlow = try row.decode(String?.self, at: 5).flatMap(InformationFlow.init)
        self.initiatedBy = try row.decode(String?.self, at: 6).flatMap(InitiatedBy.init)
        self.campaignNo = try row.decode(String?.self, at: 7)
        self.campaignTarget = try row.decode(Bool.self, at: 8)
        self.campaignResponse = try row.decode(Bool.self, at: 9)
        self.correspondenceType = try row.decode(String?.self, at: 10).flatMap(CorrespondenceType.init)
        self.languageCodeDefault = try row.decode(String?.self, at: 11)
        self.wizardAction = try row.decode(String?.self, at: 12).flatMap(WizardAction.init)
        self.ignoreContactCorresType = try row.decode(Bool.self, at: 13)
        self.wordTemplateCode = try row.decode(String?.self, at: 14)
        self.attachmentNo = try row.decode(Int64?.self, at: 15)
    }
}
