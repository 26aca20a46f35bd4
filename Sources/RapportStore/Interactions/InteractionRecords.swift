import Foundation
import RapportModel
import RapportProtocol

/// Whose interactions the acting user may change.
extension ActingUser {
    /// Managers act for anyone; a salesperson only for their own salesperson code.
    func mayActFor(_ salesperson: String?) -> Bool {
        LogEntryRules.mayChange(role: self.role, own: self.salespersonCode, entrySalesperson: salesperson)
    }
}

/// A file sent with an interaction.
public struct InteractionAttachment: Sendable, Equatable {
    public var content: [UInt8]
    public var fileName: String?
    public var contentType: String?

    public init(content: [UInt8], fileName: String? = nil, contentType: String? = nil) {
        self.content = content
        self.fileName = fileName
        self.contentType = contentType
    }

    /// The file name's extension without the dot (`docx`), nil when it has none.
    var fileExtension: String? {
        guard let name = self.fileName, let dot = name.lastIndex(of: "."), name.index(after: dot) < name.endIndex
        else { return nil }
        return String(name[name.index(after: dot)...]).lowercased()
    }
}

/// An INTERACTION-CREATE or POSTPONED-RESUME request.
public struct InteractionRequest: Sendable, Equatable {
    public var input: InteractionInput
    /// Uploaded content; replaces a resumed entry's attachment.
    public var attachment: InteractionAttachment?
    /// Resume: drop the entry's attachment (without uploading another).
    public var removeAttachment = false
    /// Save for later (reference 3.3 R7) instead of logging.
    public var postpone = false
    /// Queue the entry for sending when its correspondence type is not blank.
    public var deliver = false
    /// The server has no SMTP relay for its delivery worker: an e-mail with `deliver` is refused (issue 15).
    public var emailRelayMissing = false
    /// Comment lines; nil keeps a resumed entry's comments (a new entry has none).
    public var comments: [String]?

    public init(input: InteractionInput) {
        self.input = input
    }
}

/// What logging, postponing or resuming produced: the entry as it was written (as LOG-SHOW will show
/// it), built without reading it back.
public struct LoggedInteraction: Sendable, Equatable {
    public var entry: InteractionLogEntry

    public var entryNo: Int64 { self.entry.entryNo }
    public var postponed: Bool { self.entry.postponed }
}

/// One interaction log entry with its computed fields (contact names, comment flag).
public struct InteractionLogEntry: Sendable, Equatable {
    public var entryNo: Int64
    public var draft: InteractionDraft
    public var contactCompanyNo: String?
    public var contactName: String?
    public var contactCompanyName: String?
    public var attachmentNo: Int64?
    public var userID: String
    public var campaignEntryNo: Int64?
    public var segmentNo: String?
    public var loggedSegmentEntryNo: Int64?
    public var deliveryStatus: DeliveryStatus?
    public var canceled: Bool
    public var postponed: Bool
    public var contactAltAddressCode: String?
    public var emailLogged: Bool
    public var merged: Bool
    public var hasComments: Bool
    /// The display title: template description, "- by" the salesperson (outbound) or "- from" the
    /// contact (inbound); nil when it would be empty.
    public var title: String?
}

/// One comment line of an entry.
public struct InteractionLogComment: Sendable, Equatable {
    public var lineNo: Int
    public var date: CalendarDate?
    public var code: String?
    public var comment: String?
    public var lastDateModified: CalendarDate?
}

/// The filters of the interaction log list (reference 3.11 R1). nil = no filter.
public struct InteractionLogFilter: Sendable, Equatable {
    public var contactNo: String?
    public var companyNo: String?
    public var salespersonCode: String?
    public var templateCode: String?
    public var groupCode: String?
    public var campaignNo: String?
    public var segmentNo: String?
    public var loggedSegmentEntryNo: Int64?
    public var from: CalendarDate?
    public var to: CalendarDate?
    public var canceled: Bool?
    public var evaluation: Evaluation?
    public var documentType: DocumentType?
    public var documentNo: String?
    public var opportunityNo: String?
    public var taskNo: String?

    public init() {}
}

/// One page of the log and where the next one starts (nil on the last page).
public struct InteractionLogPage: Sendable, Equatable {
    public var entries: [InteractionLogEntry]
    public var next: LogCursor?
}

/// The filters of Delete Canceled Interaction Log Entries (reference 3.12 R1); only canceled entries are
/// ever deleted.
public struct DeleteCanceledFilter: Sendable, Equatable {
    public var entryNos: [Int64]?
    public var contactNo: String?
    public var from: CalendarDate?
    public var to: CalendarDate?
    public var campaignNo: String?
    public var groupCode: String?
    public var templateCode: String?
    public var salespersonCode: String?

    public init() {}
}

/// What statistics are asked for (reference section 4).
public enum StatisticsSubject: Sendable, Equatable {
    case contact(String)
    case salesperson(String)
    case template(String)
    case group(String)
}

/// Count, cost and duration of the non-canceled, non-postponed entries; for contacts also the dates of the
/// last interaction and the last attempt.
public struct InteractionStatistics: Sendable, Equatable {
    public var count: Int
    public var cost: Decimal
    public var duration: Decimal
    public var lastInteraction: CalendarDate?
    public var lastAttempted: CalendarDate?
}

/// A DOCUMENT-LOG request: the document and whose it is.
public struct DocumentLogRequest: Sendable, Equatable {
    /// The account a document belongs to (reference 3.15: account table and number).
    public enum Account: Sendable, Equatable {
        case contact(String)
        case customer(String)
        case vendor(String)
    }

    public var document: DocumentLogFacts
    public var account: Account
    /// The order a posted sales invoice was made from: a campaign's invoice entry is logged once per order
    /// (reference 3.13 R2).
    public var orderNo: String?

    public init(document: DocumentLogFacts, account: Account, orderNo: String? = nil) {
        self.document = document
        self.account = account
        self.orderNo = orderNo
    }
}

/// What document logging did.
public enum DocumentLogOutcome: Sendable, Equatable {
    case logged(LoggedInteraction)
    /// Nothing logged, and no error (reference 3.15 R1, R4); the reason says why.
    case skipped(String)
}

extension InteractionProblem {
    /// The same refusal as the data layer reports it.
    var storeError: StoreError {
        switch self.kind {
        case .invalid: return .invalid(self.message)
        case .notFound: return .notFound(self.message)
        }
    }
}
