import NIOCore
import NIOPosix
import RapportProtocol

/// One protocol session over TCP (through HAProxy in these tests): send a line, read the reply,
/// parsed with the protocol's own `ResponseParser`. It knows its own source port, which the server
/// must log as the client address.
public final class LineSession {
    private var iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    private let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    private var parser = ResponseParser()
    /// The local (source) port of this connection.
    public let localPort: Int

    /// Connects to 127.0.0.1:`port`, runs `body`, and closes the connection.
    public static func with<T: Sendable>(port: Int, _ body: (LineSession) async throws -> T) async throws -> T {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(5))
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        let localPort = channel.channel.localAddress?.port ?? 0
        return try await channel.executeThenClose { inbound, outbound in
            try await body(LineSession(iterator: inbound.makeAsyncIterator(), outbound: outbound, localPort: localPort))
        }
    }

    private init(
        iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator,
        outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>,
        localPort: Int
    ) {
        self.iterator = iterator
        self.outbound = outbound
        self.localPort = localPort
    }

    /// What became of one request.
    public enum Outcome: Equatable, Sendable {
        /// A reply, complete up to its final line.
        case reply(Response)
        /// The connection ended cleanly (no partial reply), without a final line for the request.
        case closed
    }

    /// The next reply (the greeting counts as one), or `.closed` at end of input between replies.
    /// End of input in the middle of a reply is an error: the server must never cut a reply.
    public func reply() async throws -> Outcome {
        while true {
            if let reply = try self.parser.next() { return .reply(reply.response) }
            guard var bytes = try await self.iterator.next() else {
                if self.parser.hasPartialResponse {
                    throw CutReply()
                }
                return .closed
            }
            self.parser.append(bytes.readBytes(length: bytes.readableBytes) ?? [])
        }
    }

    public struct CutReply: Error, CustomStringConvertible {
        public var description: String { "the connection ended in the middle of a reply" }
    }

    /// A reply that arrived unasked and is already buffered (the server's BYE when it shuts down).
    public func bufferedReply() throws -> Response? {
        try self.parser.next()?.response
    }

    public func send(_ line: String) async throws {
        try await self.outbound.write(ByteBuffer(string: line + "\r\n"))
    }

    /// Sends `line` and reads its reply.
    public func request(_ line: String) async throws -> Outcome {
        if let early = try self.bufferedReply() { return .reply(early) }
        do {
            try await self.send(line)
        } catch {
            // The server may have said BYE at a reply boundary and closed before this line left:
            // then the request was never taken, and the BYE (still to be read) is the answer.
            if case .reply(let reply) = try await self.reply(), case .bye = reply.final { return .reply(reply) }
            throw error
        }
        return try await self.reply()
    }
}
