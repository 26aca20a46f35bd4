/// Checks the bytes of one line (terminator already removed) and turns them into a `String`.
enum LineValidation {
    private static let carriageReturn: UInt8 = 0x0D
    private static let tab: UInt8 = 0x09
    private static let delete: UInt8 = 0x7F

    /// Decodes `bytes` as a line of text, or says why it is not one.
    ///
    /// Byte-level problems (CR, NUL, control characters) are checked first, in order of appearance, because they
    /// name the cause more precisely than "invalid UTF-8" would.
    static func decode(_ bytes: UnsafeRawBufferPointer) -> Result<String, FramingError> {
        for byte in bytes where byte < 0x20 || byte == Self.delete {
            switch byte {
            case Self.tab: continue
            case Self.carriageReturn: return .failure(.bareCarriageReturn)
            case 0: return .failure(.nulByte)
            default: return .failure(.controlCharacter)
            }
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            return .failure(.invalidUTF8)
        }
        return .success(text)
    }

    /// Convenience for byte arrays.
    static func decode(_ bytes: [UInt8]) -> Result<String, FramingError> {
        bytes.withUnsafeBytes { Self.decode($0) }
    }
}
