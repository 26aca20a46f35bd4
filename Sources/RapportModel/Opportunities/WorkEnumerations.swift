/// The enumerations of opportunities and tasks. Raw values are the keys stored in PostgreSQL (the
/// `enum_*` domains of 0017) and used on the wire; blank is nil / SQL NULL.

/// Not started and in progress are open; won and lost are closed.
public enum OpportunityStatus: String, Sendable, CaseIterable {
    case notStarted = "not_started"
    case inProgress = "in_progress"
    case won, lost

    public var isOpen: Bool { self == .notStarted || self == .inProgress }
}

/// How an opportunity is closed.
public enum OpportunityOutcome: String, Sendable, CaseIterable {
    case won, lost
}

/// A task's type; blank (nil) is a plain to-do.
public enum TaskType: String, Sendable, CaseIterable {
    case meeting
    case phoneCall = "phone_call"
}

public enum TaskStatus: String, Sendable, CaseIterable {
    case notStarted = "not_started"
    case inProgress = "in_progress"
    case completed, waiting, postponed
}

/// The marketing setup's Default To-do Date Calculation: a number of days, weeks, months or years
/// (`3D`, `1W`, `2M`, `1Y`) added to today for a new task without a date.
public struct TaskDateFormula: Sendable, Equatable, CustomStringConvertible {
    public enum Unit: Character, Sendable { case day = "D", week = "W", month = "M", year = "Y" }

    public var count: Int
    public var unit: Unit

    public init?(_ text: String) {
        let upper = text.uppercased()
        guard let last = upper.last, let unit = Unit(rawValue: last), upper.count >= 2, upper.count <= 4,
            let count = Int(upper.dropLast()), count >= 0
        else { return nil }
        self.count = count
        self.unit = unit
    }

    public var description: String { "\(self.count)\(self.unit.rawValue)" }

    /// The PostgreSQL interval the formula adds to a date (`1 weeks`).
    public var interval: String {
        let unit =
            switch self.unit {
            case .day: "days"
            case .week: "weeks"
            case .month: "months"
            case .year: "years"
            }
        return "\(self.count) \(unit)"
    }
}
