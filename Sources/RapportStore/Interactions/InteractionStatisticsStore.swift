import Foundation
import LibPQ
import RapportModel
import RapportProtocol

/// Statistics over the interaction log (reference section 4), computed on read. Counts, costs and durations
/// exclude canceled and postponed entries and respect the date range; the queries spell the predicate
/// `NOT canceled AND NOT postponed` exactly as the partial indexes of 0005 do, so those indexes serve them.
public enum InteractionStatisticsStore {
    public static func statistics(
        _ connection: PGConnection,
        _ subject: StatisticsSubject,
        from: CalendarDate?,
        to: CalendarDate?
    ) throws -> InteractionStatistics {
        let (column, key) = try self.selection(connection, subject)
        var query = PGQuery(sql: "")
        let keyPlaceholder = query.bind(key)
        var range = ""
        if let from { range += " AND date >= \(query.bind(from.pgValue))::date" }
        if let to { range += " AND date <= \(query.bind(to.pgValue))::date" }
        query.sql = """
            SELECT count(*), coalesce(sum(cost), 0)::numeric(18,2),
                   coalesce(sum(duration), 0)::numeric(18,2)
            FROM interaction_log_entries
            WHERE \(column) = \(keyPlaceholder) AND NOT canceled AND NOT postponed\(range)
            """
        let row = try connection.query(query)[0]
        var statistics = InteractionStatistics(
            count: try row.decode(Int.self, at: 0),
            cost: try row.decode(Decimal.self, at: 1),
            duration: try row.decode(Decimal.self, at: 2),
            lastInteraction: nil,
            lastAttempted: nil
        )
        if case .contact = subject {
            // Last dates ignore the date range, as BC's FlowFields do: canceled entries count, failed attempts
            // do not count as interactions, attempts are the ones we initiated.
            statistics.lastInteraction = try self.latestDate(
                connection,
                column: column,
                key: key,
                condition: "NOT attempt_failed AND NOT postponed"
            )
            statistics.lastAttempted = try self.latestDate(
                connection,
                column: column,
                key: key,
                condition: "initiated_by = 'us' AND NOT postponed"
            )
        }
        return statistics
    }

    /// The column and value that select the subject's entries; an unknown subject is refused.
    private static func selection(_ connection: PGConnection, _ subject: StatisticsSubject) throws
        -> (column: String, key: String)
    {
        switch subject {
        case .contact(let no):
            guard let contact = try InteractionLookups.contact(connection, no) else {
                throw InteractionValidation.doesNotExist("Contact", "No.", no).storeError
            }
            switch ContactStatisticsScope(contact) {
            case .company(let company): return ("contact_company_no", company)
            case .person(let person): return ("contact_no", person)
            }
        case .salesperson(let code):
            guard try InteractionLookups.salespersonBlocked(connection, code) != nil else {
                throw InteractionValidation.doesNotExist("Salesperson/Purchaser", "Code", code).storeError
            }
            return ("salesperson_code", code)
        case .template(let code):
            guard try !connection.query("SELECT 1 FROM interaction_templates WHERE code = \(code)").isEmpty else {
                throw InteractionValidation.doesNotExist("Interaction Template", "Code", code).storeError
            }
            return ("interaction_template_code", code)
        case .group(let code):
            guard try !connection.query("SELECT 1 FROM interaction_groups WHERE code = \(code)").isEmpty else {
                throw InteractionValidation.doesNotExist("Interaction Group", "Code", code).storeError
            }
            return ("interaction_group_code", code)
        }
    }

    /// The newest date of the subject's entries meeting `condition`: walks the (…, date DESC) index and
    /// stops at the first match.
    private static func latestDate(_ connection: PGConnection, column: String, key: String, condition: String) throws
        -> CalendarDate?
    {
        try connection.query(
            """
            SELECT date FROM interaction_log_entries
            WHERE \(unescaped: column) = \(key) AND \(unescaped: condition)
            ORDER BY date DESC LIMIT 1
            """
        ).first.map { CalendarDate(try $0.decode(PGDate.self, at: 0)) }
    }
}
