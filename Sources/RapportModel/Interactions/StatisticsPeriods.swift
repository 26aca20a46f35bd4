import RapportProtocol

/// How a statistics date range is read from the running totals (sql/0016): the whole calendar months
/// inside it from the month rows, the partial months at either end from the day rows, so that a range
/// of years reads a few dozen rows. Bounds may be open (no `from=` or no `to=`).
public struct StatisticsPeriods: Sendable, Equatable {
    /// A bound of a range of days: a date or one of PostgreSQL's infinite dates.
    public enum Bound: Sendable, Equatable, Comparable {
        case minusInfinity
        case date(CalendarDate)
        case infinity

        /// As PostgreSQL reads it with `::date`.
        public var sqlText: String {
            switch self {
            case .minusInfinity: "-infinity"
            case .date(let date): date.description
            case .infinity: "infinity"
            }
        }
    }

    /// First day of the range (inclusive).
    public var first: Bound
    /// Last day of the range (inclusive).
    public var last: Bound
    /// Whole months read from the month rows: `monthsFrom ..< monthsUntil`, both first days of months
    /// (empty when equal). The day rows serve `first ..< monthsFrom` and `monthsUntil ... last`.
    public var monthsFrom: Bound
    public var monthsUntil: Bound

    /// `monthly` is false for keys kept per day only (contacts): then every day comes from the day rows.
    public init(from: CalendarDate?, to: CalendarDate?, monthly: Bool) {
        self.first = from.map(Bound.date) ?? .minusInfinity
        self.last = to.map(Bound.date) ?? .infinity
        let monthsFrom: Bound =
            switch from {
            case nil: .minusInfinity
            case let from? where from.day == 1: .date(from)
            case let from?: from.firstOfNextMonth.map(Bound.date) ?? .infinity
            }
        let monthsUntil: Bound =
            switch to {
            case nil: .infinity
            case let to? where to.isLastOfMonth: to.firstOfNextMonth.map(Bound.date) ?? .infinity
            case let to?: .date(to.firstOfMonth)
            }
        if monthly, monthsFrom < monthsUntil {
            self.monthsFrom = monthsFrom
            self.monthsUntil = monthsUntil
        } else {
            self.monthsFrom = self.first
            self.monthsUntil = self.first
        }
    }
}
