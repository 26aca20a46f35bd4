import NIOCore

/// The framing state machine behind ``LineFrameDecoder``, independent of any channel.
///
/// Feed it the accumulated input buffer; it consumes what it has decided about and leaves the rest. Memory stays
/// bounded: at most `maximumLineLength + 2` bytes of an unfinished line are kept, over-long lines and oversized
/// literals are discarded as they arrive, and only an accepted literal is buffered whole.
public struct LineFramer: Sendable {
    private static let lineFeed: UInt8 = 0x0A
    private static let carriageReturn: UInt8 = 0x0D
    /// How much of an over-long line's end is remembered, to notice a literal marker on it.
    private static let discardedTailLength = 64

    private enum State: Sendable {
        /// Looking for the LF of the next line; bytes before `scanOffset` are known to contain none.
        case scanning(scanOffset: Int)
        /// Throwing away an over-long line until its LF, remembering its last bytes.
        case discardingLongLine(tail: [UInt8])
        /// A valid line declared a literal that is still arriving.
        case awaitingPayload(line: String, length: Int)
        /// Throwing away the bytes of a literal that was refused.
        case skippingPayload(remaining: Int)
    }

    /// The limits in force.
    public let limits: LineFramingLimits
    private var state: State = .scanning(scanOffset: 0)

    /// Creates a framer with the given limits.
    public init(limits: LineFramingLimits = LineFramingLimits()) {
        self.limits = limits
    }

    /// Whether the framer is in the middle of something: part of a line, a literal or a discarded line has been
    /// seen but not yet reported. A server can use it for a partial-line deadline.
    public func hasPartialInput(_ buffer: ByteBuffer) -> Bool {
        switch self.state {
        case .scanning: return buffer.readableBytes > 0
        case .discardingLongLine, .awaitingPayload, .skippingPayload: return true
        }
    }

    /// Consumes input from `buffer` and returns the next frame, or nil when more input is needed.
    public mutating func nextFrame(from buffer: inout ByteBuffer) -> InboundFrame? {
        while true {
            switch self.state {
            case .scanning(let scanOffset):
                switch self.scanForLine(in: &buffer, from: scanOffset) {
                case .frame(let frame): return frame
                case .progress: continue
                case .needMoreData: return nil
                }
            case .discardingLongLine(let tail):
                return self.discardLongLine(in: &buffer, tail: tail)
            case .awaitingPayload(let line, let length):
                guard let payload = buffer.readBytes(length: length) else { return nil }
                self.state = .scanning(scanOffset: 0)
                return .line(line, payload: payload)
            case .skippingPayload(let remaining):
                let skipped = min(remaining, buffer.readableBytes)
                buffer.moveReaderIndex(forwardBy: skipped)
                guard skipped == remaining else {
                    self.state = .skippingPayload(remaining: remaining - skipped)
                    return nil
                }
                self.state = .scanning(scanOffset: 0)
            }
        }
    }

    /// Called at end of input after ``nextFrame(from:)`` returned nil: reports a final line that lacks its LF.
    ///
    /// An incomplete literal is dropped silently (its request never fully arrived).
    public mutating func finish(_ buffer: inout ByteBuffer) -> InboundFrame? {
        switch self.state {
        case .scanning:
            guard buffer.readableBytes > 0 else { return nil }
            let lineLength = buffer.readableBytes
            self.state = .scanning(scanOffset: 0)
            let bytes = buffer.readBytes(length: lineLength) ?? []
            let hasCarriageReturn = bytes.last == Self.carriageReturn
            let content = hasCarriageReturn ? Array(bytes.dropLast()) : bytes
            if content.count > self.limits.maximumLineLength {
                return .invalid(.lineTooLong(limit: self.limits.maximumLineLength))
            }
            return self.finalLine(content)
        case .discardingLongLine:
            buffer.moveReaderIndex(to: buffer.writerIndex)
            self.state = .scanning(scanOffset: 0)
            return .invalid(.lineTooLong(limit: self.limits.maximumLineLength))
        case .awaitingPayload, .skippingPayload:
            buffer.moveReaderIndex(to: buffer.writerIndex)
            self.state = .scanning(scanOffset: 0)
            return nil
        }
    }

    private enum ScanOutcome {
        case frame(InboundFrame)
        case progress
        case needMoreData
    }

