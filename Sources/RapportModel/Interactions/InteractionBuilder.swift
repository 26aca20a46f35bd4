import RapportProtocol

/// Builds the interaction a request describes by applying the defaulting rules of reference 3.2 and then
/// what the client entered (an entered value always wins over a default).
public enum InteractionBuilder {
    /// What the template and the contact contribute; nil parts are unknown or not entered.
    public struct Sources: Sendable, Equatable {
        public var template: InteractionTemplateDefaults?
        public var templateLanguages: [InteractionLanguageRow]
        public var contact: InteractionContact?

        public init(
            template: InteractionTemplateDefaults?,
            templateLanguages: [InteractionLanguageRow] = [],
            contact: InteractionContact?
        ) {
            self.template = template
            self.templateLanguages = templateLanguages
            self.contact = contact
        }
    }

    /// A new interaction of the Create Interaction guide (reference 3.3 R1–R2, R6.3).
    ///
    /// - Parameters:
    ///   - today: the work date, used when no date is entered.
    ///   - time: the current time already rounded up to the minute (``WorkClock``).
    ///   - userSalesperson: the logged-in user's own salesperson.
    public static func newInteraction(
        _ input: InteractionInput,
        sources: Sources,
        today: CalendarDate,
        time: TimeOfDay,
        userSalesperson: String?
    ) -> InteractionDraft {
        var draft = InteractionDraft()
        draft.contactNo = input.contactNo.value
        draft.templateCode = input.templateCode.value
        if let template = sources.template {
            self.applyTemplate(template, to: &draft, contact: sources.contact, templateChanged: true)
        }
        draft.date = today
        draft.time = time
        draft.languageCode = self.language(input, sources)
        draft.wordTemplateCode = self.wordTemplate(for: draft.languageCode, sources)
        draft.salespersonCode = SalespersonChoice.forInteraction(
            entered: input.salespersonCode,
            userSalesperson: userSalesperson,
            contactSalesperson: sources.contact?.salespersonCode
        )
        self.applyEntered(input, to: &draft)
        draft.attemptFailed = !(input.successful ?? true)
        draft.subject = input.subject.resolved(or: draft.description)
        return draft
    }

    /// A postponed entry resumed (reference 3.4 R2–R3): its fields, re-dated to `today` unless a date is
    /// entered; a changed template is validated again (3.2 R6), a changed contact re-derives the
    /// correspondence type (3.2 R3) and, like a changed template, the language (3.2 R4).
    public static func resumed(
        _ entry: InteractionDraft,
        input: InteractionInput,
        sources: Sources,
        today: CalendarDate
    ) -> InteractionDraft {
        var draft = entry
        draft.contactNo = input.contactNo.resolved(or: entry.contactNo)
        draft.templateCode = input.templateCode.resolved(or: entry.templateCode)
        let contactChanged = draft.contactNo != entry.contactNo
        let templateChanged = draft.templateCode != entry.templateCode
        if templateChanged, let template = sources.template {
            self.applyTemplate(template, to: &draft, contact: sources.contact, templateChanged: true)
        } else if contactChanged, let template = sources.template {
            draft.correspondenceType = CorrespondenceTypePrecedence.resolve(
                variant: .contactSet,
                template: template.precedence,
                contact: sources.contact?.correspondenceType,
                previous: draft.correspondenceType
            )
        }
        draft.date = today
        if templateChanged || contactChanged || input.languageCode.isEntered {
            draft.languageCode = self.language(input, sources)
            draft.wordTemplateCode = self.wordTemplate(for: draft.languageCode, sources)
        }
        draft.salespersonCode = input.salespersonCode.resolved(or: draft.salespersonCode)
        self.applyEntered(input, to: &draft)
        if let successful = input.successful { draft.attemptFailed = !successful }
        draft.subject = input.subject.resolved(or: draft.description)
        return draft
    }

    /// What a document logs (reference 3.15 R3–R5): the template's defaults, the document's fields, the
    /// system date and time, the passed salesperson (a contact account's own one when blank), the passed
    /// campaign when not blank.
    public static func document(
        _ document: DocumentLogFacts,
        template: InteractionTemplateDefaults,
        contact: InteractionContact,
        accountIsContact: Bool,
        today: CalendarDate,
        time: TimeOfDay
    ) -> InteractionDraft {
        var draft = InteractionDraft()
        draft.contactNo = contact.no
        draft.templateCode = template.code
        draft.documentType = document.type
        draft.documentNo = document.no
        draft.docNoOccurrence = document.occurrence
        draft.versionNo = document.version
        draft.date = today
        draft.time = time
        draft.opportunityNo = document.opportunityNo
        self.applyTemplate(template, to: &draft, contact: contact, templateChanged: true)
        if let description = document.description { draft.description = description }
        draft.salespersonCode = SalespersonChoice.forDocument(
            passed: document.salespersonCode,
            accountIsContact: accountIsContact,
            contactSalesperson: contact.salespersonCode
        )
        // Templates used for documents have no language rows (refused before), so this is the default.
        draft.languageCode = LanguageChoice.forInteraction(
            contactLanguage: contact.languageCode,
            templateLanguages: [],
            templateDefault: template.languageCodeDefault
        )
        if let campaign = document.campaignNo { draft.campaignNo = campaign }
        return draft
    }

