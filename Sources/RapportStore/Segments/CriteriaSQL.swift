import LibPQ
import RapportModel

/// Renders criteria filters (reference 3.7) as SQL conditions on a contact row, binding every value.
enum CriteriaSQL {
    /// The condition "contact `alias` qualifies": it passes the Contact filters AND, when there are
    /// interaction log entry filters, at least one of its (non-postponed) entries matches them.
    static func contactQualifies(_ filters: [FieldFilter], alias: String, into query: inout PGQuery) -> String {
        var parts: [String] = []
        for filter in filters where filter.field.table == .contact {
            parts.append(Self.condition(filter, column: Self.contactColumn(filter.field, alias: alias), into: &query))
        }
        let logFilters = filters.filter { $0.field.table == .interactionLogEntry }
        if !logFilters.isEmpty {
            let conditions = logFilters.map { filter in
                Self.condition(filter, column: Self.logColumn(filter.field), into: &query)
            }
            parts.append(
                "EXISTS (SELECT 1 FROM interaction_log_entries e WHERE e.contact_no = \(alias).no AND NOT e.postponed AND "
                    + conditions.joined(separator: " AND ") + ")"
            )
        }
        let groupFilters = filters.filter { $0.field.table == .mailingGroup }
        if !groupFilters.isEmpty {
            let conditions = groupFilters.map {
                Self.condition($0, column: Column("m.mailing_group_code"), into: &query)
            }
            parts.append(
                "EXISTS (SELECT 1 FROM contact_mailing_groups m WHERE m.contact_no = \(alias).no AND "
                    + conditions.joined(separator: " AND ") + ")"
            )
        }
        let relationFilters = filters.filter { $0.field.table == .businessRelation }
        if !relationFilters.isEmpty {
            let conditions = relationFilters.map {
                Self.condition($0, column: Column("r.business_relation_code"), into: &query)
            }
            parts.append(
                "EXISTS (SELECT 1 FROM contact_business_relations r WHERE r.contact_no = \(Self.companyKey(alias)) AND "
                    + conditions.joined(separator: " AND ") + ")"
            )
        }
        return parts.isEmpty ? "true" : "(" + parts.joined(separator: " AND ") + ")"
    }

    /// The company key of contact `alias`: its company, itself for a company or a person without one.
    static func companyKey(_ alias: String) -> String {
        "coalesce(CASE WHEN \(alias).type = 'company' THEN \(alias).no ELSE \(alias).company_no END, \(alias).no)"
    }

    private static func contactColumn(_ field: CriteriaField, alias: String) -> Column {
        switch field {
        case .contactNo: return Column("\(alias).no")
        case .searchName: return Column("\(alias).search_name")
        case .contactType: return Column("\(alias).type::text")
        case .contactSalesperson: return Column("\(alias).salesperson_code")
        case .postCode: return Column("\(alias).post_code")
        case .country: return Column("\(alias).country_code")
        case .territory: return Column("\(alias).territory_code")
        default: preconditionFailure("\(field) is not a contact field")
        }
    }

    private static func logColumn(_ field: CriteriaField) -> Column {
        switch field {
        case .logDate: return Column("e.date", cast: "::date")
        case .logSegment: return Column("e.segment_no")
        case .logCampaign: return Column("e.campaign_no")
        case .logEvaluation: return Column("e.evaluation::text")
        case .logTemplate: return Column("e.interaction_template_code")
        case .logSalesperson: return Column("e.salesperson_code")
        case .logLoggedSegment: return Column("e.logged_segment_entry_no", cast: "::bigint")
        default: preconditionFailure("\(field) is not an interaction log entry field")
        }
    }

    /// A column expression and the cast its parameters need.
    private struct Column {
        var sql: String
        var cast: String
        init(_ sql: String, cast: String = "") {
            self.sql = sql
            self.cast = cast
        }
    }

    /// One filter: its alternatives OR-ed.
    private static func condition(_ filter: FieldFilter, column: Column, into query: inout PGQuery) -> String {
        let alternatives = filter.expression.terms.map { term -> String in
            switch term {
            case .equal(let value):
                return "\(column.sql) = \(query.bind(value))\(column.cast)"
            case .notEqual(let value):
                return "\(column.sql) IS DISTINCT FROM \(query.bind(value))\(column.cast)"
            case .range(let from, let to):
                var bounds: [String] = []
                if let from { bounds.append("\(column.sql) >= \(query.bind(from))\(column.cast)") }
                if let to { bounds.append("\(column.sql) <= \(query.bind(to))\(column.cast)") }
                return "(" + bounds.joined(separator: " AND ") + ")"
            case .pattern(let pattern):
                return "\(column.sql) LIKE \(query.bind(Self.likePattern(pattern)))"
            }
        }
        return "(" + alternatives.joined(separator: " OR ") + ")"
    }

    /// `*` becomes `%`; LIKE's own wildcards and the escape character are escaped.
    static func likePattern(_ pattern: String) -> String {
        var out = ""
        for character in pattern {
            switch character {
            case "*": out.append("%")
            case "%", "_", "\\": out.append("\\"); out.append(character)
            default: out.append(character)
            }
        }
        return out
    }
}
