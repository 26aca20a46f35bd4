/// Finds a trailing literal marker `{N}` in the raw bytes of a line.
///
/// The check is done on bytes and ignores quoting on purpose: a line whose last token is `{N}` inside an
/// unterminated quote is a syntax error either way, and when the sender wrote `{N}` it most likely sends N bytes
/// next, so swallowing them keeps the session in step.
enum LiteralMarker {
    /// Digits beyond this would overflow `Int`; such a declaration saturates to `Int.max`.
    private static let maximumDigits = 18

    /// Where the marker starts and how many bytes it declares.
    struct Match: Equatable {
        /// Length of the line text before the marker, with the blanks in between trimmed.
        var textLength: Int
        /// The declared number of payload bytes.
        var declaredLength: Int
    }

    /// Returns the marker at the end of `line`, if its last token is `{N}` preceded by a blank and some text.
    ///
    /// - Parameter requireText: whether non-blank text must precede the marker (false when only a tail of a
    ///   discarded line is available).
    static func find(in line: UnsafeRawBufferPointer, requireText: Bool = true) -> Match? {
        var end = line.count
        while end > 0, isBlank(line[end - 1]) { end -= 1 }
        guard end >= 3, line[end - 1] == UInt8(ascii: "}") else { return nil }
        var digitsStart = end - 1
        while digitsStart > 0, isDigit(line[digitsStart - 1]) { digitsStart -= 1 }
        let digitCount = end - 1 - digitsStart
        guard digitCount > 0, digitsStart >= 2, line[digitsStart - 1] == UInt8(ascii: "{"),
            isBlank(line[digitsStart - 2])
        else { return nil }
        var textEnd = digitsStart - 2
        while textEnd > 0, isBlank(line[textEnd - 1]) { textEnd -= 1 }
        if requireText, textEnd == 0 { return nil }
        var declared = 0
        if digitCount > Self.maximumDigits {
            declared = Int.max
        } else {
            for index in digitsStart..<(end - 1) { declared = declared * 10 + Int(line[index] - UInt8(ascii: "0")) }
        }
        return Match(textLength: textEnd, declaredLength: declared)
    }

    /// Convenience for byte arrays.
    static func find(in line: [UInt8], requireText: Bool = true) -> Match? {
        line.withUnsafeBytes { Self.find(in: $0, requireText: requireText) }
    }

    private static func isBlank(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
}
