/// A request line that does not follow the grammar.
public struct SyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of mistake it is; it decides the error code.
    public enum Kind: Sendable, Equatable {
        /// The line is malformed (`BAD_SYNTAX`).
        case malformed
        /// The line has more arguments than allowed (`TOO_LARGE`).
        case tooManyArguments
    }

    /// The kind of mistake.
    public var kind: Kind
    /// What is wrong, in a few words, without the column.
    public var message: String
    /// 1-based position of the offending character, counted in Unicode scalars.
    public var column: Int

    /// Creates a syntax error.
    public init(_ message: String, column: Int, kind: Kind = .malformed) {
        self.kind = kind
        self.message = message
        self.column = column
    }

    /// The message with its column, as sent to the client.
    public var description: String { "\(self.message) at column \(self.column)" }
}
