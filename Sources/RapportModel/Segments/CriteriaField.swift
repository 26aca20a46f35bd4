/// The fields a criteria step can filter on (reference 3.7: the Contact, Interaction Log Entry, Mailing
/// Group and Business Relation sections; the other sections are not modelled).
public enum CriteriaField: String, Sendable, CaseIterable {
    // Contact
    case contactNo
    case searchName
    case contactType
    case contactSalesperson
    case postCode
    case country
    case territory
    // Interaction Log Entry
    case logDate
    case logSegment
    case logCampaign
    case logEvaluation
    case logTemplate
    case logSalesperson
    case logLoggedSegment
    // Mailing Group (of the contact)
    case mailingGroup
    // Business Relation (of the contact's company)
    case businessRelation

    public var table: CriteriaTable {
        switch self {
        case .contactNo, .searchName, .contactType, .contactSalesperson, .postCode, .country, .territory:
            return .contact
        case .mailingGroup: return .mailingGroup
        case .businessRelation: return .businessRelation
        default:
            return .interactionLogEntry
        }
    }

    /// BC's field caption, used in the stored table view and the readable criteria text.
    public var caption: String {
        switch self {
        case .contactNo: return "No."
        case .searchName: return "Search Name"
        case .contactType: return "Type"
        case .contactSalesperson, .logSalesperson: return "Salesperson Code"
        case .postCode: return "Post Code"
        case .country: return "Country/Region Code"
        case .territory: return "Territory Code"
        case .logDate: return "Date"
        case .logSegment: return "Segment No."
        case .logCampaign: return "Campaign No."
        case .logEvaluation: return "Evaluation"
        case .logTemplate: return "Interaction Template Code"
        case .logLoggedSegment: return "Logged Segment Entry No."
        case .mailingGroup: return "Mailing Group Code"
        case .businessRelation: return "Business Relation Code"
        }
    }

    /// The protocol argument that sets this filter.
    public var argument: String {
        switch self {
        case .contactNo: return "contact"
        case .searchName: return "name"
        case .contactType: return "type"
        case .contactSalesperson: return "salesperson"
        case .postCode: return "post-code"
        case .country: return "country"
        case .territory: return "territory"
        case .logDate: return "log-date"
        case .logSegment: return "log-segment"
        case .logCampaign: return "log-campaign"
        case .logEvaluation: return "log-evaluation"
        case .logTemplate: return "log-template"
        case .logSalesperson: return "log-salesperson"
        case .logLoggedSegment: return "log-logged-segment"
        case .mailingGroup: return "mailing-group"
        case .businessRelation: return "business-relation"
        }
    }

    public var kind: FilterExpression.Kind {
        switch self {
        case .contactNo, .contactSalesperson, .postCode, .logSegment, .logCampaign, .logSalesperson:
            return .code(maxLength: 20)
        case .country, .territory, .logTemplate, .mailingGroup, .businessRelation: return .code(maxLength: 10)
        case .searchName: return .searchText(maxLength: 100)
        case .contactType: return .enumeration(ContactType.allCases.map(\.rawValue))
        case .logEvaluation: return .enumeration(Evaluation.allCases.map(\.rawValue))
        case .logDate: return .date
        case .logLoggedSegment: return .integer
        }
    }

    /// Parses a filter for this field.
    public func filter(_ text: String) throws(FilterError) -> FilterExpression {
        try FilterExpression(text, kind: self.kind, field: self.argument)
    }

    static func field(table: CriteriaTable, caption: String) -> CriteriaField? {
        Self.allCases.first { $0.table == table && $0.caption == caption }
    }
}

/// One field with its filter.
public struct FieldFilter: Sendable, Equatable {
    public var field: CriteriaField
    public var expression: FilterExpression

    public init(_ field: CriteriaField, _ expression: FilterExpression) {
        self.field = field
        self.expression = expression
    }
}
