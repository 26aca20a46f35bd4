/// A date without time zone, as given by `YYYY-MM-DD`.
public struct CalendarDate: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int

    /// Creates a date; nil if it does not exist (e.g. February 30).
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
            (1...Self.daysIn(month: month, year: year)).contains(day)
        else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses exactly `YYYY-MM-DD`.
    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let year = FixedDigits.value(parts[0]), let month = FixedDigits.value(parts[1]),
            let day = FixedDigits.value(parts[2])
        else { return nil }
        self.init(year: year, month: month, day: day)
    }

    public static func < (lhs: CalendarDate, rhs: CalendarDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    /// `YYYY-MM-DD`.
    public var description: String {
        FixedDigits.padded(self.year, 4) + "-" + FixedDigits.padded(self.month, 2) + "-"
            + FixedDigits.padded(self.day, 2)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}

extension CalendarDate {
    /// The first day of this date's month.
    public var firstOfMonth: CalendarDate {
        var date = self
        date.day = 1
        return date
    }

    /// The first day of the following month; nil after December 9999.
    public var firstOfNextMonth: CalendarDate? {
        self.month == 12
            ? CalendarDate(year: self.year + 1, month: 1, day: 1)
            : CalendarDate(year: self.year, month: self.month + 1, day: 1)
    }

    /// Whether this is the last day of its month.
    public var isLastOfMonth: Bool { self.day == Self.daysIn(month: self.month, year: self.year) }
}
