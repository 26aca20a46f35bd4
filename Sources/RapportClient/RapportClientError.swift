import RapportProtocol

/// What can go wrong when talking to `rapportd`.
public enum RapportClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The TCP connection or the greeting could not be established (refused, unresolved, timed out).
    case connectionFailed(String)
    /// The connection ended before the reply arrived; `bye` is the server's `BYE` text if it sent one.
    case connectionClosed(bye: String?)
    /// The server sent something the protocol does not allow; the connection has been closed.
    case protocolViolation(String)
    /// The server answered `ERR code message`.
    case server(code: ErrorCode, message: String)
    /// The request was refused locally before being sent (bad verb, bad key, line break in a raw line…).
    case invalidRequest(String)

    public var description: String {
        switch self {
        case .connectionFailed(let reason):
            return "connection failed: \(reason)"
        case .connectionClosed(let bye):
            return bye.map { "connection closed by the server: \($0)" } ?? "connection closed"
        case .protocolViolation(let reason):
            return "protocol violation: \(reason)"
        case .server(let code, let message):
            return message.isEmpty ? code.rawValue : "\(code.rawValue) \(message)"
        case .invalidRequest(let reason):
            return "invalid request: \(reason)"
        }
    }
}
