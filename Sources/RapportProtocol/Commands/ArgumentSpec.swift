/// The declaration of one argument of a command.
public struct ArgumentSpec: Sendable, Equatable {
    /// How an argument is given.
    public enum Kind: Sendable, Equatable {
        /// By position (it may also be given as `name=value`).
        case positional
        /// Only as `name=value`.
        case named
    }

    /// What values an argument accepts, and how they are normalised.
    public enum ValueType: Sendable, Equatable {
        /// Free text of at most `maxLength` characters (may be empty).
        case text(maxLength: Int)
        /// A code: trimmed, upper-cased, 1 to `maxLength` characters.
        case code(maxLength: Int)
        /// A decimal integer within `range`.
        case integer(ClosedRange<Int>)
        /// An exact decimal number ≥ 0 such as `12.50`, kept as text.
        case decimal
        /// An exact decimal number that may be negative, such as `-3.25`, kept as text.
        case signedDecimal
        /// `true`/`false`, `yes`/`no`, `1`/`0`, in any letter case.
        case bool
        /// A calendar date `YYYY-MM-DD`.
        case date
        /// A time of day `HH:MM` or `HH:MM:SS`.
        case time
        /// One of the given words, in any letter case; bound to the spelling given here.
        case enumeration([String])
        /// Comma-separated items, each trimmed; empty items are dropped.
        case list
    }

    /// The argument's name (lower-case), also its key when named.
    public var name: String
    /// Positional or named.
    public var kind: Kind
    /// Whether the request must give it.
    public var required: Bool
    /// The accepted values.
    public var valueType: ValueType
    /// One sentence for HELP and the documentation.
    public var help: String
    /// Whether an empty value blanks the field (the fields of changing commands); it then binds to
    /// ``BoundValue/blank`` whatever the type.
    public var blankable: Bool

    /// Creates an argument declaration.
    public init(
        _ name: String,
        kind: Kind,
        required: Bool = false,
        valueType: ValueType,
        blankable: Bool = false,
        help: String
    ) {
        precondition(CharacterClasses.isValidKey(name), "invalid argument name \(name)")
        precondition(!(required && blankable), "a required argument cannot be blanked: \(name)")
        self.name = name.lowercased()
        self.kind = kind
        self.required = required
        self.valueType = valueType
        self.blankable = blankable
        self.help = help
    }
}
