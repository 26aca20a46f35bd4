/// A request's arguments do not fit its command (`BAD_ARGS`).
public struct ArgumentError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong, e.g. `missing argument template`.
    public var message: String

    /// Creates an error.
    public init(_ message: String) {
        self.message = message
    }

    public var description: String { self.message }
}

extension ArgumentError: WireReportable {
    public var errorCode: ErrorCode { .badArguments }
    public var errorText: String { self.message }
}
