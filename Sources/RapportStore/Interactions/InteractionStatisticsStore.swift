import Foundation
import LibPQ
import RapportModel
import RapportProtocol

/// Statistics over the interaction log (reference section 4), read from the running totals that the
/// ledger's triggers keep in the same transactions as the entries (sql/0016): one statement, a handful
/// of rows whatever the size of the log. Counts, costs and durations exclude canceled and postponed
/// entries and respect the date range (whole months from the month rows, the ends from the day rows).
public enum InteractionStatisticsStore {
    public static func statistics(
        _ connection: PGConnection,
        _ subject: StatisticsSubject,
        from: CalendarDate?,
        to: CalendarDate?
    ) throws -> InteractionStatistics {
        let source = Source(subject)
        let periods = StatisticsPeriods(from: from, to: to, monthly: source.monthKind != nil)
        var query = PGQuery(sql: "")
        let key = query.bind(source.key)
        let first = query.bind(periods.first.sqlText)
        let last = query.bind(periods.last.sqlText)
        let monthsFrom = query.bind(periods.monthsFrom.sqlText)
        let monthsUntil = query.bind(periods.monthsUntil.sqlText)
        let months =
            source.monthKind.map {
                "(t.kind = '\($0)' AND t.day >= \(monthsFrom)::date AND t.day < \(monthsUntil)::date) OR "
            } ?? ""
        // Last dates ignore the date range, as BC's FlowFields do: the newest day whose entries include one
        // that was not a failed attempt (canceled ones count), or one initiated by us.
        let lastDates =
            source.hasLastDates
            ? """
            (SELECT t.day FROM interaction_totals_all t WHERE t.kind = k.kind AND t.key = p.\(source.keyColumn)
             GROUP BY t.day HAVING sum(t.reached) > 0 ORDER BY t.day DESC LIMIT 1),
            (SELECT t.day FROM interaction_totals_all t WHERE t.kind = k.kind AND t.key = p.\(source.keyColumn)
             GROUP BY t.day HAVING sum(t.attempted) > 0 ORDER BY t.day DESC LIMIT 1)
            """
            : "NULL::date, NULL::date"
        query.sql = """
            SELECT s.entries, s.cost, s.duration, \(lastDates)
            FROM \(source.table) p
            CROSS JOIN LATERAL (SELECT \(source.dayKind) AS kind) k
            CROSS JOIN LATERAL (
                SELECT coalesce(sum(t.entries), 0)::bigint AS entries,
                       coalesce(sum(t.cost), 0)::numeric(18,2) AS cost,
                       coalesce(sum(t.duration), 0)::numeric(18,2) AS duration
                FROM interaction_totals_all t
                WHERE t.key = p.\(source.keyColumn)
                  AND (\(months)(t.kind = k.kind AND (t.day >= \(first)::date AND t.day < \(monthsFrom)::date
                                                  OR t.day >= \(monthsUntil)::date AND t.day <= \(last)::date)))
            ) s
            WHERE p.\(source.keyColumn) = \(key)
            """
        guard let row = try connection.query(query).first else {
            throw InteractionValidation.doesNotExist(source.tableCaption, source.keyCaption, source.key).storeError
        }
        return InteractionStatistics(
            count: try row.decode(Int.self, at: 0),
            cost: try row.decode(Decimal.self, at: 1),
            duration: try row.decode(Decimal.self, at: 2),
            lastInteraction: try row.decode(PGDate?.self, at: 3).map(CalendarDate.init),
            lastAttempted: try row.decode(PGDate?.self, at: 4).map(CalendarDate.init)
        )
    }

    /// Where a subject's totals are: its parent row (an unknown subject is refused) and its kinds of
    /// totals rows. A company counts its own entries and its persons' (kind company), a person only its
    /// own (kind contact); contacts are kept per day only.
    private struct Source {
        var table: String
        var keyColumn: String
        var key: String
        var tableCaption: String
        var keyCaption: String
        var dayKind: String
        var monthKind: String?
        var hasLastDates = false

        init(_ subject: StatisticsSubject) {
            switch subject {
            case .contact(let no):
                self.init(
                    table: "contacts",
                    keyColumn: "no",
                    key: no,
                    tableCaption: "Contact",
                    keyCaption: "No.",
                    dayKind: "CASE p.type WHEN 'company' THEN 'company' ELSE 'contact' END",
                    monthKind: nil,
                    hasLastDates: true
                )
            case .salesperson(let code):
                self.init(
                    table: "salespeople",
                    keyColumn: "code",
                    key: code,
                    tableCaption: "Salesperson/Purchaser",
                    keyCaption: "Code",
                    dayKind: "'salesperson'",
                    monthKind: "salesperson-month"
                )
            case .template(let code):
                self.init(
                    table: "interaction_templates",
                    keyColumn: "code",
                    key: code,
                    tableCaption: "Interaction Template",
                    keyCaption: "Code",
                    dayKind: "'template'",
                    monthKind: "template-month"
                )
            case .group(let code):
                self.init(
                    table: "interaction_groups",
                    keyColumn: "code",
                    key: code,
                    tableCaption: "Interaction Group",
                    keyCaption: "Code",
                    dayKind: "'group'",
                    monthKind: "group-month"
                )
            }
        }

        private init(
            table: String,
            keyColumn: String,
            key: String,
            tableCaption: String,
            keyCaption: String,
            dayKind: String,
            monthKind: String?,
            hasLastDates: Bool = false
        ) {
            self.table = table
            self.keyColumn = keyColumn
            self.key = key
            self.tableCaption = tableCaption
            self.keyCaption = keyCaption
            self.dayKind = dayKind
            self.monthKind = monthKind
            self.hasLastDates = hasLastDates
        }
    }
}
