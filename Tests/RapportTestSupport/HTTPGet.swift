import NIOCore
import NIOPosix

extension Toolbox {
    /// A one-shot HTTP GET to 127.0.0.1 over a raw TCP connection: the whole response, head and body (the
    /// metrics endpoint closes after it).
    public static func httpGet(_ path: String, port: Int) async throws -> String {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(string: "GET \(path) HTTP/1.1\r\nHost: localhost\r\n\r\n"))
            var text = ""
            for try await var bytes in inbound { text += bytes.readString(length: bytes.readableBytes) ?? "" }
            return text
        }
    }
}
