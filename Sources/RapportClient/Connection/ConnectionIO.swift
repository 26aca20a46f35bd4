import NIOCore
import RapportProtocol

/// The two loops of a connection: one writes queued requests, one parses replies and hands them to the router.
enum ConnectionIO {
    /// Runs until the connection ends, then tells the router why.
    static func run(
        _ channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>,
        requests: AsyncStream<ByteBuffer>,
        router: ReplyRouter
    ) async {
        let underlying = channel.channel
        do {
            try await channel.executeThenClose { inbound, outbound in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        do {
                            for await request in requests { try await outbound.write(request) }
                            // Half-close: the server reads to the end, then closes its side.
                            outbound.finish()
                        } catch {
                            // A failed write means the connection is gone; stop the reader too.
                            underlying.close(promise: nil)
                        }
                    }
                    var parser = ResponseParser()
                    for try await buffer in inbound {
                        parser.append(buffer.readableBytesView)
                        while let reply = try parser.next() { router.receive(reply) }
                    }
                    if parser.hasPartialResponse {
                        throw ResponseParseError("connection closed in the middle of a reply")
                    }
                    group.cancelAll()
                }
            }
            router.connectionEnded(nil)
        } catch let error as ResponseParseError {
            router.connectionEnded(.protocolViolation(error.message))
        } catch {
            // Resets and the like: the session is over, whatever the cause.
            router.connectionEnded(nil)
        }
    }
}
