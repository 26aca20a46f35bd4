/// The server's output does not follow the protocol; the client should close the connection.
public struct ResponseParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was wrong.
    public var message: String

    /// Creates an error.
    public init(_ message: String) {
        self.message = message
    }

    public var description: String { self.message }
}
