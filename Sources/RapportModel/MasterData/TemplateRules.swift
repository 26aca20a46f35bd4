import Foundation

/// The rules of an interaction template's own fields (reference §3.1 R2) and of its content
/// fields — default language, Word template, wizard action — which interact with the template's
/// language rows (R3–R5). Confirm dialogs of the reference are explicit flags here.
public enum TemplateRules {
    /// A refusal, phrased as the reference phrases it.
    public enum Problem: Error, Equatable, CustomStringConvertible {
        case groupMissing(template: String)
        case groupNotFound(group: String)
        case negative(field: String, value: Decimal)
        case languageMissing(template: String, language: String)
        case attachmentWithWordTemplate
        case wordTemplateWithImport(wordTemplate: String)
        case wizardActionRefused(action: WizardAction?, template: String)

        public var description: String {
            switch self {
            case .groupMissing(let template):
                return "Interaction Group Code must have a value in Interaction Template: Code=\(template). "
                    + "It cannot be zero or empty."
            case .groupNotFound(let group):
                return "The field Interaction Group Code of table Interaction Template contains a value (\(group)) "
                    + "that cannot be found in the related table (Interaction Group)."
            case .negative(let field, let value):
                return "\(field) must not be negative (\(value))."
            case .languageMissing(let template, let language):
                return "Interaction Tmpl. Language \(language) does not exist for Interaction Template \(template). "
                    + "Do you want to create Interaction Tmpl. Language \(language)? Send create-language=true to "
                    + "create it."
            case .attachmentWithWordTemplate:
                return "You cannot use a Word template when an attachment is specified. Do you want to remove the "
                    + "attachment? Send remove-attachment=true to remove it."
            case .wordTemplateWithImport(let wordTemplate):
                return "Word Template Code = \(wordTemplate) can not be specified for Wizard Action Import"
            case .wizardActionRefused(let action, let template):
                return "Wizard Action = \(action.caption) can not be specified for Interaction Template \(template)."
            }
        }

        /// How the request is put right, added after the reference's sentence on the wire.
        public var fix: String? {
            switch self {
            case .groupMissing: return "Give group=<group>."
            case .groupNotFound: return "Create it with GROUP-ADD, or give another group=."
            case .negative(let field, _):
                return "Give \(field.hasPrefix("Unit Cost") ? "unit-cost" : "unit-duration")= of 0 or more."
            case .languageMissing, .attachmentWithWordTemplate: return nil
            case .wordTemplateWithImport: return "Choose another wizard-action=, or blank it with word-template=."
            case .wizardActionRefused: return "Choose another wizard-action=, or blank it with wizard-action=."
            }
        }

        /// The reference's sentence, then the fix.
        public var withFix: String {
            guard let fix = self.fix else { return self.description }
            return self.description.hasSuffix(".") ? "\(self.description) \(fix)" : "\(self.description); \(fix)"
        }
    }

    /// R2: unit cost and unit duration are ≥ 0.
    public static func checkNotNegative(_ value: Decimal?, field: String) throws(Problem) {
        if let value, value < 0 { throw .negative(field: field, value: value) }
    }

    /// R2: the group is mandatory. Whether it exists is checked by the store (`groupNotFound`).
    public static func checkGroupGiven(_ group: String?, template: String) throws(Problem) {
        guard let group, !group.isEmpty else { throw .groupMissing(template: template) }
    }

    /// Applies a change of the content fields to a template, R3 then R5 then R4, and returns the
    /// resulting fields with the row changes the store must make.
    ///
    /// - Parameters:
    ///   - template: the template as it is (for a new template: as it will be inserted).
    ///   - rows: the template's language rows as they are.
    ///   - change: what the request sets.
    public static func plan(
        _ template: TemplateContent,
        rows: [TemplateLanguageFacts],
        change: TemplateContentChange
    ) throws(Problem) -> TemplateContentPlan {
        var state = template
        var rows = Dictionary(rows.map { (LanguageKey($0.languageCode), $0) }, uniquingKeysWith: { first, _ in first })
        var plan = TemplateContentPlan(result: template)

        // R3: the default language row must exist (or be created); it decides merge and the Word template.
        if let language = change.languageCodeDefault {
            state.languageCodeDefault = language
            var row = rows[LanguageKey(language)]
            if row == nil, let language {
                guard change.createLanguage else {
                    throw .languageMissing(template: template.code, language: language)
                }
                row = TemplateLanguageFacts(languageCode: language)
                rows[LanguageKey(language)] = row
                plan.createDefaultRow = true
            }
            if row?.hasHTMLLayout == true {
                state.wizardAction = .merge
            } else if state.wizardAction == .merge {
                state.wizardAction = nil
            }
            state.wordTemplateCode = row?.wordTemplateCode
        }

        let finalAction = change.wizardAction ?? state.wizardAction
        let defaultKey = LanguageKey(state.languageCodeDefault)

        // R5: a Word template excludes an attachment and the Import action; it is copied to the row.
        if let wordTemplate = change.wordTemplateCode {
            var row = rows[defaultKey]
            if wordTemplate != nil, row?.hasAttachment == true {
                guard change.removeAttachment else { throw .attachmentWithWordTemplate }
                plan.removeDefaultAttachment = true
                row?.hasAttachment = false
            }
            if let wordTemplate, finalAction == .import {
                throw .wordTemplateWithImport(wordTemplate: wordTemplate)
            }
            state.wordTemplateCode = wordTemplate
            if row == nil, wordTemplate != nil {
                row = TemplateLanguageFacts(languageCode: state.languageCodeDefault)
                plan.createDefaultRow = true
            }
            if row != nil {
                row?.wordTemplateCode = wordTemplate
                plan.defaultRowWordTemplate = .some(wordTemplate)
            }
            rows[defaultKey] = row
        }

        // R4: the wizard action must fit the default language row and the Word template.
        if let action = change.wizardAction {
            if let row = rows[defaultKey] {
                let hasWord = state.wordTemplateCode != nil
                let refused =
                    (row.hasHTMLLayout && action != .merge && !hasWord)
                    || (!row.hasHTMLLayout && action == .merge && !hasWord)
                    || (hasWord && action == .import)
                    || (!row.hasAttachment && !hasWord && action == .merge)
                if refused { throw .wizardActionRefused(action: action, template: template.code) }
            }
            state.wizardAction = action
        }

        plan.result = state
        return plan
    }