    /// Template validation on a line (reference 3.2 R6): clears what the template decides, then copies group,
    /// description (when the line has none or the template changed), cost, duration, information flow,
    /// initiated by, campaign flags, correspondence type (3.2 R3) and campaign.
    public static func applyTemplate(
        _ template: InteractionTemplateDefaults,
        to draft: inout InteractionDraft,
        contact: InteractionContact?,
        templateChanged: Bool
    ) {
        draft.templateCode = template.code
        draft.groupCode = template.groupCode
        if draft.description == nil || templateChanged { draft.description = template.description }
        draft.cost = template.unitCost
        draft.duration = template.unitDuration
        draft.informationFlow = template.informationFlow
        draft.initiatedBy = template.initiatedBy
        draft.campaignTarget = template.campaignTarget
        draft.campaignResponse = template.campaignResponse
        draft.correspondenceType = CorrespondenceTypePrecedence.resolve(
            variant: .templateValidation,
            template: template.precedence,
            contact: contact?.correspondenceType,
            previous: nil
        )
        draft.campaignNo = template.campaignNo
        draft.languageCode = nil
        draft.subject = nil
        draft.wordTemplateCode = template.wordTemplateCode
    }

    private static func language(_ input: InteractionInput, _ sources: Sources) -> String? {
        input.languageCode.resolved(
            or: LanguageChoice.forInteraction(
                contactLanguage: sources.contact?.languageCode,
                templateLanguages: sources.templateLanguages.map(\.languageCode),
                templateDefault: sources.template?.languageCodeDefault
            )
        )
    }

    /// The Word template of the chosen language row, else the template's.
    private static func wordTemplate(for language: String?, _ sources: Sources) -> String? {
        if let row = sources.templateLanguages.first(where: { $0.languageCode == language }) {
            return row.wordTemplateCode
        }
        return sources.template?.wordTemplateCode
    }

    private static func applyEntered(_ input: InteractionInput, to draft: inout InteractionDraft) {
        draft.description = input.description.resolved(or: draft.description)
        draft.date = input.date.resolved(or: draft.date)
        draft.time = input.time.resolved(or: draft.time)
        draft.correspondenceType = input.correspondenceType.resolved(or: draft.correspondenceType)
        draft.informationFlow = input.informationFlow.resolved(or: draft.informationFlow)
        draft.initiatedBy = input.initiatedBy.resolved(or: draft.initiatedBy)
        draft.campaignNo = input.campaignNo.resolved(or: draft.campaignNo)
        if let target = input.campaignTarget { draft.campaignTarget = target }
        if let response = input.campaignResponse { draft.campaignResponse = response }
        draft.opportunityNo = input.opportunityNo.resolved(or: draft.opportunityNo)
        draft.taskNo = input.taskNo.resolved(or: draft.taskNo)
        draft.evaluation = input.evaluation.resolved(or: draft.evaluation)
        if let cost = input.cost { draft.cost = cost }
        if let duration = input.duration { draft.duration = duration }
        draft.contactVia = input.contactVia.resolved(or: draft.contactVia)
    }
}

/// What an ERP passes when a document is printed, sent or created (reference 3.15).
public struct DocumentLogFacts: Sendable, Equatable {
    public var type: DocumentType
    public var no: String?
    public var occurrence: Int
    public var version: Int
    public var salespersonCode: String?
    public var campaignNo: String?
    public var description: String?
    public var opportunityNo: String?

    public init(
        type: DocumentType,
        no: String? = nil,
        occurrence: Int = 0,
        version: Int = 0,
        salespersonCode: String? = nil,
        campaignNo: String? = nil,
        description: String? = nil,
        opportunityNo: String? = nil
    ) {
        self.type = type
        self.no = no
        self.occurrence = occurrence
        self.version = version
        self.salespersonCode = salespersonCode
        self.campaignNo = campaignNo
        self.description = description
        self.opportunityNo = opportunityNo
    }
}
