import NIOConcurrencyHelpers

/// What is known about one connection, shared by its channel handler (event loop) and its session
/// task: the socket peer, and the real client once a trusted balancer's PROXY header named it.
public final class ConnectionInfo: Sendable {
    public let id: Int
    public let peer: String
    private let client = NIOLockedValueBox<String?>(nil)

    init(id: Int, peer: String) {
        self.id = id
        self.peer = peer
    }

    /// The client's address: from the PROXY header when there was one, else the socket peer.
    public var clientAddress: String {
        self.client.withLockedValue { $0 } ?? self.peer
    }

    func setClientAddress(_ address: String) {
        self.client.withLockedValue { $0 = address }
    }
}

/// Events between the session task and its channel handler.
enum SessionEvent: Sendable {
    /// Sent by the session after a successful LOGIN: the login deadline no longer applies.
    case authenticated
    /// Sent by the server to every connection on SIGTERM: finish the current reply, then say BYE.
    case shutdown
}
