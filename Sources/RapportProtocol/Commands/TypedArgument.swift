import Foundation

/// What a changing command does with one field: leave it as it is (the argument was not given),
/// blank it (an empty value, the one spelling of "blank" in the protocol), or set it.
public enum FieldChange<Value: Sendable & Equatable>: Sendable, Equatable {
    case keep
    case blank
    case set(Value)

    /// nil to keep, `.some(nil)` to blank, `.some(value)` to set: the shape store updates take.
    public var update: Value?? {
        switch self {
        case .keep: return nil
        case .blank: return .some(nil)
        case .set(let value): return .some(value)
        }
    }

    /// The value a new record gets: blank and not given are both nil.
    public var value: Value? {
        if case .set(let value) = self { return value }
        return nil
    }
}

/// An argument declared once and read back with its Swift type.
///
/// The declaration's ``spec`` goes into the command table (binding, HELP, the documentation); the
/// handler reads the bound value through the same declaration, so a handler cannot ask for an
/// argument its command does not declare, or with another type. The three kinds differ in what
/// reading them gives: a ``RequiredArgument`` its value (the binder refused the request without
/// it), an ``OptionalArgument`` an optional, a ``ChangeArgument`` a ``FieldChange``.
public protocol TypedArgument<Value>: Sendable {
    associatedtype Value: Sendable & Equatable
    var spec: ArgumentSpec { get }
    /// Turns the bound value into `Value`; nil only when the declaration and the binder disagree.
    var decode: @Sendable (BoundValue) -> Value? { get }
}

public struct RequiredArgument<Value: Sendable & Equatable>: TypedArgument {
    public let spec: ArgumentSpec
    public let decode: @Sendable (BoundValue) -> Value?
}

public struct OptionalArgument<Value: Sendable & Equatable>: TypedArgument {
    public let spec: ArgumentSpec
    public let decode: @Sendable (BoundValue) -> Value?
}

/// A field of a changing command: absent keeps it, an empty value blanks it.
public struct ChangeArgument<Value: Sendable & Equatable>: TypedArgument {
    public let spec: ArgumentSpec
    public let decode: @Sendable (BoundValue) -> Value?
}

/// How each value type is declared and decoded; shared by the three kinds of argument.
public struct ArgumentType<Value: Sendable & Equatable>: Sendable {
    let valueType: ArgumentSpec.ValueType
    let decode: @Sendable (BoundValue) -> Value?

    public static func text(maxLength: Int) -> ArgumentType<String> {
        ArgumentType<String>(valueType: .text(maxLength: maxLength)) { if case .text(let v) = $0 { v } else { nil } }
    }

    public static func code(maxLength: Int) -> ArgumentType<String> {
        ArgumentType<String>(valueType: .code(maxLength: maxLength)) { if case .code(let v) = $0 { v } else { nil } }
    }

    public static func integer(_ range: ClosedRange<Int>) -> ArgumentType<Int> {
        ArgumentType<Int>(valueType: .integer(range)) { if case .integer(let v) = $0 { v } else { nil } }
    }

    /// An exact amount ≥ 0 (money, quantities): `Decimal`, never a binary floating-point value.
    public static var amount: ArgumentType<Decimal> {
        ArgumentType<Decimal>(valueType: .decimal) { Self.decimalValue($0) }
    }

    /// An exact amount that may be negative.
    public static var signedAmount: ArgumentType<Decimal> {
        ArgumentType<Decimal>(valueType: .signedDecimal) { Self.decimalValue($0) }
    }

    public static var bool: ArgumentType<Bool> {
        ArgumentType<Bool>(valueType: .bool) { if case .bool(let v) = $0 { v } else { nil } }
    }

    public static var date: ArgumentType<CalendarDate> {
        ArgumentType<CalendarDate>(valueType: .date) { if case .date(let v) = $0 { v } else { nil } }
    }

    public static var time: ArgumentType<TimeOfDay> {
        ArgumentType<TimeOfDay>(valueType: .time) { if case .time(let v) = $0 { v } else { nil } }
    }

    /// One of an enumeration's raw values, decoded to the enumeration itself.
    public static func oneOf<E: RawRepresentable & CaseIterable & Sendable & Equatable>(_: E.Type) -> ArgumentType<E>
    where E.RawValue == String {
        ArgumentType<E>(valueType: .enumeration(E.allCases.map(\.rawValue))) {
            if case .enumeration(let word) = $0 { E(rawValue: word) } else { nil }
        }
    }

    public static var list: ArgumentType<[String]> {
        ArgumentType<[String]>(valueType: .list) { if case .list(let v) = $0 { v } else { nil } }
    }

    private static func decimalValue(_ bound: BoundValue) -> Decimal? {
        guard case .decimal(let text) = bound else { return nil }
        return Decimal(string: text, locale: Locale(identifier: "en_US_POSIX"))
    }
}

extension RequiredArgument {
    /// A required argument given by position (or by name).
    public static func positional(_ name: String, _ type: ArgumentType<Value>, _ help: String) -> Self {
        Self(
            spec: ArgumentSpec(name, kind: .positional, required: true, valueType: type.valueType, help: help),
            decode: type.decode
        )
    }

    /// A required argument given as `name=value`.
    public static func named(_ name: String, _ type: ArgumentType<Value>, _ help: String) -> Self {
        Self(
            spec: ArgumentSpec(name, kind: .named, required: true, valueType: type.valueType, help: help),
            decode: type.decode
        )
    }
}

extension OptionalArgument {
    public static func named(_ name: String, _ type: ArgumentType<Value>, _ help: String) -> Self {
        Self(spec: ArgumentSpec(name, kind: .named, valueType: type.valueType, help: help), decode: type.decode)
    }

    /// An optional argument that may also be given by position (after the required ones).
    public static func positional(_ name: String, _ type: ArgumentType<Value>, _ help: String) -> Self {
        Self(spec: ArgumentSpec(name, kind: .positional, valueType: type.valueType, help: help), decode: type.decode)
    }
}

extension ChangeArgument {
    public static func named(_ name: String, _ type: ArgumentType<Value>, _ help: String) -> Self {
        Self(
            spec: ArgumentSpec(
                name,
                kind: .named,
                valueType: type.valueType,
                blankable: true,
                help: help + " An empty value blanks it."
            ),
            decode: type.decode
        )
    }
}

extension BoundArguments {
    /// The value of a required argument: the binder refused any request without it.
    public subscript<Value>(_ argument: RequiredArgument<Value>) -> Value {
        guard let bound = self.values[argument.spec.name], let value = argument.decode(bound) else {
            preconditionFailure("required argument \(argument.spec.name) was not bound as declared")
        }
        return value
    }

    /// The value of an optional argument, nil when not given.
    public subscript<Value>(_ argument: OptionalArgument<Value>) -> Value? {
        guard let bound = self.values[argument.spec.name] else { return nil }
        guard let value = argument.decode(bound) else {
            preconditionFailure("argument \(argument.spec.name) was not bound as declared")
        }
        return value
    }

    /// What a changing command does with the field.
    public subscript<Value>(_ argument: ChangeArgument<Value>) -> FieldChange<Value> {
        guard let bound = self.values[argument.spec.name] else { return .keep }
        if bound == .blank { return .blank }
        guard let value = argument.decode(bound) else {
            preconditionFailure("argument \(argument.spec.name) was not bound as declared")
        }
        return .set(value)
    }
}
