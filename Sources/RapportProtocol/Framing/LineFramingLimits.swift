/// Size limits applied by ``LineFrameDecoder``.
public struct LineFramingLimits: Sendable, Equatable {
    /// Longest accepted line in bytes, not counting its terminator.
    public var maximumLineLength: Int
    /// Largest accepted literal (`{N}`) in bytes.
    public var maximumPayloadLength: Int

    /// Creates limits; the defaults are 8 KiB per line and 16 MiB per literal.
    public init(maximumLineLength: Int = 8192, maximumPayloadLength: Int = 16 * 1024 * 1024) {
        precondition(maximumLineLength > 0 && maximumPayloadLength >= 0, "limits must be positive")
        self.maximumLineLength = maximumLineLength
        self.maximumPayloadLength = maximumPayloadLength
    }
}
