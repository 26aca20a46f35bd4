extension DocumentType {
    /// The caption of the Interaction Template Setup field for this document type (reference 1.5, table
    /// field names): the description of campaign entries created by document logging (reference 3.12 R6).
    public var setupCaption: String {
        switch self {
        case .salesQuote: return "Sales Quotes"
        case .salesBlanketOrder: return "Sales Blnkt. Ord"
        case .salesOrderConfirmation: return "Sales Ord. Cnfrmn."
        case .salesInvoice: return "Sales Invoices"
        case .salesShipmentNote: return "Sales Shpt. Note"
        case .salesCreditMemo: return "Sales Cr. Memo"
        case .salesStatement: return "Sales Statement"
        case .salesReminder: return "Sales Rmdr."
        case .serviceOrderCreate: return "Serv Ord Create"
        case .serviceOrderPost: return "Serv Ord Post"
        case .purchaseQuote: return "Purch. Quotes"
        case .purchaseBlanketOrder: return "Purch Blnkt Ord"
        case .purchaseOrder: return "Purch. Orders"
        case .purchaseInvoice: return "Purch Invoices"
        case .purchaseReceipt: return "Purch. Rcpt."
        case .purchaseCreditMemo: return "Purch Cr Memos"
        case .coverSheet: return "Cover Sheets"
        case .salesReturnOrder: return "Sales Return Order"
        case .salesFinanceChargeMemo: return "Sales Finance Charge Memo"
        case .salesReturnReceipt: return "Sales Return Receipt"
        case .purchaseReturnShipment: return "Purch. Return Shipment"
        case .purchaseReturnOrderConfirmation: return "Purch. Return Ord. Cnfrmn."
        case .serviceContract: return "Service Contract"
        case .serviceContractQuote: return "Service Contract Quote"
        case .serviceQuote: return "Service Quote"
        case .salesDraftInvoice: return "Sales Draft Invoices"
        }
    }
}

/// Description of the campaign entry shared by all manual (guide) interactions of a campaign.
public enum CampaignEntryDescription {
    public static let manualInteractions = "Interactions"

    /// "Interactions" for manual interactions, the setup caption for documents (reference 3.12 R6).
    public static func forInteraction(documentType: DocumentType?) -> String {
        documentType?.setupCaption ?? Self.manualInteractions
    }
}
