/// An argument value after checking and normalising against its ``ArgumentSpec/ValueType``.
public enum BoundValue: Sendable, Equatable {
    case text(String)
    case code(String)
    case integer(Int)
    /// An exact decimal in canonical text form (no `+`, no superfluous leading zeros).
    case decimal(String)
    case bool(Bool)
    case date(CalendarDate)
    case time(TimeOfDay)
    /// The matching word, spelled as in the declaration.
    case enumeration(String)
    case list([String])
    /// An empty value for a blankable argument: blank the field.
    case blank
}
