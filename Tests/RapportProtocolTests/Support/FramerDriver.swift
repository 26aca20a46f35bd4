import NIOCore
import RapportProtocol

/// Feeds bytes to a ``LineFramer`` in chunks, the way `ByteToMessageHandler` does, and collects the frames.
struct FramerDriver {
    var framer: LineFramer
    var buffer = ByteBuffer()
    var frames: [InboundFrame] = []
    /// The most bytes the buffer held after any chunk was processed.
    var peakBufferedBytes = 0

    init(limits: LineFramingLimits = LineFramingLimits()) {
        self.framer = LineFramer(limits: limits)
    }

    mutating func feed(_ bytes: some Collection<UInt8>) {
        self.buffer.writeBytes(Array(bytes))
        while let frame = self.framer.nextFrame(from: &self.buffer) { self.frames.append(frame) }
        self.peakBufferedBytes = max(self.peakBufferedBytes, self.buffer.readableBytes)
        // ByteToMessageHandler reclaims consumed bytes; do the same so indices move as in production.
        self.buffer.discardReadBytes()
    }

    mutating func finish() {
        while let frame = self.framer.nextFrame(from: &self.buffer) { self.frames.append(frame) }
        while let frame = self.framer.finish(&self.buffer) { self.frames.append(frame) }
    }

    /// Decodes `input` cut into chunks of `chunkSize` bytes, optionally ending with EOF.
    static func frames(
        of input: [UInt8],
        chunkSize: Int,
        limits: LineFramingLimits = LineFramingLimits(),
        atEOF: Bool = false
    ) -> [InboundFrame] {
        var driver = FramerDriver(limits: limits)
        var start = 0
        while start < input.count {
            let end = min(input.count, start + chunkSize)
            driver.feed(input[start..<end])
            start = end
        }
        if atEOF { driver.finish() }
        return driver.frames
    }
}

extension Array where Element == UInt8 {
    /// The UTF-8 bytes of `text`.
    init(utf8 text: String) {
        self = Array(text.utf8)
    }
}
