/// The connection facts a load balancer passed in a PROXY protocol header.
public struct ProxyHeader: Sendable, Equatable {
    /// What the balancer says about the connection.
    public enum Command: Sendable, Equatable {
        /// The connection is relayed for a client; `source` is that client when known.
        case proxy
        /// The balancer's own connection (health check): keep the socket's peer address.
        case local
    }

    /// One end of the relayed connection.
    public struct Endpoint: Sendable, Hashable, CustomStringConvertible {
        /// The address in its canonical text form (dotted quad, or RFC 5952 IPv6).
        public var host: String
        /// The TCP port.
        public var port: Int

        /// Creates an endpoint.
        public init(host: String, port: Int) {
            self.host = host
            self.port = port
        }

        /// `host:port`, with IPv6 hosts in brackets.
        public var description: String {
            self.host.contains(":") ? "[\(self.host)]:\(self.port)" : "\(self.host):\(self.port)"
        }
    }

    /// The protocol version of the header: 1 (text) or 2 (binary).
    public var version: Int
    /// Whether this is a relayed connection or the balancer's own.
    public var command: Command
    /// The real client; nil for LOCAL, `UNKNOWN` and unspecified families (keep the socket peer).
    public var source: Endpoint?
    /// The address the client connected to; nil whenever `source` is.
    public var destination: Endpoint?

    /// Creates a header.
    public init(version: Int, command: Command, source: Endpoint? = nil, destination: Endpoint? = nil) {
        self.version = version
        self.command = command
        self.source = source
        self.destination = destination
    }
}
