import Foundation
import RapportModel
import Testing

/// Reference §3.1 R2–R5 and R7 as pure rules.
@Suite("Master data: template rules")
struct MasterDataTemplateRulesTests {
    let template = TemplateContent(code: "GOLF")

    @Test func costAndDurationMustNotBeNegative() throws {
        #expect(throws: TemplateRules.Problem.negative(field: "Unit Cost (LCY)", value: -1)) {
            try TemplateRules.checkNotNegative(-1, field: "Unit Cost (LCY)")
        }
        try TemplateRules.checkNotNegative(0, field: "Unit Cost (LCY)")
        try TemplateRules.checkNotNegative(nil, field: "Unit Cost (LCY)")
        #expect(throws: TemplateRules.Problem.groupMissing(template: "GOLF")) {
            try TemplateRules.checkGroupGiven(nil, template: "GOLF")
        }
        #expect(
            TemplateRules.Problem.groupMissing(template: "GOLF").description
                == "Interaction Group Code must have a value in Interaction Template: Code=GOLF. "
                + "It cannot be zero or empty."
        )
    }

    @Test func defaultLanguageWithoutRowNeedsConsent() throws {
        let change = TemplateContentChange(languageCodeDefault: .some("ENU"))
        #expect(throws: TemplateRules.Problem.languageMissing(template: "GOLF", language: "ENU")) {
            try TemplateRules.plan(self.template, rows: [], change: change)
        }
        var consented = change
        consented.createLanguage = true
        let plan = try TemplateRules.plan(self.template, rows: [], change: consented)
        #expect(plan.createDefaultRow)
        #expect(plan.result.languageCodeDefault == "ENU")
    }

    @Test func defaultLanguageRowDecidesMergeAndWordTemplate() throws {
        // R3b: a layout makes the action Merge; R3c: the row's Word template is copied.
        let rows = [
            TemplateLanguageFacts(languageCode: "ENU", hasHTMLLayout: true, wordTemplateCode: "W-ENU"),
            TemplateLanguageFacts(languageCode: "DEU"),
        ]
        let merged = try TemplateRules.plan(
            self.template,
            rows: rows,
            change: TemplateContentChange(languageCodeDefault: .some("ENU"))
        )
        #expect(merged.result.wizardAction == .merge)
        #expect(merged.result.wordTemplateCode == "W-ENU")
        #expect(!merged.createDefaultRow)
        // Without a layout a Merge action is reset to blank, and the Word template follows the row (none).
        let reset = try TemplateRules.plan(
            merged.result,
            rows: rows,
            change: TemplateContentChange(languageCodeDefault: .some("DEU"))
        )
        #expect(reset.result.wizardAction == nil)
        #expect(reset.result.wordTemplateCode == nil)
        // An Open action stays.
        let open = TemplateContent(code: "GOLF", wizardAction: .open)
        let kept = try TemplateRules.plan(
            open,
            rows: rows,
            change: TemplateContentChange(languageCodeDefault: .some("DEU"))
        )
        #expect(kept.result.wizardAction == .open)
    }

    @Test(arguments: [
        // (layout, attachment, word template, action, refused)
        (true, true, false, WizardAction.open, true),  // R4a
        (true, true, true, WizardAction.open, false),
        (false, true, false, WizardAction.merge, true),  // R4b
        (false, true, true, WizardAction.merge, false),
        (false, true, true, WizardAction.import, true),  // R4c
        (true, false, false, WizardAction.merge, true),  // R4d: merging needs an attachment or Word template
        (false, false, false, WizardAction.open, false),
        (false, true, false, WizardAction.import, false),
    ])
    func wizardActionRules(layout: Bool, attachment: Bool, word: Bool, action: WizardAction, refused: Bool) throws {
        let template = TemplateContent(code: "GOLF", languageCodeDefault: "ENU", wordTemplateCode: word ? "W1" : nil)
        let rows = [
            TemplateLanguageFacts(
                languageCode: "ENU",
                hasHTMLLayout: layout,
                hasAttachment: attachment,
                wordTemplateCode: word ? "W1" : nil
            )
        ]
        let change = TemplateContentChange(wizardAction: .some(action))
        if refused {
            #expect(throws: TemplateRules.Problem.wizardActionRefused(action: action, template: "GOLF")) {
                try TemplateRules.plan(template, rows: rows, change: change)
            }
        } else {
            #expect(try TemplateRules.plan(template, rows: rows, change: change).result.wizardAction == action)
        }
    }

    @Test func wizardActionMessageIsTheReferences() {
        #expect(
            TemplateRules.Problem.wizardActionRefused(action: .merge, template: "GOLF").description
                == "Wizard Action = Merge can not be specified for Interaction Template GOLF."
        )
    }

    @Test func wizardActionIsFreeWithoutDefaultLanguageRow() throws {
        // R4 applies only when a row exists for the default language.
        let plan = try TemplateRules.plan(
            self.template,
            rows: [],
            change: TemplateContentChange(wizardAction: .some(.merge))
        )
        #expect(plan.result.wizardAction == .merge)
    }

    @Test func wordTemplateAgainstAttachment() throws {
        let template = TemplateContent(code: "GOLF", languageCodeDefault: "ENU")
        let rows = [TemplateLanguageFacts(languageCode: "ENU", hasAttachment: true)]
        let change = TemplateContentChange(wordTemplateCode: .some("W1"))
        #expect(throws: TemplateRules.Problem.attachmentWithWordTemplate) {
            try TemplateRules.plan(template, rows: rows, change: change)
        }
        var consented = change
        consented.removeAttachment = true
        let plan = try TemplateRules.plan(template, rows: rows, change: consented)
        #expect(plan.removeDefaultAttachment)
        #expect(plan.defaultRowWordTemplate == .some("W1"))
        #expect(plan.result.wordTemplateCode == "W1")
        #expect(!plan.createDefaultRow)
    }

    @Test func wordTemplateRefusedWithImport() {
        let template = TemplateContent(code: "GOLF", wizardAction: .import)
        #expect(throws: TemplateRules.Problem.wordTemplateWithImport(wordTemplate: "W1")) {
            try TemplateRules.plan(template, rows: [], change: TemplateContentChange(wordTemplateCode: .some("W1")))
        }
        #expect(
            TemplateRules.Problem.wordTemplateWithImport(wordTemplate: "W1").description
                == "Word Template Code = W1 can not be specified for Wizard Action Import"
        )
        // Changing the action away from Import in the same request makes it acceptable.
        let both = TemplateContentChange(wizardAction: .some(.open), wordTemplateCode: .some("W1"))
        #expect(throws: Never.self) { try TemplateRules.plan(template, rows: [], change: both) }
    }

    @Test func wordTemplateCreatesTheDefaultRow() throws {
        // R5c: written into the default-language row, which is created when missing (blank language here).
        let plan = try TemplateRules.plan(
            self.template,
            rows: [],
            change: TemplateContentChange(wordTemplateCode: .some("W1"))
        )
        #expect(plan.createDefaultRow)
        #expect(plan.defaultRowWordTemplate == .some("W1"))
        // Clearing it creates nothing.
        let cleared = try TemplateRules.plan(
            self.template,
            rows: [],
            change: TemplateContentChange(wordTemplateCode: .some(nil))
        )
        #expect(!cleared.createDefaultRow)
        #expect(cleared.defaultRowWordTemplate == nil)
    }

    @Test func setupRules() throws {
        let withAttachment = [TemplateLanguageFacts(languageCode: nil, hasAttachment: true)]
        #expect(throws: TemplateSetupRules.Problem.attachment(template: "EMAIL")) {
            try TemplateSetupRules.check(event: .email, template: "EMAIL", rows: withAttachment)
        }
        try TemplateSetupRules.check(event: .meetingInvitation, template: "MEETINV", rows: withAttachment)
        try TemplateSetupRules.check(
            event: .email,
            template: "EMAIL",
            rows: [TemplateLanguageFacts(languageCode: "ENU")]
        )
        let problem = TemplateSetupRules.Problem.languages(template: "S_INV", language: "ENU")
        #expect(throws: problem) {
            try TemplateSetupRules.check(
                event: .document(.salesInvoice),
                template: "S_INV",
                rows: [TemplateLanguageFacts(languageCode: "ENU")]
            )
        }
        #expect(
            problem.description
                == "Interaction Template S_INV has assigned Interaction Template Language ENU. It is not allowed to "
                + "have languages assigned to templates used for system document logging."
        )
        try TemplateSetupRules.check(event: .document(.salesInvoice), template: "S_INV", rows: [])
    }
}
