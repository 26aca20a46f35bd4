/// A calendar date without time zone (PostgreSQL `date`), e.g. the day of an interaction.
public struct PGDate: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int

    /// Creates a date, or nil when the day does not exist in the proleptic Gregorian calendar.
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month), day >= 1,
            day <= PGDate.daysInMonth(year: year, month: month)
        else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses `YYYY-MM-DD`.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2])
        else { return nil }
        self.init(year: year, month: month, day: day)
    }

    public static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    public static func < (lhs: PGDate, rhs: PGDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    public var description: String {
        pad(self.year, 4) + "-" + pad(self.month, 2) + "-" + pad(self.day, 2)
    }
}

/// A time of day without time zone (PostgreSQL `time`), e.g. the time of an interaction.
public struct PGTime: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var hour: Int
    public var minute: Int
    public var second: Int
    public var microsecond: Int

    public init?(hour: Int, minute: Int, second: Int = 0, microsecond: Int = 0) {
        guard (0...23).contains(hour), (0...59).contains(minute), (0...59).contains(second),
            (0...999_999).contains(microsecond)
        else { return nil }
        self.hour = hour
        self.minute = minute
        self.second = second
        self.microsecond = microsecond
    }

    /// Parses `HH:MM`, `HH:MM:SS` or `HH:MM:SS.ffffff`.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3, parts[0].count == 2, parts[1].count == 2,
            let hour = Int(parts[0]), let minute = Int(parts[1])
        else { return nil }
        var second = 0
        var microsecond = 0
        if parts.count == 3 {
            let secondParts = parts[2].split(separator: ".", omittingEmptySubsequences: false)
            guard secondParts[0].count == 2, let whole = Int(secondParts[0]), secondParts.count <= 2 else {
                return nil
            }
            second = whole
            if secondParts.count == 2 {
                let fraction = secondParts[1]
                guard (1...6).contains(fraction.count), fraction.allSatisfy(\.isASCII),
                    let digits = Int(fraction)
                else { return nil }
                microsecond = digits * [1, 100_000, 10_000, 1000, 100, 10, 1][fraction.count]
            }
        }
        self.init(hour: hour, minute: minute, second: second, microsecond: microsecond)
    }

    public static func < (lhs: PGTime, rhs: PGTime) -> Bool {
        (lhs.hour, lhs.minute, lhs.second, lhs.microsecond) < (rhs.hour, rhs.minute, rhs.second, rhs.microsecond)
    }

    public var description: String {
        var text = pad(self.hour, 2) + ":" + pad(self.minute, 2) + ":" + pad(self.second, 2)
        if self.microsecond != 0 { text += "." + pad(self.microsecond, 6) }
        return text
    }
}

func pad(_ value: Int, _ width: Int) -> String {
    let digits = String(value)
    return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
}
