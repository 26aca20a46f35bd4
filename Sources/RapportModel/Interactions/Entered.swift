/// A field as a client entered it for an interaction: not at all (the default rules decide), explicitly
/// blank (clears the default, as clearing the field in the Create Interaction guide), or a value.
public enum Entered<Value: Sendable & Equatable>: Sendable, Equatable {
    case notEntered
    case blank
    case value(Value)

    /// `.value` for a value, `.blank` for nil.
    public init(_ value: Value?) {
        self = value.map(Entered.value) ?? .blank
    }

    /// The value a client entered (nil when blank or not entered).
    public var value: Value? {
        if case .value(let value) = self { return value }
        return nil
    }

    public var isEntered: Bool { self != .notEntered }

    /// The entered value (nil for blank), or `fallback` when nothing was entered.
    public func resolved(or fallback: Value?) -> Value? {
        switch self {
        case .notEntered: return fallback
        case .blank: return nil
        case .value(let value): return value
        }
    }
}
