/// The enumerations of the reference (§2). Raw values are the keys stored in PostgreSQL (the
/// `enum_*` domains) and used on the wire; blank (BC's ordinal 0) is nil / SQL NULL.

/// Outbound = information received by the contact; inbound = received by the company.
public enum InformationFlow: String, Sendable, CaseIterable {
    case outbound, inbound
}

public enum InitiatedBy: String, Sendable, CaseIterable {
    case us, them
}

/// The delivery channel (Fax is obsolete in the reference and left out).
public enum CorrespondenceType: String, Sendable, CaseIterable {
    case hardCopy = "hard_copy"
    case email
}

public enum Evaluation: String, Sendable, CaseIterable {
    case veryPositive = "very_positive"
    case positive
    case neutral
    case negative
    case veryNegative = "very_negative"
}

public enum DeliveryStatus: String, Sendable, CaseIterable {
    case inProgress = "in_progress"
    case error
}

public enum WizardAction: String, Sendable, CaseIterable {
    case open, `import`, merge
}

public enum ContactType: String, Sendable, CaseIterable {
    case company, person
}

/// Document types of automatically logged entries (§2, enum 5099).
public enum DocumentType: String, Sendable, CaseIterable {
    case salesQuote = "sales_quote"
    case salesBlanketOrder = "sales_blanket_order"
    case salesOrderConfirmation = "sales_order_confirmation"
    case salesInvoice = "sales_invoice"
    case salesShipmentNote = "sales_shipment_note"
    case salesCreditMemo = "sales_credit_memo"
    case salesStatement = "sales_statement"
    case salesReminder = "sales_reminder"
    case serviceOrderCreate = "service_order_create"
    case serviceOrderPost = "service_order_post"
    case purchaseQuote = "purchase_quote"
    case purchaseBlanketOrder = "purchase_blanket_order"
    case purchaseOrder = "purchase_order"
    case purchaseInvoice = "purchase_invoice"
    case purchaseReceipt = "purchase_receipt"
    case purchaseCreditMemo = "purchase_credit_memo"
    case coverSheet = "cover_sheet"
    case salesReturnOrder = "sales_return_order"
    case salesFinanceChargeMemo = "sales_finance_charge_memo"
    case salesReturnReceipt = "sales_return_receipt"
    case purchaseReturnShipment = "purchase_return_shipment"
    case purchaseReturnOrderConfirmation = "purchase_return_order_confirmation"
    case serviceContract = "service_contract"
    case serviceContractQuote = "service_contract_quote"
    case serviceQuote = "service_quote"
    case salesDraftInvoice = "sales_draft_invoice"
}

/// The events of the Interaction Template Setup (§1.5): every document type, plus e-mails,
/// e-mail drafts, outgoing calls and meeting invitations.
public enum TemplateSetupEvent: Hashable, Sendable {
    case document(DocumentType)
    case email
    case emailDraft
    case outgoingCall
    case meetingInvitation

    public init?(rawValue: String) {
        switch rawValue {
        case "email": self = .email
        case "email_draft": self = .emailDraft
        case "outgoing_call": self = .outgoingCall
        case "meeting_invitation": self = .meetingInvitation
        default:
            guard let type = DocumentType(rawValue: rawValue) else { return nil }
            self = .document(type)
        }
    }

    public var rawValue: String {
        switch self {
        case .document(let type): return type.rawValue
        case .email: return "email"
        case .emailDraft: return "email_draft"
        case .outgoingCall: return "outgoing_call"
        case .meetingInvitation: return "meeting_invitation"
        }
    }

    public static var allCases: [TemplateSetupEvent] {
        DocumentType.allCases.map { .document($0) } + [.email, .emailDraft, .outgoingCall, .meetingInvitation]
    }

    /// Only the meeting invitation template may carry an attachment (reference 3.1 R7).
    public var allowsAttachment: Bool { self == .meetingInvitation }
}
