import NIOCore
import NIOPosix
import RapportProtocol

/// A bare TCP connection for tests that must control the exact bytes on the wire (framing, half-close,
/// PROXY headers, byte-by-byte drips). Replies are parsed with the protocol's own `ResponseParser`.
final class RawConnection {
    private var iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    private let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    private var parser = ResponseParser()

    /// Connects to the test server, runs `body`, and closes the connection.
    static func with<T: Sendable>(port: Int, _ body: (RawConnection) async throws -> T) async throws -> T {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.allowRemoteHalfClosure, value: true)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(
                        wrappingChannelSynchronously: channel,
                        configuration: .init(isOutboundHalfClosureEnabled: true)
                    )
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            try await body(RawConnection(iterator: inbound.makeAsyncIterator(), outbound: outbound))
        }
    }

    private init(
        iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator,
        outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    ) {
        self.iterator = iterator
        self.outbound = outbound
    }

    func send(_ text: String) async throws {
        try await self.outbound.write(ByteBuffer(string: text))
    }

    func send(bytes: [UInt8]) async throws {
        try await self.outbound.write(ByteBuffer(bytes: bytes))
    }

    /// Half-closes: the server sees end of input but can still answer.
    func finishSending() {
        self.outbound.finish()
    }

    /// The next reply (the greeting counts as one), or nil once the server closed the connection.
    func reply() async throws -> TaggedResponse? {
        while true {
            if let reply = try self.parser.next() { return reply }
            guard var bytes = try await self.iterator.next() else { return nil }
            self.parser.append(bytes.readBytes(length: bytes.readableBytes) ?? [])
        }
    }

    /// Everything the server sends until it closes the connection, as text.
    func readToEnd() async throws -> String {
        var text = ""
        while var bytes = try await self.iterator.next() {
            text += bytes.readString(length: bytes.readableBytes) ?? ""
        }
        return text
    }
}
