/// One argument of a request or one token of a data line.
public enum Argument: Hashable, Sendable {
    /// A value identified by its position.
    case positional(String)
    /// A `key=value` pair; the key is lower-case.
    case named(String, String)
}
