import LibPQ
import RapportModel

/// Reading and writing criteria lines; `segment_criteria_lines` and `saved_segment_criteria_lines` share
/// their layout (reference 1.11, 1.13). Table and key names are chosen by code, never by the user.
enum CriteriaLineRows {
    /// Lines in line order; a keyset page after `afterLine` of at most `limit` when given.
    static func read(
        _ connection: PGConnection,
        table: String,
        key: String,
        owner: String,
        afterLine: Int64? = nil,
        limit: Int? = nil
    ) throws -> [CriteriaLine] {
        try connection.query(
            """
            SELECT line_no, type::text, action::text, allow_existing_contacts, expand_contact,
                   allow_company_with_persons, ignore_exclusion, entire_companies, no_of_filters,
                   table_name::text, table_view
            FROM \(unescaped: table)
            WHERE \(unescaped: key) = \(owner) AND (\(afterLine)::bigint IS NULL OR line_no > \(afterLine))
            ORDER BY line_no LIMIT \(limit)
            """
        ).map { row in
            let lineNo = try row.decode(Int.self, at: 0)
            if try row.decode(String.self, at: 1) == "action" {
                let options = CriteriaOptions(
                    allowExisting: try row.decode(Bool.self, at: 3),
                    expandCompanies: try row.decode(Bool.self, at: 4),
                    allowRelatedCompanies: try row.decode(Bool.self, at: 5),
                    ignoreExclusion: try row.decode(Bool.self, at: 6),
                    entireCompanies: try row.decode(Bool.self, at: 7)
                )
                let action = CriteriaAction(rawValue: try row.decode(String.self, at: 2)) ?? .add
                return CriteriaLine(
                    lineNo: lineNo,
                    kind: .action(action, options, noOfFilters: try row.decode(Int.self, at: 8))
                )
            }
            let table = CriteriaTable(rawValue: try row.decode(String.self, at: 9)) ?? .contact
            return CriteriaLine(lineNo: lineNo, kind: .filter(table, view: try row.decode(String?.self, at: 10) ?? ""))
        }
    }

    static func insert(_ connection: PGConnection, table: String, key: String, owner: String, _ lines: [CriteriaLine])
        throws
    {
        for line in lines {
            switch line.kind {
            case .action(let action, let options, let filters):
                try connection.execute(
                    """
                    INSERT INTO \(unescaped: table) (\(unescaped: key), line_no, type, action, allow_existing_contacts,
                        expand_contact, allow_company_with_persons, ignore_exclusion, entire_companies, no_of_filters)
                    VALUES (\(owner), \(line.lineNo), 'action', \(action.rawValue), \(options.allowExisting),
                        \(options.expandCompanies), \(options.allowRelatedCompanies), \(options.ignoreExclusion),
                        \(options.entireCompanies), \(filters))
                    """
                )
            case .filter(let criteriaTable, let view):
                try connection.execute(
                    """
                    INSERT INTO \(unescaped: table) (\(unescaped: key), line_no, type, table_name, table_view)
                    VALUES (\(owner), \(line.lineNo), 'filter', \(criteriaTable.rawValue), \(view))
                    """
                )
            }
        }
    }
}
