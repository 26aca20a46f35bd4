/// Rules of the Interaction Log Entries actions (reference 3.11, 3.12).
public enum LogEntryRules {
    /// Un-canceling an entry is refused while its logged segment or its campaign entry is canceled
    /// (reference 3.11 R2, BC's TestField wording).
    public static func uncancelRefusal(
        loggedSegmentEntryNo: Int64?,
        loggedSegmentCanceled: Bool,
        campaignEntryNo: Int64?,
        campaignEntryCanceled: Bool
    ) -> InteractionProblem? {
        if let loggedSegmentEntryNo, loggedSegmentCanceled {
            return .init(.invalid, Self.mustBeNo(table: "Logged Segment", entryNo: loggedSegmentEntryNo))
                .withFix("un-cancel the logged segment with LOGGED-SEGMENT-UNCANCEL, which un-cancels its entries")
        }
        if let campaignEntryNo, campaignEntryCanceled {
            return .init(.invalid, Self.mustBeNo(table: "Campaign Entry", entryNo: campaignEntryNo))
                .withFix("un-cancel the campaign entry with CAMPAIGN-ENTRY-UNCANCEL")
        }
        return nil
    }

    static func mustBeNo(table: String, entryNo: Int64) -> String {
        "Canceled must be equal to 'No' in \(table): Entry No.=\(entryNo). Current value is 'Yes'."
    }

    /// Whether `role` with own salesperson `own` may change an entry of `entrySalesperson`: managers any
    /// entry, salespeople only entries of their own salesperson code.
    public static func mayChange(role: UserRole, own: String?, entrySalesperson: String?) -> Bool {
        role >= .manager || (own != nil && own == entrySalesperson)
    }
}

/// Which entries a contact's statistics cover (reference section 4): a company sees its own entries and
/// those of its persons (Contact Company No.), a person only its own (Contact No.).
public enum ContactStatisticsScope: Sendable, Equatable {
    case company(String)
    case person(String)

    public init(_ contact: InteractionContact) {
        self = contact.type == .company ? .company(contact.no) : .person(contact.no)
    }
}

/// A position in the interaction log, ordered by date then entry number, both descending: the last entry
/// of a page, from which the next page continues (keyset pagination). Written `YYYY-MM-DD/N`.
public struct LogCursor: Sendable, Equatable, CustomStringConvertible {
    public var date: String
    public var entryNo: Int64

    public init(date: String, entryNo: Int64) {
        self.date = date
        self.entryNo = entryNo
    }

    /// Parses `YYYY-MM-DD/N`; nil when malformed.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let entryNo = Int64(parts[1]), entryNo > 0 else { return nil }
        let date = parts[0].split(separator: "-", omittingEmptySubsequences: false)
        guard date.count == 3, date[0].count == 4, date[1].count == 2, date[2].count == 2,
            date.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
            let month = Int(date[1]), (1...12).contains(month), let day = Int(date[2]), (1...31).contains(day)
        else { return nil }
        self.date = String(parts[0])
        self.entryNo = entryNo
    }

    public var description: String { "\(self.date)/\(self.entryNo)" }
}
