import Foundation
import RapportProtocol

/// An interaction being prepared: BC's in-memory segment line of the Create Interaction guide, of document
/// logging and of a resumed postponed entry. Everything an entry gets is decided here before it is written.
///
/// Dates, times, money and minutes are typed values (`CalendarDate`, `TimeOfDay`, exact `Decimal`).
public struct InteractionDraft: Sendable, Equatable {
    public var contactNo: String?
    public var templateCode: String?
    public var groupCode: String?
    public var description: String?
    public var date: CalendarDate?
    public var time: TimeOfDay?
    public var salespersonCode: String?
    public var correspondenceType: CorrespondenceType?
    public var languageCode: String?
    public var informationFlow: InformationFlow?
    public var initiatedBy: InitiatedBy?
    public var campaignNo: String?
    public var campaignTarget = false
    public var campaignResponse = false
    public var opportunityNo: String?
    public var taskNo: String?
    public var evaluation: Evaluation?
    public var attemptFailed = false
    public var cost: Decimal = 0
    public var duration: Decimal = 0
    public var subject: String?
    public var contactVia: String?
    public var wordTemplateCode: String?
    public var documentType: DocumentType?
    public var documentNo: String?
    public var docNoOccurrence = 0
    public var versionNo = 0

    public init() {}
}

/// The template fields an interaction copies (reference 1.3, 3.2 R6).
public struct InteractionTemplateDefaults: Sendable, Equatable {
    public var code: String
    public var groupCode: String
    public var description: String?
    public var unitCost: Decimal
    public var unitDuration: Decimal
    public var informationFlow: InformationFlow?
    public var initiatedBy: InitiatedBy?
    public var campaignNo: String?
    public var campaignTarget: Bool
    public var campaignResponse: Bool
    public var correspondenceType: CorrespondenceType?
    public var ignoreContactCorrespondenceType: Bool
    public var languageCodeDefault: String?
    public var wizardAction: WizardAction?
    public var wordTemplateCode: String?

    public init(
        code: String,
        groupCode: String,
        description: String? = nil,
        unitCost: Decimal = 0,
        unitDuration: Decimal = 0,
        informationFlow: InformationFlow? = nil,
        initiatedBy: InitiatedBy? = nil,
        campaignNo: String? = nil,
        campaignTarget: Bool = false,
        campaignResponse: Bool = false,
        correspondenceType: CorrespondenceType? = .email,
        ignoreContactCorrespondenceType: Bool = false,
        languageCodeDefault: String? = nil,
        wizardAction: WizardAction? = nil,
        wordTemplateCode: String? = nil
    ) {
        self.code = code
        self.groupCode = groupCode
        self.description = description
        self.unitCost = unitCost
        self.unitDuration = unitDuration
        self.informationFlow = informationFlow
        self.initiatedBy = initiatedBy
        self.campaignNo = campaignNo
        self.campaignTarget = campaignTarget
        self.campaignResponse = campaignResponse
        self.correspondenceType = correspondenceType
        self.ignoreContactCorrespondenceType = ignoreContactCorrespondenceType
        self.languageCodeDefault = languageCodeDefault
        self.wizardAction = wizardAction
        self.wordTemplateCode = wordTemplateCode
    }

    var precedence: CorrespondenceTypePrecedence.Template {
        .init(
            ignoreContactCorrespondenceType: self.ignoreContactCorrespondenceType,
            defaultType: self.correspondenceType
        )
    }
}

/// One language row of a template, as far as an interaction uses it.
public struct InteractionLanguageRow: Sendable, Equatable {
    /// nil = the blank ("no language") row.
    public var languageCode: String?
    public var hasAttachment: Bool
    public var wordTemplateCode: String?

    public init(languageCode: String?, hasAttachment: Bool, wordTemplateCode: String? = nil) {
        self.languageCode = languageCode
        self.hasAttachment = hasAttachment
        self.wordTemplateCode = wordTemplateCode
    }
}

/// The contact fields an interaction uses (reference 1.17).
public struct InteractionContact: Sendable, Equatable {
    public var no: String
    public var type: ContactType
    public var companyNo: String?
    public var salespersonCode: String?
    public var languageCode: String?
    public var correspondenceType: CorrespondenceType?
    public var email: String?
    /// Blocked due to privacy: no interaction may be logged for the contact.
    public var privacyBlocked: Bool

    public init(
        no: String,
        type: ContactType,
        companyNo: String? = nil,
        salespersonCode: String? = nil,
        languageCode: String? = nil,
        correspondenceType: CorrespondenceType? = nil,
        email: String? = nil,
        privacyBlocked: Bool = false
    ) {
        self.no = no
        self.type = type
        self.companyNo = companyNo
        self.salespersonCode = salespersonCode
        self.languageCode = languageCode
        self.correspondenceType = correspondenceType
        self.email = email
        self.privacyBlocked = privacyBlocked
    }

    /// Contact Company No. of its entries: a company's is itself, a person's its company (maybe none).
    public var entryCompanyNo: String? {
        self.type == .company ? self.no : self.companyNo
    }
}
