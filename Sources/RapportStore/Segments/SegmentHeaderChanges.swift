import Foundation
import LibPQ
import RapportModel
import RapportProtocol

/// The header fields a SEGMENT-CREATE or SEGMENT-SET gives. For each optional field: nil = unchanged,
/// `.some(nil)` = cleared (blank).
public struct SegmentHeaderChanges: Sendable, Equatable {
    public var description: String??
    public var campaignNo: String??
    public var salespersonCode: String??
    public var correspondenceTypeDefault: CorrespondenceType??
    public var templateCode: String??
    public var unitCost: Decimal?
    public var unitDuration: Decimal?
    public var date: CalendarDate??
    public var campaignTarget: Bool?
    public var informationFlow: InformationFlow??
    public var initiatedBy: InitiatedBy??
    public var campaignResponse: Bool?
    public var languageCodeDefault: String??
    public var sendWordDocsAsAttmt: Bool?
    public var ignoreContactCorresType: Bool?
    public var subjectDefault: String??

    /// "Do you want to update the segment lines …?" (reference 3.6 R2, R5); BC's default answer is yes.
    public var updateLines = true
    /// "Do you want to apply the Interaction Template Code … to all segment lines?" (3.6 R3); default yes.
    public var applyTemplateToLines = true
    /// "Do you want to create Segment Interaction Language …?" (3.6 R4); default no (refused).
    public var createLanguage = false

    public init() {}

    /// The propagating fields this request sets (apart from the template), in declaration order.
    var changedFields: [SegmentHeaderField] {
        var fields: [SegmentHeaderField] = []
        if self.description != nil { fields.append(.description) }
        if self.campaignNo != nil { fields.append(.campaignNo) }
        if self.salespersonCode != nil { fields.append(.salespersonCode) }
        if self.correspondenceTypeDefault != nil { fields.append(.correspondenceTypeDefault) }
        if self.unitCost != nil { fields.append(.unitCost) }
        if self.unitDuration != nil { fields.append(.unitDuration) }
        if self.date != nil { fields.append(.date) }
        if self.campaignTarget != nil { fields.append(.campaignTarget) }
        if self.informationFlow != nil { fields.append(.informationFlow) }
        if self.initiatedBy != nil { fields.append(.initiatedBy) }
        if self.campaignResponse != nil { fields.append(.campaignResponse) }
        if self.sendWordDocsAsAttmt != nil { fields.append(.sendWordDocsAsAttmt) }
        if self.ignoreContactCorresType != nil { fields.append(.ignoreContactCorresType) }
        if self.languageCodeDefault != nil { fields.append(.languageCodeDefault) }
        if self.subjectDefault != nil { fields.append(.subjectDefault) }
        return fields
    }
}

/// The per-line overrides of reference 3.6 R9 (nil = unchanged, `.some(nil)` = blank).
public struct SegmentLineChanges: Sendable, Equatable {
    public var contactNo: String?
    public var correspondenceType: CorrespondenceType??
    public var sendWordDocsAsAttmt: Bool?
    public var altAddressCode: String??
    public var description: String??
    public var salespersonCode: String??
    public var templateCode: String??
    public var languageCode: String??
    public var subject: String??
    public var evaluation: Evaluation??
    public var cost: Decimal?
    public var duration: Decimal?
    public var initiatedBy: InitiatedBy??
    public var informationFlow: InformationFlow??
    public var campaignNo: String??
    public var campaignTarget: Bool?
    public var campaignResponse: Bool?
    public var date: CalendarDate??
    public var time: TimeOfDay??
    public var attemptFailed: Bool?
    public var taskNo: String??
    public var opportunityNo: String??

    public init() {}
}
