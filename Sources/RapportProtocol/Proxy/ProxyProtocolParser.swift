/// Parses a PROXY protocol header (v1 text or v2 binary) from the first bytes of a connection.
///
/// Pure and incremental: call ``parse(_:)`` with all bytes received so far; it never reports more bytes as
/// consumed than the header's own, and it rejects input as soon as the bytes seen cannot begin a header (the first
/// byte already decides between v1, v2 and garbage). Only accept a header from configured balancer addresses, and
/// bound the wait with a deadline: the parser does not guess whether a header is present.
public enum ProxyProtocolParser {
    /// Longest v1 header, including CRLF, fixed by the specification.
    public static let maximumVersion1Length = 107
    /// Longest v2 header accepted by default: the 16-byte preamble, the largest (unix) address block and some TLVs.
    public static let defaultMaximumVersion2Length = 536

    /// The 12-byte v2 signature `\r\n\r\n\0\r\nQUIT\n`.
    static let version2Signature: [UInt8] = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A]

    /// Parses the header at the start of `bytes`.
    ///
    /// - Parameter maximumVersion2Length: the largest v2 header (preamble included) accepted.
    public static func parse(
        _ bytes: some Collection<UInt8>,
        maximumVersion2Length: Int = defaultMaximumVersion2Length
    ) -> ProxyParseResult {
        // Neither version reads beyond its bound, so copying that much is all that is ever needed.
        let prefix = Array(bytes.prefix(max(maximumVersion2Length, Self.maximumVersion1Length)))
        guard let first = prefix.first else { return .needMoreData }
        switch first {
        case UInt8(ascii: "P"): return ProxyVersion1Parser.parse(prefix)
        case Self.version2Signature[0]: return ProxyVersion2Parser.parse(prefix, maximumLength: maximumVersion2Length)
        default: return .invalid("not a PROXY protocol header")
        }
    }
}
