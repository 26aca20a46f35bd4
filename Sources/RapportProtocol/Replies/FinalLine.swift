/// The line that ends every reply.
public enum FinalLine: Sendable, Equatable {
    /// Success, with optional human text.
    case ok(String)
    /// Failure, with a stable code and human text.
    case error(ErrorCode, String)
    /// The server closes the session after this line.
    case bye(String)
}
