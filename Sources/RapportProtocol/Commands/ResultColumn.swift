/// One key of a command's data lines and the type of its values.
///
/// A command declares its columns once; every data line it sends carries exactly those keys in that
/// order, a blank value as `key=`. Clients learn them from `HELP <command>` (`* result <key> <type>`),
/// so that a table, a CSV header or typed JSON does not depend on which rows came back.
public struct ResultColumn: Sendable, Equatable {
    /// How a client reads the values (JSON: numbers for integer and decimal, booleans for bool,
    /// null for blank; strings otherwise).
    public enum ValueType: String, Sendable, Equatable, CaseIterable {
        case text, code, integer, decimal, bool, date, time, enumeration, list
    }

    public var name: String
    public var type: ValueType

    public init(_ name: String, _ type: ValueType) {
        precondition(CharacterClasses.isValidKey(name), "invalid result key \(name)")
        self.name = name
        self.type = type
    }
}

extension DataLine {
    /// A data line of `columns`, in their order, blank values as `key=`.
    ///
    /// `values` is keyed by column name; a key that is not a column is a programming error (the
    /// reply would not match what HELP promises), so it traps in every build.
    public static func shaped(_ columns: [ResultColumn], _ values: [String: String?]) -> DataLine {
        for key in values.keys where !columns.contains(where: { $0.name == key }) {
            preconditionFailure("data line key \(key) is not a declared result column")
        }
        return DataLine(tokens: columns.map { column in .named(column.name, (values[column.name] ?? nil) ?? "") })
    }
}
