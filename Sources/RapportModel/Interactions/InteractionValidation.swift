/// A refusal of an interaction, worded as the reference words it.
public struct InteractionProblem: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// A rule refused the values.
        case invalid
        /// Something named does not exist.
        case notFound
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { self.message }

    /// The same refusal with how to resolve it after the reference's sentence: `<sentence>: <fix>`.
    public func withFix(_ fix: String) -> InteractionProblem {
        InteractionProblem(self.kind, InteractionValidation.fixed(self.message, fix))
    }
}

/// The checks run before an interaction is logged or postponed, in the reference's order.
public enum InteractionValidation {
    public static let noContact = "You must select a contact to interact with."
    public static let noAttachment =
        "No attachment found. You must either add an attachment or choose a template in the Word Template Code field on the Interaction Template page."
    public static let emailNeedsContent =
        "The correspondence type for this interaction is Email, which requires an interaction template with an attachment or Word template. To continue, you can either change the correspondence type for the contact, select an interaction template that has a different correspondence type, or select a template that ignores the contact correspondence type."

    /// `sentence` (its final full stop dropped), then `: ` and what resolves it.
    public static func fixed(_ sentence: String, _ fix: String) -> String {
        (sentence.hasSuffix(".") ? String(sentence.dropLast()) : sentence) + ": " + fix
    }

    /// How the guide's refusals are resolved (the protocol's arguments and setup commands).
    public enum Fix {
        public static let contact = "send contact=<contact>"
        public static let template = "send template=<template> (TEMPLATE-LIST shows them)"
        public static let salesperson =
            "send salesperson=<code>, or link your user to a salesperson: rapportd user add <user> --salesperson CODE"
        public static let date = "send date=YYYY-MM-DD, or leave date out for today"
        public static let description = "send description=<text>, or give the template a description with TEMPLATE-SET"
        public static let content =
            "send the content as the request's literal {N} with attachment-name=, upload one for the template with "
            + "ATTACHMENT-UPLOAD, or give the template a Word template with TEMPLATE-SET"
        public static let emailContent =
            "send correspondence-type=hard_copy (or correspondence-type= for none), send the content as the "
            + "request's literal {N}, or upload an attachment for the template with ATTACHMENT-UPLOAD"
    }

    /// "You must fill in the <field> field."
    /// Reference 3.11 R5: nothing is made for a contact blocked due to privacy (entries, tasks,
    /// opportunities, segment logging).
    public static func privacyBlocked(_ contactNo: String) -> String {
        "You cannot use contact \(contactNo) because they are marked as blocked due to privacy."
    }

    public static func mustFillIn(_ field: String) -> String {
        "You must fill in the \(field) field."
    }

    /// The guide's CheckStatus (reference 3.3 R6.1), also run when postponing (3.3 R7): contact, template,
    /// salesperson, date, description; then the template's wizard action Open needs content or a Word
    /// template; then correspondence type Email needs content or a Word template. Each message is the
    /// reference's sentence, then how to resolve it (``Fix``).
    ///
    /// - Parameters:
    ///   - wizardAction: the template's Wizard Action.
    ///   - hasContent: an attachment was uploaded or comes from the template's language row.
    public static func checkGuide(
        _ draft: InteractionDraft,
        wizardAction: WizardAction?,
        hasContent: Bool
    ) -> InteractionProblem? {
        func refusal(_ sentence: String, _ fix: String) -> InteractionProblem {
            .init(.invalid, Self.fixed(sentence, fix))
        }
        if draft.contactNo == nil { return refusal(Self.noContact, Fix.contact) }
        if draft.templateCode == nil { return refusal(Self.mustFillIn("Interaction Template Code"), Fix.template) }
        if draft.salespersonCode == nil { return refusal(Self.mustFillIn("Salesperson Code"), Fix.salesperson) }
        if draft.date == nil { return refusal(Self.mustFillIn("Date"), Fix.date) }
        if draft.description?.isEmpty ?? true { return refusal(Self.mustFillIn("Description"), Fix.description) }
        let hasWordTemplate = draft.wordTemplateCode != nil
        if wizardAction == .open, !hasContent, !hasWordTemplate { return refusal(Self.noAttachment, Fix.content) }
        if draft.correspondenceType == .email, !hasContent, !hasWordTemplate {
            return refusal(Self.emailNeedsContent, Fix.emailContent)
        }
        return nil
    }

    /// The value part of CheckSegmentLine (reference 3.5 R1): date, contact, salesperson (not for document
    /// interactions), template. BC's TestField wording names the line; a guide or document line has no
    /// segment and line number 0. Existence is checked against the database with ``doesNotExist(_:_:_:)``.
    public static func checkLine(_ draft: InteractionDraft, segmentNo: String? = nil, lineNo: Int = 0)
        -> InteractionProblem?
    {
        func missing(_ field: String) -> InteractionProblem {
            .init(
                .invalid,
                "\(field) must have a value in Segment Line: Segment No.=\(segmentNo ?? ""), Line No.=\(lineNo)."
            )
        }
        if draft.date == nil { return missing("Date") }
        if draft.contactNo == nil { return missing("Contact No.") }
        if draft.documentType == nil, draft.salespersonCode == nil { return missing("Salesperson Code") }
        if draft.templateCode == nil { return missing("Interaction Template Code") }
        return nil
    }

    /// BC's wording for a missing related record: `The Contact does not exist. Identification fields and
    /// values: No.='X'`.
    public static func doesNotExist(_ table: String, _ field: String, _ value: String) -> InteractionProblem {
        .init(.notFound, "The \(table) does not exist. Identification fields and values: \(field)='\(value)'")
    }

    /// Logging an e-mail for delivery while the server's delivery worker has no mail relay (issue 15; BC
    /// has no such message: its e-mail setup is checked when sending).
    public static let noEmailRelay =
        "No SMTP relay is configured for e-mail delivery: start rapportd with --smtp-host (RAPPORT_SMTP_HOST), or log with deliver=false"

    /// The e-mail part of CheckSegmentLine (reference 3.5 R1): an Email interaction to a contact without an
    /// e-mail is silently downgraded to blank, unless the active alternative address has an e-mail (then it
    /// stays Email); sending it (`deliver`) with no e-mail anywhere is refused.
    ///
    /// - Returns: the correspondence type to log.
    public static func emailCorrespondence(
        _ type: CorrespondenceType?,
        contactNo: String,
        contactEmail: String?,
        altAddressEmail: String?,
        deliver: Bool
    ) throws(InteractionProblem) -> CorrespondenceType? {
        guard type == .email else { return type }
        let contactHasEmail = !(contactEmail?.isEmpty ?? true)
        if !(altAddressEmail?.isEmpty ?? true) { return .email }
        if !contactHasEmail {
            if deliver {
                throw InteractionProblem(
                    .invalid,
                    "Make sure that the Email field is specified for either contact no. \(contactNo) or the contact alternative address."
                )
                .withFix("give the contact an e-mail with CONTACT-SET, or send deliver=false to log without sending")
            }
            return nil
        }
        return .email
    }
}
