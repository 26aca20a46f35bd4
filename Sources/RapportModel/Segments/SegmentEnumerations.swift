/// The enumerations of segment criteria and history (reference §2). Raw values are the keys of the
/// `enum_criteria_*` / `enum_history_action` domains.

/// What a criteria step did (Segment Criteria Line Action, enum 5097).
public enum CriteriaAction: String, Sendable, CaseIterable {
    case add
    case reduce
    case refine

    /// The caption BC shows in the criteria list.
    public var caption: String {
        switch self {
        case .add: return "Add Contacts"
        case .reduce: return "Remove Contacts (Reduce)"
        case .refine: return "Remove Contacts (Refine)"
        }
    }
}

/// The table a criteria filter applies to (only these four are modelled, docs/SCHEMA.md).
public enum CriteriaTable: String, Sendable, CaseIterable {
    case contact
    case interactionLogEntry = "interaction_log_entry"
    case mailingGroup = "mailing_group"
    case businessRelation = "business_relation"

    public var caption: String {
        switch self {
        case .contact: return "Contact"
        case .interactionLogEntry: return "Interaction Log Entry"
        case .mailingGroup: return "Mailing Group"
        case .businessRelation: return "Business Relation"
        }
    }
}

/// What happened to a segment line in a criteria step (Segment History Action Taken).
public enum HistoryAction: String, Sendable, CaseIterable {
    case insertion
    case deletion
}
