import Foundation
import RapportProtocol

/// What a client entered for one interaction (the inputs of the Create Interaction guide). Anything not
/// entered is decided by the defaulting rules of reference 3.2 (or kept, when a postponed entry is resumed).
public struct InteractionInput: Sendable, Equatable {
    public var contactNo: Entered<String> = .notEntered
    public var templateCode: Entered<String> = .notEntered
    public var description: Entered<String> = .notEntered
    public var date: Entered<CalendarDate> = .notEntered
    public var time: Entered<TimeOfDay> = .notEntered
    public var salespersonCode: Entered<String> = .notEntered
    public var correspondenceType: Entered<CorrespondenceType> = .notEntered
    public var languageCode: Entered<String> = .notEntered
    public var informationFlow: Entered<InformationFlow> = .notEntered
    public var initiatedBy: Entered<InitiatedBy> = .notEntered
    public var campaignNo: Entered<String> = .notEntered
    public var campaignTarget: Bool?
    public var campaignResponse: Bool?
    public var opportunityNo: Entered<String> = .notEntered
    public var taskNo: Entered<String> = .notEntered
    public var evaluation: Entered<Evaluation> = .notEntered
    /// "Was Successful" of step 4; the entry stores Attempt Failed = not successful.
    public var successful: Bool?
    /// Cost (LCY).
    public var cost: Decimal?
    /// Minutes.
    public var duration: Decimal?
    public var subject: Entered<String> = .notEntered
    public var contactVia: Entered<String> = .notEntered

    public init() {}
}