    /// Dictionary key for a language code where blank (nil) is a key of its own.
    private struct LanguageKey: Hashable {
        var code: String?
        init(_ code: String?) { self.code = code }
    }
}

/// The content fields of an interaction template that R3–R5 govern.
public struct TemplateContent: Sendable, Equatable {
    public var code: String
    public var languageCodeDefault: String?
    public var wizardAction: WizardAction?
    public var wordTemplateCode: String?

    public init(
        code: String,
        languageCodeDefault: String? = nil,
        wizardAction: WizardAction? = nil,
        wordTemplateCode: String? = nil
    ) {
        self.code = code
        self.languageCodeDefault = languageCodeDefault
        self.wizardAction = wizardAction
        self.wordTemplateCode = wordTemplateCode
    }
}

/// What the rules need to know about one language row of a template.
public struct TemplateLanguageFacts: Sendable, Equatable {
    /// nil = the blank ("no language") row.
    public var languageCode: String?
    /// The row has an HTML e-mail layout (custom layout code).
    public var hasHTMLLayout: Bool
    public var hasAttachment: Bool
    public var wordTemplateCode: String?

    public init(
        languageCode: String?,
        hasHTMLLayout: Bool = false,
        hasAttachment: Bool = false,
        wordTemplateCode: String? = nil
    ) {
        self.languageCode = languageCode
        self.hasHTMLLayout = hasHTMLLayout
        self.hasAttachment = hasAttachment
        self.wordTemplateCode = wordTemplateCode
    }
}

/// A request's changes to the content fields: `nil` leaves a field as it is, `.some(nil)` blanks it.
public struct TemplateContentChange: Sendable, Equatable {
    public var languageCodeDefault: String??
    public var wizardAction: WizardAction??
    public var wordTemplateCode: String??
    /// The answer to "Do you want to create Interaction Tmpl. Language …?" (R3a).
    public var createLanguage: Bool
    /// The answer to "… Do you want to remove the attachment?" (R5a).
    public var removeAttachment: Bool

    public init(
        languageCodeDefault: String?? = nil,
        wizardAction: WizardAction?? = nil,
        wordTemplateCode: String?? = nil,
        createLanguage: Bool = false,
        removeAttachment: Bool = false
    ) {
        self.languageCodeDefault = languageCodeDefault
        self.wizardAction = wizardAction
        self.wordTemplateCode = wordTemplateCode
        self.createLanguage = createLanguage
        self.removeAttachment = removeAttachment
    }

    public var isEmpty: Bool {
        self.languageCodeDefault == nil && self.wizardAction == nil && self.wordTemplateCode == nil
    }
}

/// The outcome of ``TemplateRules/plan(_:rows:change:)``: the template's new content fields and
/// the changes to its default-language row, in the order the store applies them.
public struct TemplateContentPlan: Sendable, Equatable {
    public var result: TemplateContent
    /// Insert the default-language row (language `result.languageCodeDefault`) first.
    public var createDefaultRow = false
    /// Detach (and delete, if unreferenced) the default-language row's attachment (R5a).
    public var removeDefaultAttachment = false
    /// Write this Word template code into the default-language row (R5c); nil = leave it.
    public var defaultRowWordTemplate: String?? = nil

    public init(result: TemplateContent) {
        self.result = result
    }
}

extension Optional where Wrapped == WizardAction {
    /// The reference's caption: Open, Import, Merge; blank is empty.
    public var caption: String {
        switch self {
        case .none: return ""
        case .open: return "Open"
        case .import: return "Import"
        case .merge: return "Merge"
        }
    }
}
