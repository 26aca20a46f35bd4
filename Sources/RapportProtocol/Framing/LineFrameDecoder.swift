import NIOCore

/// Cuts client input into request lines and their literals, enforcing the protocol's byte-level rules.
///
/// Lines end in LF, optionally preceded by one CR. A line that breaks a rule is consumed up to and including its LF
/// and reported once as ``InboundFrame/invalid(_:)``; decoding then continues with the next line. See
/// ``LineFramer`` for the state machine.
public struct LineFrameDecoder: ByteToMessageDecoder, Sendable {
    public typealias InboundOut = InboundFrame

    private var framer: LineFramer

    /// Creates a decoder with the given limits.
    public init(limits: LineFramingLimits = LineFramingLimits()) {
        self.framer = LineFramer(limits: limits)
    }

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let frame = self.framer.nextFrame(from: &buffer) else { return .needMoreData }
        context.fireChannelRead(Self.wrapInboundOut(frame))
        return .continue
    }

    public mutating func decodeLast(
        context: ChannelHandlerContext,
        buffer: inout ByteBuffer,
        seenEOF: Bool
    ) throws -> DecodingState {
        if let frame = self.framer.nextFrame(from: &buffer) {
            context.fireChannelRead(Self.wrapInboundOut(frame))
            return .continue
        }
        // `printf 'PING' | nc -N` sends no LF: at EOF the unterminated line is still a request.
        if seenEOF, let frame = self.framer.finish(&buffer) {
            context.fireChannelRead(Self.wrapInboundOut(frame))
            return .continue
        }
        return .needMoreData
    }
}