    private mutating func scanForLine(in buffer: inout ByteBuffer, from scanOffset: Int) -> ScanOutcome {
        // Content may be `maximumLineLength` bytes plus a CR, so the LF can sit at most at index limit + 1.
        let scanLimit = min(buffer.readableBytes, self.limits.maximumLineLength + 2)
        let lineFeedIndex = buffer.withUnsafeReadableBytes { bytes -> Int? in
            var index = scanOffset
            while index < scanLimit {
                if bytes[index] == Self.lineFeed { return index }
                index += 1
            }
            return nil
        }
        guard let lineFeedIndex else {
            if scanLimit == self.limits.maximumLineLength + 2 {
                // Too long whatever follows: drop what was scanned; the rest is searched while discarding.
                let tail = buffer.readableBytesView.prefix(scanLimit).suffix(Self.discardedTailLength)
                self.state = .discardingLongLine(tail: Array(tail))
                buffer.moveReaderIndex(forwardBy: scanLimit)
                return .progress
            }
            self.state = .scanning(scanOffset: scanLimit)
            return .needMoreData
        }
        self.state = .scanning(scanOffset: 0)
        let frame = buffer.withUnsafeReadableBytes { bytes -> InboundFrame? in
            var contentLength = lineFeedIndex
            if contentLength > 0, bytes[contentLength - 1] == Self.carriageReturn { contentLength -= 1 }
            if contentLength > self.limits.maximumLineLength {
                return .invalid(.lineTooLong(limit: self.limits.maximumLineLength))
            }
            return self.completeLine(UnsafeRawBufferPointer(rebasing: bytes[0..<contentLength]))
        }
        buffer.moveReaderIndex(forwardBy: lineFeedIndex + 1)
        if let frame { return .frame(frame) }
        return .progress
    }

    private mutating func discardLongLine(in buffer: inout ByteBuffer, tail: [UInt8]) -> InboundFrame? {
        let view = buffer.readableBytesView
        guard let lineFeed = view.firstIndex(of: Self.lineFeed) else {
            self.state = .discardingLongLine(tail: Self.keepTail(tail + view.suffix(Self.discardedTailLength)))
            buffer.moveReaderIndex(to: buffer.writerIndex)
            return nil
        }
        var lineEnd = Self.keepTail(tail + view[view.startIndex..<lineFeed].suffix(Self.discardedTailLength))
        buffer.moveReaderIndex(forwardBy: lineFeed - view.startIndex + 1)
        if lineEnd.last == Self.carriageReturn { lineEnd.removeLast() }
        if let marker = LiteralMarker.find(in: lineEnd, requireText: false) {
            self.state = .skippingPayload(remaining: marker.declaredLength)
        } else {
            self.state = .scanning(scanOffset: 0)
        }
        return .invalid(.lineTooLong(limit: self.limits.maximumLineLength))
    }

    /// Decides about a complete line; returns nil when the line's literal is still to be read.
    private mutating func completeLine(_ content: UnsafeRawBufferPointer) -> InboundFrame? {
        guard let marker = LiteralMarker.find(in: content) else {
            switch LineValidation.decode(content) {
            case .success(let line): return .line(line, payload: nil)
            case .failure(let error): return .invalid(error)
            }
        }
        let text = UnsafeRawBufferPointer(rebasing: content[0..<marker.textLength])
        switch LineValidation.decode(text) {
        case .failure(let error):
            // The sender still sends the literal: skip it so that it is not read as lines.
            self.state = .skippingPayload(remaining: marker.declaredLength)
            return .invalid(error)
        case .success where marker.declaredLength > self.limits.maximumPayloadLength:
            self.state = .skippingPayload(remaining: marker.declaredLength)
            return .invalid(.payloadTooLarge(declared: marker.declaredLength, limit: self.limits.maximumPayloadLength))
        case .success(let line):
            self.state = .awaitingPayload(line: line, length: marker.declaredLength)
            return nil
        }
    }

    /// An unterminated last line: only a literal of zero bytes can still be complete.
    private mutating func finalLine(_ content: [UInt8]) -> InboundFrame? {
        let frame = content.withUnsafeBytes { self.completeLine($0) }
        if case .awaitingPayload(let line, 0) = self.state {
            self.state = .scanning(scanOffset: 0)
            return .line(line, payload: [])
        }
        if frame == nil { self.state = .scanning(scanOffset: 0) }
        return frame
    }

    private static func keepTail(_ bytes: some Collection<UInt8>) -> [UInt8] {
        Array(bytes.suffix(Self.discardedTailLength))
    }
}
