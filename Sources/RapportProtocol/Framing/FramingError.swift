/// Why the framer refused a line of input.
///
/// Each of these is reported once, for the line it concerns; the session survives and decoding continues with the
/// next line.
public enum FramingError: Error, Sendable, Equatable {
    /// The line was longer than `limit` bytes (not counting its terminator); it was discarded up to its LF.
    case lineTooLong(limit: Int)
    /// A carriage return (CR) appeared somewhere other than right before the LF.
    case bareCarriageReturn
    /// The line contained a NUL byte.
    case nulByte
    /// The line contained a C0 control character other than TAB, or DEL.
    case controlCharacter
    /// The line was not valid UTF-8 (stray or truncated sequences, overlong encodings, surrogates, …).
    case invalidUTF8
    /// A literal marker `{N}` declared more bytes than allowed; the `declared` bytes were skipped.
    case payloadTooLarge(declared: Int, limit: Int)
}
