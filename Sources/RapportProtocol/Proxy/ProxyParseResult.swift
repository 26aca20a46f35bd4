/// What ``ProxyProtocolParser`` made of the bytes received so far.
public enum ProxyParseResult: Sendable, Equatable {
    /// The bytes are a valid beginning of a header; read more (with a deadline).
    case needMoreData
    /// A complete header occupying the first `consumed` bytes; what follows belongs to the application.
    case header(ProxyHeader, consumed: Int)
    /// The bytes cannot be a PROXY header: close the connection.
    case invalid(String)
}
