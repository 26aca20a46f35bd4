import Foundation
import LibPQ
import RapportModel
import RapportProtocol

/// Whose segments the acting user may manage.
extension ActingUser {
    func mayManage(createdBy: String?, salesperson: String?) -> Bool {
        SegmentAccess.mayManage(
            role: self.role,
            userID: self.userID,
            ownSalesperson: self.salespersonCode,
            createdBy: createdBy,
            segmentSalesperson: salesperson
        )
    }

    func checkAssign(_ salesperson: String?) throws {
        guard SegmentAccess.mayAssign(role: self.role, ownSalesperson: self.salespersonCode, salesperson: salesperson)
        else {
            throw AccessDenied("a salesperson may only assign their own salesperson code")
        }
    }
}

/// A segment header with its computed fields (reference 1.8).
public struct SegmentHeaderRecord: Sendable, Equatable {
    public var no: String
    public var description: String?
    public var campaignNo: String?
    public var salespersonCode: String?
    public var correspondenceTypeDefault: String?
    public var templateCode: String?
    public var unitCost: Decimal
    public var unitDuration: Decimal
    public var date: CalendarDate?
    public var campaignTarget: Bool
    public var informationFlow: String?
    public var initiatedBy: String?
    public var noSeries: String?
    public var campaignResponse: Bool
    public var languageCodeDefault: String?
    public var groupCode: String?
    public var sendWordDocsAsAttmt: Bool
    public var ignoreContactCorresType: Bool
    public var subjectDefault: String?
    public var wordTemplateCode: String?
    public var createdBy: String?
    // computed
    public var noOfLines: Int
    public var cost: Decimal
    public var duration: Decimal
    public var noOfCriteriaActions: Int
    public var attachmentNo: Int64?
    public var campaignDescription: String?
}

/// The locked header as writes see it.
struct LockedSegment: Sendable, Equatable {
    var no: String
    var description: String?
    var campaignNo: String?
    var salespersonCode: String?
    var createdBy: String?
    var noOfCriteriaActions: Int
}

/// A segment line with the contact names (reference 1.9).
public struct SegmentLineRecord: Sendable, Equatable {
    public var lineNo: Int
    public var contactNo: String?
    public var contactName: String?
    public var contactCompanyNo: String?
    public var contactCompanyName: String?
    public var campaignNo: String?
    public var salespersonCode: String?
    public var correspondenceType: String?
    public var templateCode: String?
    public var groupCode: String?
    public var cost: Decimal
    public var duration: Decimal
    public var attachmentNo: Int64?
    /// "Inherited" (the segment's content), "Unique" (the line's own) or nil.
    public var attachmentKind: String?
    public var campaignTarget: Bool
    public var campaignResponse: Bool
    public var informationFlow: String?
    public var initiatedBy: String?
    public var altAddressCode: String?
    public var evaluation: String?
    public var languageCode: String?
    public var description: String?
    public var date: CalendarDate?
    public var time: TimeOfDay?
    public var attemptFailed: Bool
    public var taskNo: String?
    public var opportunityNo: String?
    public var subject: String?
    public var sendWordDocsAsAttmt: Bool
    public var wordTemplateCode: String?
    /// The contact's phone, mobile phone and e-mail (shown, not stored on the line).
    public var contactPhoneNo: String?
    public var contactMobilePhoneNo: String?
    public var contactEmail: String?
}

/// A row of the criteria list with its readable text (reference 3.7 R7).
public struct CriteriaLineRecord: Sendable, Equatable {
    public var line: CriteriaLine
    public var readable: String
}

/// A saved criteria set (reference 1.13).
public struct SavedCriteriaRecord: Sendable, Equatable {
    public var code: String
    public var description: String?
    public var noOfActions: Int
    /// The user who saved it (nil for sets saved before owners were kept).
    public var createdBy: String?
}

/// A logged segment with its computed counts (reference 1.14, 3.10 R1).
public struct LoggedSegmentRecord: Sendable, Equatable {
    public var entryNo: Int64
    public var segmentNo: String
    public var description: String
    public var creationDate: CalendarDate
    public var userID: String
    public var canceled: Bool
    public var noOfInteractions: Int
    public var noOfCampaignEntries: Int
    /// The campaigns of its campaign entries, in code order.
    public var campaigns: [String]
}

/// A campaign entry as the logged segment shows it.
public struct SegmentCampaignEntryRecord: Sendable, Equatable {
    public var entryNo: Int64
    public var campaignNo: String
    public var description: String?
    public var date: CalendarDate
    public var canceled: Bool
    public var noOfInteractions: Int
}

/// What LOG-SEGMENT did (or, in a dry run, would do).
public struct SegmentLogResult: Sendable, Equatable {
    public var segmentNo: String
    public var loggedSegmentEntryNo: Int64?
    public var entries: Int
    public var cost: Decimal
    public var duration: Decimal
    public var campaignEntries: Int
    public var queued: Int
    public var send: Bool
    public var followUpSegmentNo: String?
    /// Dry run: every refusal found (first `maximumReportedErrors`), and how many lines fail.
    public var errors: [String]
    public var failingLines: Int
}

/// An outbox item a delivery worker claimed (reference 3.9 R1: what the sender needs).
public struct DeliveryItem: Sendable, Equatable {
    public var id: Int64
    public var entryNo: Int64
    public var attempts: Int
    public var claimedUntil: String
    public var contactNo: String?
    public var contactName: String?
    public var email: String?
    public var correspondenceType: String?
    public var attachmentNo: Int64?
    public var subject: String?
    public var languageCode: String?
    public var wordTemplateCode: String?
    public var sendWordDocsAsAttmt: Bool
    public var salespersonEmail: String?
    /// The entry's description (the e-mail's subject when it has none).
    public var description: String? = nil
    public var salespersonName: String? = nil
}

/// How many of a logged segment's entries wait, were sent, failed (latest outbox row of each).
public struct DeliveryCounts: Sendable, Equatable {
    public var queued: Int
    public var sent: Int
    public var failed: Int

    public init(queued: Int, sent: Int, failed: Int) {
        self.queued = queued
        self.sent = sent
        self.failed = failed
    }
}
