import RapportModel
import RapportProtocol
import Testing

/// Reference 3.3 R6 (the guide's checks, in order) and 3.5 R1 (line checks, e-mail), 3.11 R2, keyset cursors.
@Suite("Interaction validation")
struct InteractionValidationTests {
    static func complete() -> InteractionDraft {
        var draft = InteractionDraft()
        draft.contactNo = "CT1"
        draft.templateCode = "CALL"
        draft.salespersonCode = "AH"
        draft.date = CalendarDate(year: 2025, month: 3, day: 14)
        draft.description = "Call"
        return draft
    }

    static func message(_ draft: InteractionDraft, action: WizardAction? = nil, content: Bool = false) -> String? {
        InteractionValidation.checkGuide(draft, wizardAction: action, hasContent: content)?.message
    }

    @Test func aCompleteDraftPasses() {
        #expect(Self.message(Self.complete()) == nil)
    }

    @Test func theChecksRunInTheReferenceOrder() {
        var draft = InteractionDraft()
        draft.correspondenceType = .email
        #expect(Self.message(draft, action: .open)?.hasPrefix("You must select a contact to interact with: ") == true)
        draft.contactNo = "CT1"
        #expect(
            Self.message(draft, action: .open)?.hasPrefix("You must fill in the Interaction Template Code field: ")
                == true
        )
        draft.templateCode = "CALL"
        #expect(Self.message(draft, action: .open)?.hasPrefix("You must fill in the Salesperson Code field: ") == true)
        draft.salespersonCode = "AH"
        #expect(Self.message(draft, action: .open)?.hasPrefix("You must fill in the Date field: ") == true)
        draft.date = CalendarDate(year: 2025, month: 3, day: 14)
        #expect(Self.message(draft, action: .open)?.hasPrefix("You must fill in the Description field: ") == true)
        draft.description = ""
        #expect(Self.message(draft, action: .open)?.hasPrefix("You must fill in the Description field: ") == true)
        draft.description = "Call"
        #expect(
            Self.message(draft, action: .open)
                == InteractionValidation.fixed(InteractionValidation.noAttachment, InteractionValidation.Fix.content)
        )
        #expect(
            InteractionValidation.noAttachment
                == "No attachment found. You must either add an attachment or choose a template in the Word Template Code field on the Interaction Template page."
        )
        #expect(
            Self.message(draft)
                == InteractionValidation.fixed(
                    InteractionValidation.emailNeedsContent,
                    InteractionValidation.Fix.emailContent
                )
        )
        #expect(Self.message(draft)?.contains("correspondence-type=") == true)
        #expect(Self.message(draft)?.contains("ATTACHMENT-UPLOAD") == true)
        #expect(
            InteractionValidation.emailNeedsContent.hasPrefix("The correspondence type for this interaction is Email")
        )
        #expect(Self.message(draft, action: .open, content: true) == nil)
        draft.wordTemplateCode = "WT"
        #expect(Self.message(draft, action: .open) == nil, "a Word template is content enough")
        draft.wordTemplateCode = nil
        draft.correspondenceType = .hardCopy
        #expect(Self.message(draft, action: .merge) == nil)
        #expect(InteractionValidation.checkGuide(draft, wizardAction: .open, hasContent: false)?.kind == .invalid)
    }

    @Test func lineChecksUseBCsTestFieldWording() {
        var draft = Self.complete()
        #expect(InteractionValidation.checkLine(draft) == nil)
        draft.salespersonCode = nil
        #expect(
            InteractionValidation.checkLine(draft, segmentNo: "SEG01", lineNo: 20000)?.message
                == "Salesperson Code must have a value in Segment Line: Segment No.=SEG01, Line No.=20000."
        )
        draft.documentType = .salesInvoice
        #expect(InteractionValidation.checkLine(draft) == nil, "documents need no salesperson")
        draft.date = nil
        #expect(
            InteractionValidation.checkLine(draft)?.message
                == "Date must have a value in Segment Line: Segment No.=, Line No.=0."
        )
        draft = Self.complete()
        draft.contactNo = nil
        #expect(InteractionValidation.checkLine(draft)?.message.hasPrefix("Contact No. must have a value") == true)
        draft = Self.complete()
        draft.templateCode = nil
        #expect(
            InteractionValidation.checkLine(draft)?.message.hasPrefix("Interaction Template Code must have a value")
                == true
        )
        let missing = InteractionValidation.doesNotExist("Contact", "No.", "CT9")
        #expect(missing.kind == .notFound)
        #expect(missing.message == "The Contact does not exist. Identification fields and values: No.='CT9'")
    }

    @Test func emailIsDowngradedOrRefusedWithoutAnAddress() throws {
        func type(_ email: String?, alt: String?, deliver: Bool) throws(InteractionProblem) -> CorrespondenceType? {
            try InteractionValidation.emailCorrespondence(
                .email,
                contactNo: "CT1",
                contactEmail: email,
                altAddressEmail: alt,
                deliver: deliver
            )
        }
        #expect(try type("a@b.c", alt: nil, deliver: true) == .email)
        #expect(try type(nil, alt: nil, deliver: false) == nil, "silently blank")
        #expect(try type(nil, alt: "x@y.z", deliver: true) == .email)
        #expect(
            throws: InteractionProblem(
                .invalid,
                "Make sure that the Email field is specified for either contact no. CT1 or the contact alternative address."
            )
            .withFix("give the contact an e-mail with CONTACT-SET, or send deliver=false to log without sending")
        ) { try type("", alt: nil, deliver: true) }
        #expect(
            try InteractionValidation.emailCorrespondence(
                .hardCopy,
                contactNo: "CT1",
                contactEmail: nil,
                altAddressEmail: nil,
                deliver: true
            ) == .hardCopy
        )
    }

    @Test func unCancelIsRefusedWhileAParentIsCanceled() {
        #expect(
            LogEntryRules.uncancelRefusal(
                loggedSegmentEntryNo: 4,
                loggedSegmentCanceled: true,
                campaignEntryNo: 9,
                campaignEntryCanceled: true
            )?.message.hasPrefix(
                "Canceled must be equal to 'No' in Logged Segment: Entry No.=4. Current value is 'Yes': "
            ) == true
        )
        #expect(
            LogEntryRules.uncancelRefusal(
                loggedSegmentEntryNo: 4,
                loggedSegmentCanceled: false,
                campaignEntryNo: 9,
                campaignEntryCanceled: true
            )?.message.hasPrefix(
                "Canceled must be equal to 'No' in Campaign Entry: Entry No.=9. Current value is 'Yes': "
            ) == true
        )
        #expect(
            LogEntryRules.uncancelRefusal(
                loggedSegmentEntryNo: nil,
                loggedSegmentCanceled: false,
                campaignEntryNo: nil,
                campaignEntryCanceled: false
            ) == nil
        )
    }

    @Test func ownership() {
        #expect(LogEntryRules.mayChange(role: .manager, own: nil, entrySalesperson: "BB"))
        #expect(LogEntryRules.mayChange(role: .salesperson, own: "AH", entrySalesperson: "AH"))
        #expect(!LogEntryRules.mayChange(role: .salesperson, own: "AH", entrySalesperson: "BB"))
        #expect(!LogEntryRules.mayChange(role: .salesperson, own: nil, entrySalesperson: nil))
    }

    @Test func statisticsScope() {
        #expect(ContactStatisticsScope(InteractionContact(no: "C1", type: .company)) == .company("C1"))
        #expect(ContactStatisticsScope(InteractionContact(no: "P1", type: .person, companyNo: "C1")) == .person("P1"))
        #expect(InteractionContact(no: "C1", type: .company).entryCompanyNo == "C1")
        #expect(InteractionContact(no: "P1", type: .person, companyNo: "C1").entryCompanyNo == "C1")
        #expect(InteractionContact(no: "P2", type: .person).entryCompanyNo == nil)
    }

    @Test func cursorsRoundTrip() {
        let cursor = LogCursor(date: "2025-03-14", entryNo: 1043)
        #expect(cursor.description == "2025-03-14/1043")
        #expect(LogCursor("2025-03-14/1043") == cursor)
        for bad in ["", "2025-03-14", "2025-03-14/", "2025-3-14/5", "2025-13-01/5", "x/5", "2025-03-14/-1"] {
            #expect(LogCursor(bad) == nil, "\(bad)")
        }
    }

    @Test func commentLines() throws {
        #expect(try CommentLines.split("one\ntwo\r\n\nthree") == ["one", "two", "three"])
        #expect(try CommentLines.split("") == [])
        #expect(throws: InteractionProblem.self) { try CommentLines.split("ok\n" + String(repeating: "x", count: 81)) }
    }

    @Test func campaignEntryDescriptions() {
        #expect(CampaignEntryDescription.forInteraction(documentType: nil) == "Interactions")
        #expect(CampaignEntryDescription.forInteraction(documentType: .salesInvoice) == "Sales Invoices")
        #expect(Set(DocumentType.allCases.map(\.setupCaption)).count == DocumentType.allCases.count)
    }
}
