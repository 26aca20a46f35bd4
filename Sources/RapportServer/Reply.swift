import NIOConcurrencyHelpers
import NIOCore
import RapportProtocol

/// A reply as a handler produces it: whole (short replies), or streamed (lists).
enum Reply: Sendable {
    /// A reply small enough to build whole: written in one write.
    case whole(Response)
    /// A reply whose data lines are written to the socket in chunks as they are produced.
    case streamed(StreamedReply)
}

/// A streamed reply: `produce` writes the data lines to the sink and returns the final line.
///
/// A list handler fetches its page (≤ 1000 rows) with one query and gives the pooled connection back
/// before it returns a streamed reply, so `produce` never holds a database connection while it waits
/// on a slow client socket: a slow reader cannot starve the pool, it only holds its own page.
struct StreamedReply: Sendable {
    let produce: @Sendable (ReplySink) async throws -> FinalLine
}

/// One outbound write of the session. Only `.final` (the write that holds the final line) ends a reply:
/// `SessionChannelHandler` counts a request as answered only then.
enum ReplyPart: Sendable {
    case partial(ByteBuffer)
    case final(ByteBuffer)
}

/// Encodes the data lines of a streamed reply, tagged, into writes of at most `linesPerWrite` lines or
/// about `bytesPerWrite` bytes, each awaited (backpressure from the channel's outbound writer).
final class ReplySink {
    static let linesPerWrite = 64
    static let bytesPerWrite = 16 * 1024

    private let tag: String?
    private let emit: (ReplyPart) async throws -> Void
    private var buffer = ByteBuffer()
    private var buffered = 0
    /// Data lines already handed to the socket.
    private(set) var linesSent = 0
    /// Writes so far, the final one included.
    private(set) var writes = 0

    init(tag: String?, emit: @escaping (ReplyPart) async throws -> Void) {
        self.tag = tag
        self.emit = emit
    }

    /// Adds one data line; writes a chunk when enough lines or bytes are waiting.
    func write(_ line: DataLine) async throws {
        self.buffer.writeString(WireEncoding.dataLine(line.tokens, tag: self.tag, payloadLength: line.payload?.count))
        if let payload = line.payload {
            self.buffer.writeBytes(payload)
            self.buffer.writeString(WireEncoding.lineTerminator)
        }
        self.buffered += 1
        if self.buffered >= Self.linesPerWrite || self.buffer.readableBytes >= Self.bytesPerWrite {
            let chunk = self.buffer
            self.buffer = ByteBuffer()
            self.writes += 1
            self.linesSent += self.buffered
            self.buffered = 0
            try await self.emit(.partial(chunk))
        }
    }

    /// Writes what is left with the final line: the end of the reply.
    func finish(_ final: FinalLine) async throws {
        self.buffer.writeString(WireEncoding.finalLine(final, tag: self.tag))
        self.linesSent += self.buffered
        self.buffered = 0
        self.writes += 1
        let chunk = self.buffer
        self.buffer = ByteBuffer()
        try await self.emit(.final(chunk))
    }

    /// Ends the reply with an error: a plain `ERR` when no data line reached the socket yet (lines still
    /// buffered are dropped), else after the lines already sent.
    func fail(_ final: FinalLine) async throws {
        if self.linesSent == 0 {
            self.buffer.clear()
            self.buffered = 0
        }
        try await self.finish(final)
    }
}

extension Reply {
    /// Streams a fetched page: rows are rendered and dropped as they are written.
    static func page<Row: Sendable>(
        _ rows: [Row],
        final: FinalLine,
        header: [DataLine] = [],
        line: @escaping @Sendable (Row) -> DataLine
    ) -> Reply {
        let queue = NIOLockedValueBox(Array(rows.reversed()))
        return .streamed(
            StreamedReply { sink in
                for head in header { try await sink.write(head) }
                while let row = queue.withLockedValue({ $0.popLast() }) {
                    try await sink.write(line(row))
                }
                return final
            }
        )
    }
}
