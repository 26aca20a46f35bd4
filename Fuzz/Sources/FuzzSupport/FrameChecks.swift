import NIOCore
import RapportProtocol

/// Feeds `bytes` to a ``LineFramer`` in the given chunk sizes, as `ByteToMessageDecoder` does (decode until
/// nil after each read, `finish` at end of input), and checks the framer's promises on the way.
public func frameAll(_ bytes: [UInt8], chunks: [Int], limits: LineFramingLimits) -> [InboundFrame] {
    var framer = LineFramer(limits: limits)
    var buffer = ByteBufferAllocator().buffer(capacity: 0)
    var frames: [InboundFrame] = []
    var offset = 0
    // Every frame but the last one at end of input ends at an LF.
    let lineFeeds = bytes.lazy.filter { $0 == 0x0A }.count
    // An unfinished line keeps at most limit + 1 bytes (limit + 2 is already too long); an awaited literal is
    // buffered whole, up to its limit.
    let retainedBound = max(limits.maximumLineLength + 1, limits.maximumPayloadLength)
    for size in chunks {
        buffer.writeBytes(bytes[offset..<(offset + size)])
        offset += size
        while let frame = framer.nextFrame(from: &buffer) {
            checkFrame(frame, limits: limits)
            frames.append(frame)
            fuzzCheck(frames.count <= lineFeeds, "more frames (\(frames.count)) than line feeds (\(lineFeeds))")
        }
        fuzzCheck(
            buffer.readableBytes <= retainedBound,
            "framer keeps \(buffer.readableBytes) bytes, bound \(retainedBound)"
        )
        fuzzCheck(
            buffer.readableBytes == 0 || framer.hasPartialInput(buffer),
            "unconsumed bytes without partial input"
        )
        // NIO's ByteToMessageHandler compacts the buffer between reads.
        buffer.discardReadBytes()
    }
    fuzzCheck(offset == bytes.count, "chunks do not cover the input")
    // End of input: decodeLast until nothing more comes.
    var rounds = 0
    while true {
        while let frame = framer.nextFrame(from: &buffer) {
            checkFrame(frame, limits: limits)
            frames.append(frame)
        }
        guard let last = framer.finish(&buffer) else { break }
        checkFrame(last, limits: limits)
        frames.append(last)
        rounds += 1
        fuzzCheck(rounds <= 2, "finish keeps producing frames")
    }
    fuzzCheck(buffer.readableBytes == 0, "\(buffer.readableBytes) bytes left after end of input")
    fuzzCheck(frames.count <= lineFeeds + 1, "more frames than lines")
    return frames
}

/// What every frame must satisfy.
public func checkFrame(_ frame: InboundFrame, limits: LineFramingLimits) {
    switch frame {
    case .line(let text, let payload):
        fuzzCheck(text.utf8.count <= limits.maximumLineLength, "line of \(text.utf8.count) bytes accepted")
        for scalar in text.unicodeScalars {
            fuzzCheck(
                scalar == "\t" || (scalar.value >= 0x20 && scalar.value != 0x7F),
                "control character U+\(String(scalar.value, radix: 16)) in an accepted line"
            )
        }
        if let payload {
            fuzzCheck(payload.count <= limits.maximumPayloadLength, "literal of \(payload.count) bytes accepted")
        }
    case .invalid(.lineTooLong(let limit)):
        fuzzCheck(limit == limits.maximumLineLength, "wrong line limit reported")
    case .invalid(.payloadTooLarge(let declared, let limit)):
        fuzzCheck(limit == limits.maximumPayloadLength, "wrong literal limit reported")
        fuzzCheck(declared > limit, "literal of \(declared) bytes refused under limit \(limit)")
    case .invalid:
        break
    }
}

/// The framer limits a fuzz input asks for: production ones, or small ones that it can exceed.
public func framerLimits(_ input: FuzzInput) -> LineFramingLimits {
    if input.usesDefaultLimits { return LineFramingLimits() }
    return LineFramingLimits(maximumLineLength: 1 + input.smallLimit, maximumPayloadLength: input.smallLimit / 2)
}
