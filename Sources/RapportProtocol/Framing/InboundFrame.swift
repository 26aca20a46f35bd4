/// One unit of client input, as cut by ``LineFrameDecoder``.
public enum InboundFrame: Sendable, Equatable {
    /// A well-formed request line, without its terminator, and the raw bytes of its literal if it declared one.
    ///
    /// When a payload is present, the literal marker `{N}` (and the blanks before it) have been removed from the
    /// line.
    case line(String, payload: [UInt8]?)
    /// A line that could not be accepted; the bytes it spanned have been consumed.
    case invalid(FramingError)
}
