import NIOCore
import RapportProtocol

/// One session with `rapportd`, safe to share between tasks.
///
/// Requests are pipelined: every ``send(_:_:payload:)`` writes its request at once with a fresh tag (`#1`, `#2`,
/// …) and waits for the reply carrying that tag, so many concurrent calls are many requests in flight on one
/// connection. Create one with ``connect(host:port:timeout:)``; end it with ``quit()`` or ``close()``.
public final class RapportConnection: Sendable {
    /// The server's first line.
    public let greeting: Greeting
    /// The host given to ``connect(host:port:timeout:)``.
    public let host: String
    /// The port given to ``connect(host:port:timeout:)``.
    public let port: Int

    private let channel: any Channel
    private let router: ReplyRouter
    private let io: Task<Void, Never>

    init(greeting: Greeting, host: String, port: Int, channel: any Channel, router: ReplyRouter, io: Task<Void, Never>)
    {
        self.greeting = greeting
        self.host = host
        self.port = port
        self.channel = channel
        self.router = router
        self.io = io
    }

    deinit {
        // A connection dropped without close() must not keep its socket and reader alive.
        self.channel.close(promise: nil)
    }

    /// Whether requests may still be sent: false after a `BYE`, ``close()``, or the end of the connection.
    public var isOpen: Bool { self.router.isOpen }

    /// Sends `VERB arguments…` with a fresh tag and returns the reply, whether `OK`, `ERR` or `BYE`.
    ///
    /// - Parameter payload: bytes sent as a literal after the line (`… {N}`), for uploads.
    /// - Throws: ``RapportClientError/invalidRequest(_:)`` for a verb or key the protocol cannot carry;
    ///   ``RapportClientError/connectionClosed(bye:)`` when the connection ends first (also after an unasked
    ///   `BYE`); ``RapportClientError/protocolViolation(_:)``; `CancellationError` when the task is cancelled
    ///   (the request may still be carried out; its reply is dropped).
    public func send(_ verb: String, _ arguments: [Argument] = [], payload: [UInt8]? = nil) async throws -> Response {
        let body = try RequestEncoder.encode(tag: nil, verb: verb, arguments: arguments, payload: payload)
        return try await self.router.send(body, automaticTag: true, rawTag: nil).response
    }

    /// Sends `line` exactly as typed (no tag is added) and returns the reply with the tag it carried.
    ///
    /// A tag written in the line is used to match the reply. Lines holding a line break, blank lines and lines
    /// ending in a literal marker `{N}` are refused locally, since they would leave the session out of step.
    public func sendRaw(line: String, payload: [UInt8]? = nil) async throws -> TaggedResponse {
        let body = try RequestEncoder.encodeRaw(line, payload: payload)
        return try await self.router.send(body, automaticTag: false, rawTag: RequestEncoder.tag(ofRawLine: line))
    }

    /// Logs in with `LOGIN user secret`.
    ///
    /// - Throws: ``RapportClientError/server(code:message:)`` when the server answers `ERR`.
    public func login(user: String, secret: String) async throws {
        _ = try await self.send("LOGIN", [.positional(user), .positional(secret)]).checked()
    }

    /// Why the connection ended or is ending, nil while it is open: ``RapportClientError/connectionClosed(bye:)``
    /// with the server's `BYE` text (`server shutting down`, `idle timeout`, …) or nil for a close without one.
    public var endReason: RapportClientError? { self.router.endReason }

    /// Returns once the connection has ended (a `BYE`, ``close()``, or the server or network closing it).
    public func untilClosed() async {
        await self.io.value
    }

    /// Sends `QUIT`, waits for the server's `BYE`, then closes; returns the `BYE` text, or nil if it did not come.
    @discardableResult
    public func quit() async -> String? {
        let reply = try? await self.send("QUIT")
        await self.close()
        guard case .bye(let text)? = reply?.final else { return nil }
        return text
    }

    /// Closes the connection at once; requests still waiting fail with
    /// ``RapportClientError/connectionClosed(bye:)``.
    public func close() async {
        self.router.stopSending()
        self.channel.close(promise: nil)
        await self.io.value
    }
}
