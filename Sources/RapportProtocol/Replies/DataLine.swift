/// One `*` line of a reply: tokens, and optionally a literal of raw bytes.
public struct DataLine: Sendable, Equatable {
    /// The tokens after the `*`, encoded with the request quoting.
    public var tokens: [Argument]
    /// Raw bytes sent after the line as a literal `{N}` (downloads).
    public var payload: [UInt8]?

    /// Creates a data line.
    public init(tokens: [Argument], payload: [UInt8]? = nil) {
        self.tokens = tokens
        self.payload = payload
    }

    /// Creates a data line of positional values.
    public init(_ values: String...) {
        self.init(tokens: values.map(Argument.positional))
    }
}
