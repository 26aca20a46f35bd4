import Foundation
import LibPQ
import RapportProtocol

/// The protocol's date and time as PostgreSQL binds and returns them. Both sides accept the same
/// ranges (years 1–9999, valid days, 00:00:00–23:59:59), so the conversions cannot fail.
extension CalendarDate {
    var pgValue: PGDate {
        guard let date = PGDate(year: self.year, month: self.month, day: self.day) else {
            preconditionFailure("\(self) is not a PostgreSQL date")
        }
        return date
    }

    init(_ date: PGDate) {
        guard let value = CalendarDate(year: date.year, month: date.month, day: date.day) else {
            preconditionFailure("\(date) is not a calendar date")
        }
        self = value
    }
}

extension TimeOfDay {
    var pgValue: PGTime {
        guard let time = PGTime(hour: self.hour, minute: self.minute, second: self.second) else {
            preconditionFailure("\(self) is not a PostgreSQL time")
        }
        return time
    }

    /// Whole seconds (entries store no fractions).
    init(_ time: PGTime) {
        guard let value = TimeOfDay(hour: time.hour, minute: time.minute, second: time.second) else {
            preconditionFailure("\(time) is not a time of day")
        }
        self = value
    }
}

extension Decimal {
    /// Rounded to two decimals as PostgreSQL rounds into `numeric(…, 2)`: half away from zero.
    var roundedToCents: Decimal {
        var value = self
        var rounded = Decimal()
        NSDecimalRound(&rounded, &value, 2, self < 0 ? .down : .plain)
        return rounded
    }
}
