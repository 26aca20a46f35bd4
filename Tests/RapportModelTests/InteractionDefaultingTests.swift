import Foundation
import RapportModel
import RapportProtocol
import Testing

/// Reference 3.2: correspondence type precedence, language choice, salesperson choice, template defaults.
@Suite("Interaction defaulting rules")
struct InteractionDefaultingTests {
    typealias Precedence = CorrespondenceTypePrecedence

    static func template(ignore: Bool, _ type: CorrespondenceType?) -> Precedence.Template {
        .init(ignoreContactCorrespondenceType: ignore, defaultType: type)
    }

    // MARK: Correspondence type (3.2 R3)

    @Test func case1HeaderIgnoringTheContactWithADefaultWins() {
        let header = Precedence.Header(ignoreContactCorrespondenceType: true, defaultType: .hardCopy)
        for variant in [Precedence.Variant.contactSet, .templateValidation] {
            #expect(
                Precedence.resolve(
                    variant: variant,
                    header: header,
                    template: Self.template(ignore: true, .email),
                    contact: .email,
                    previous: nil
                ) == .hardCopy
            )
        }
        // Ignoring with a blank header default falls through to the template rules.
        let blankHeader = Precedence.Header(ignoreContactCorrespondenceType: true, defaultType: nil)
        #expect(
            Precedence.resolve(
                variant: .contactSet,
                header: blankHeader,
                template: Self.template(ignore: false, .email),
                contact: .hardCopy,
                previous: nil
            ) == .hardCopy
        )
        // A header that does not ignore the contact is not case 1.
        let notIgnoring = Precedence.Header(ignoreContactCorrespondenceType: false, defaultType: .hardCopy)
        #expect(
            Precedence.resolve(
                variant: .contactSet,
                header: notIgnoring,
                template: Self.template(ignore: false, .email),
                contact: nil,
                previous: nil
            ) == .email
        )
    }

    @Test func case2TemplateIgnoringTheContactOrContactBlankGivesTheTemplateDefault() {
        #expect(
            Precedence.resolve(
                variant: .templateValidation,
                template: Self.template(ignore: true, .email),
                contact: .hardCopy,
                previous: nil
            ) == .email
        )
        #expect(
            Precedence.resolve(
                variant: .templateValidation,
                template: Self.template(ignore: false, .hardCopy),
                contact: nil,
                previous: nil
            ) == .hardCopy
        )
        // When a contact is set, even a blank template default wins over the contact.
        #expect(
            Precedence.resolve(
                variant: .contactSet,
                template: Self.template(ignore: true, nil),
                contact: .hardCopy,
                previous: .email
            ) == nil
        )
    }

    @Test func case3TheContactsOwnType() {
        #expect(
            Precedence.resolve(
                variant: .templateValidation,
                template: Self.template(ignore: false, .email),
                contact: .hardCopy,
                previous: nil
            ) == .hardCopy
        )
        #expect(
            Precedence.resolve(
                variant: .contactSet,
                template: Self.template(ignore: false, .email),
                contact: .hardCopy,
                previous: nil
            ) == .hardCopy
        )
        // Template validation: an ignoring template with a blank default does not win; the contact's does.
        #expect(
            Precedence.resolve(
                variant: .templateValidation,
                template: Self.template(ignore: true, nil),
                contact: .hardCopy,
                previous: nil
            ) == .hardCopy
        )
    }

    @Test func case4KeepThePreviousValueOnlyWhenValidatingATemplate() {
        #expect(
            Precedence.resolve(
                variant: .templateValidation,
                template: Self.template(ignore: false, nil),
                contact: nil,
                previous: .hardCopy
            ) == .hardCopy
        )
        #expect(
            Precedence.resolve(
                variant: .contactSet,
                template: Self.template(ignore: false, nil),
                contact: nil,
                previous: .hardCopy
            ) == nil
        )
    }

    // MARK: Language (3.2 R4)

    @Test func languageForTheGuideAndDocuments() {
        #expect(
            LanguageChoice.forInteraction(
                contactLanguage: "DEU",
                templateLanguages: ["ENU", "DEU"],
                templateDefault: "ENU"
            )
                == "DEU"
        )
        #expect(
            LanguageChoice.forInteraction(
                contactLanguage: "FRA",
                templateLanguages: ["ENU", "DEU"],
                templateDefault: "ENU"
            )
                == "ENU"
        )
        #expect(
            LanguageChoice.forInteraction(
                contactLanguage: nil,
                templateLanguages: [nil, "ENU"],
                templateDefault: "ENU"
            )
                == nil
        )
        #expect(
            LanguageChoice.forInteraction(contactLanguage: nil, templateLanguages: ["ENU"], templateDefault: "ENU")
                == "ENU"
        )
        #expect(
            LanguageChoice.forInteraction(contactLanguage: "DEU", templateLanguages: [], templateDefault: nil) == nil
        )
    }

    @Test func languageForSegmentLines() {
        #expect(
            LanguageChoice.forInheritedSegmentLine(
                contactLanguage: "DEU",
                segmentLanguages: ["DEU"],
                headerDefault: "ENU"
            ) == "DEU"
        )
        #expect(
            LanguageChoice.forInheritedSegmentLine(
                contactLanguage: "FRA",
                segmentLanguages: ["DEU"],
                headerDefault: "ENU"
            )
                == "ENU"
        )
        #expect(
            LanguageChoice.forLineWithOwnContent(
                contactLanguage: "FRA",
                lineLanguages: ["DEU", "ENU"],
                templateDefault: "ENU"
            ) == "ENU"
        )
        #expect(
            LanguageChoice.forLineWithOwnContent(contactLanguage: "FRA", lineLanguages: ["DEU"], templateDefault: "ENU")
                == "DEU"
        )
        #expect(
            LanguageChoice.forLineWithOwnContent(contactLanguage: "FRA", lineLanguages: [], templateDefault: "ENU")
                == nil
        )
    }

    // MARK: Salesperson (3.2 R5)

    @Test func salespersonForTheGuide() {
        #expect(
            SalespersonChoice.forInteraction(entered: .value("BB"), userSalesperson: "AH", contactSalesperson: "CC")
                == "BB"
        )
        #expect(
            SalespersonChoice.forInteraction(entered: .notEntered, userSalesperson: "AH", contactSalesperson: "CC")
                == "AH"
        )
        #expect(
            SalespersonChoice.forInteraction(entered: .notEntered, userSalesperson: nil, contactSalesperson: "CC")
                == "CC"
        )
        #expect(
            SalespersonChoice.forInteraction(
                entered: .notEntered,
                userSalesperson: nil,
                contactSalesperson: "CC",
                openedForSalesperson: true
            ) == nil
        )
        #expect(
            SalespersonChoice.forInteraction(entered: .blank, userSalesperson: "AH", contactSalesperson: "CC") == nil
        )
        #expect(SalespersonChoice.fromContact(salespeopleWithUserEmail: ["AH"], contactSalesperson: "CC") == "AH")
        #expect(
            SalespersonChoice.fromContact(salespeopleWithUserEmail: ["AH", "BB"], contactSalesperson: "CC") == "CC"
        )
        #expect(SalespersonChoice.forDocument(passed: nil, accountIsContact: true, contactSalesperson: "CC") == "CC")
        #expect(SalespersonChoice.forDocument(passed: nil, accountIsContact: false, contactSalesperson: "CC") == nil)
        #expect(SalespersonChoice.forDocument(passed: "AH", accountIsContact: true, contactSalesperson: "CC") == "AH")
    }

    // MARK: Template defaults (3.2 R6) and the guide

    static let letter = InteractionTemplateDefaults(
        code: "BUSLETTER",
        groupCode: "LETTER",
        description: "Business letter",
        unitCost: 8,
        unitDuration: 30,
        informationFlow: .outbound,
        initiatedBy: .us,
        campaignNo: "CP01",
        campaignTarget: true,
        campaignResponse: true,
        correspondenceType: .hardCopy,
        languageCodeDefault: "ENU",
        wordTemplateCode: "WT1"
    )

    static let person = InteractionContact(
        no: "CT2",
        type: .person,
        companyNo: "CT1",
        salespersonCode: "CC",
        languageCode: "DEU",
        correspondenceType: .email
    )

    @Test func templateDefaultsAreCopied() {
        var draft = InteractionDraft()
        draft.subject = "old"
        draft.languageCode = "XX"
        InteractionBuilder.applyTemplate(Self.letter, to: &draft, contact: nil, templateChanged: false)
        #expect(draft.templateCode == "BUSLETTER")
        #expect(draft.groupCode == "LETTER")
        #expect(draft.description == "Business letter")
        #expect(draft.cost == 8)
        #expect(draft.duration == 30)
        #expect(draft.informationFlow == .outbound)
        #expect(draft.initiatedBy == .us)
        #expect(draft.campaignNo == "CP01")
        #expect(draft.campaignTarget && draft.campaignResponse)
        #expect(draft.correspondenceType == .hardCopy)
        #expect(draft.wordTemplateCode == "WT1")
        #expect(draft.languageCode == nil && draft.subject == nil, "cleared for the language rule")
    }

    @Test func theDescriptionIsKeptUnlessBlankOrTheTemplateChanged() {
        var draft = InteractionDraft()
        draft.description = "Mine"
        InteractionBuilder.applyTemplate(Self.letter, to: &draft, contact: nil, templateChanged: false)
        #expect(draft.description == "Mine")
        InteractionBuilder.applyTemplate(Self.letter, to: &draft, contact: nil, templateChanged: true)
        #expect(draft.description == "Business letter")
    }

    @Test func aNewInteractionTakesDefaultsAndEnteredValuesWin() {
        var input = InteractionInput()
        input.contactNo = .value("CT2")
        input.templateCode = .value("BUSLETTER")
        let sources = InteractionBuilder.Sources(
            template: Self.letter,
            templateLanguages: [
                InteractionLanguageRow(languageCode: "ENU", hasAttachment: true, wordTemplateCode: "WT1"),
                InteractionLanguageRow(languageCode: "DEU", hasAttachment: true, wordTemplateCode: "WT-DE"),
            ],
            contact: Self.person
        )
        let draft = InteractionBuilder.newInteraction(
            input,
            sources: sources,
            today: day("2025-03-14"),
            time: clock("10:17:00"),
            userSalesperson: "AH"
        )
        #expect(draft.date == day("2025-03-14") && draft.time == clock("10:17:00"))
        #expect(draft.salespersonCode == "AH")
        #expect(draft.languageCode == "DEU")
        #expect(draft.wordTemplateCode == "WT-DE")
        #expect(draft.correspondenceType == .email, "the contact's type: the template does not ignore it")
        #expect(draft.subject == "Business letter", "subject := description")
        #expect(!draft.attemptFailed)

        input.description = .value("Price list")
        input.cost = Decimal(string: "2.50")
        input.campaignNo = .blank
        input.correspondenceType = .blank
        input.successful = false
        input.languageCode = .value("ENU")
        input.subject = .value("Prices 2025")
        let entered = InteractionBuilder.newInteraction(
            input,
            sources: sources,
            today: day("2025-03-14"),
            time: clock("10:17:00"),
            userSalesperson: nil
        )
        #expect(entered.description == "Price list")
        #expect(entered.cost == Decimal(string: "2.50"))
        #expect(entered.campaignNo == nil)
        #expect(entered.correspondenceType == nil)
        #expect(entered.attemptFailed)
        #expect(entered.languageCode == "ENU" && entered.wordTemplateCode == "WT1")
        #expect(entered.subject == "Prices 2025")
        #expect(entered.salespersonCode == "CC", "no own salesperson: the contact's")
    }

    @Test func aResumedEntryIsReDatedAndKeepsItsFields() {
        var entry = InteractionDraft()
        entry.contactNo = "CT2"
        entry.templateCode = "BUSLETTER"
        entry.description = "Draft letter"
        entry.date = day("2025-01-02")
        entry.time = clock("09:00:00")
        entry.salespersonCode = "AH"
        entry.cost = 3
        entry.languageCode = "DEU"
        entry.correspondenceType = .hardCopy
        let sources = InteractionBuilder.Sources(template: Self.letter, contact: Self.person)
        var input = InteractionInput()
        input.evaluation = .value(.positive)
        let resumed = InteractionBuilder.resumed(entry, input: input, sources: sources, today: day("2025-03-14"))
        #expect(resumed.date == day("2025-03-14"))
        #expect(resumed.time == clock("09:00:00"))
        #expect(resumed.description == "Draft letter" && resumed.cost == 3)
        #expect(resumed.languageCode == "DEU" && resumed.correspondenceType == .hardCopy)
        #expect(resumed.evaluation == .positive)
        input.date = .value(day("2025-03-01"))
        #expect(
            InteractionBuilder.resumed(entry, input: input, sources: sources, today: day("2025-03-14")).date
                == day("2025-03-01")
        )
    }

    @Test func aDocumentTakesTheTemplateAndTheDocumentsFields() {
        var template = Self.letter
        template.languageCodeDefault = nil
        let document = DocumentLogFacts(
            type: .salesInvoice,
            no: "PSI-1",
            occurrence: 1,
            version: 2,
            campaignNo: "CP02"
        )
        let draft = InteractionBuilder.document(
            document,
            template: template,
            contact: Self.person,
            accountIsContact: false,
            today: day("2025-03-14"),
            time: clock("10:21:37")
        )
        #expect(draft.documentType == .salesInvoice && draft.documentNo == "PSI-1")
        #expect(draft.docNoOccurrence == 1 && draft.versionNo == 2)
        #expect(draft.description == "Business letter")
        #expect(draft.salespersonCode == nil, "a customer's document may have no salesperson")
        #expect(draft.campaignNo == "CP02")
        #expect(draft.time == clock("10:21:37"))
        #expect(draft.languageCode == nil)
    }

    @Test func theGuideTimeIsRoundedUp() {
        #expect(WorkClock.roundedUp(hour: 10, minute: 16, second: 0).description == "10:16:00")
        #expect(WorkClock.roundedUp(hour: 10, minute: 16, second: 0, microsecond: 1).description == "10:17:00")
        #expect(WorkClock.roundedUp(hour: 9, minute: 59, second: 30).description == "10:00:00")
        #expect(WorkClock.roundedUp(hour: 23, minute: 59, second: 30).description == "23:59:00")
        #expect(WorkClock.exact(hour: 7, minute: 5, second: 9).description == "07:05:09")
    }

    @Test func enteredValues() {
        #expect(Entered<String>.notEntered.resolved(or: "x") == "x")
        #expect(Entered<String>.blank.resolved(or: "x") == nil)
        #expect(Entered("y").resolved(or: "x") == "y")
        #expect(Entered<String>(nil) == .blank)
    }
}

/// A date or time of the examples (written as the protocol writes them).
private func day(_ text: String) -> CalendarDate { CalendarDate(text)! }
private func clock(_ text: String) -> TimeOfDay { TimeOfDay(text)! }
