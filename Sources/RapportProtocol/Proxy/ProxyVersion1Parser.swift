/// The text form: `PROXY TCP4|TCP6 src dst sport dport\r\n` or `PROXY UNKNOWN …\r\n`, at most 107 bytes.
enum ProxyVersion1Parser {
    private static let preamble = Array("PROXY ".utf8)
    private static let protocols = ["TCP4 ", "TCP6 ", "UNKNOWN"].map { Array($0.utf8) }

    static func parse(_ bytes: [UInt8]) -> ProxyParseResult {
        if let problem = Self.firstProblem(in: bytes) { return .invalid(problem) }
        // Only the first 107 bytes may hold the LF, whether the rest arrived in the same read or not.
        guard let lineFeed = bytes.prefix(ProxyProtocolParser.maximumVersion1Length).firstIndex(of: 0x0A) else {
            return bytes.count >= ProxyProtocolParser.maximumVersion1Length
                ? .invalid("PROXY v1 header longer than 107 bytes") : .needMoreData
        }
        // `firstProblem` guarantees a CR right before the LF.
        let line = String(decoding: bytes[Self.preamble.count..<(lineFeed - 1)], as: UTF8.self)
        switch Self.header(line) {
        case .some(let header): return .header(header, consumed: lineFeed + 1)
        case .none: return .invalid("malformed PROXY v1 header")
        }
    }

    /// Checks what can be checked on an incomplete header, so that garbage is refused early.
    private static func firstProblem(in bytes: [UInt8]) -> String? {
        for (index, byte) in bytes.prefix(Self.preamble.count).enumerated() where byte != Self.preamble[index] {
            return "not a PROXY protocol header"
        }
        guard bytes.count > Self.preamble.count else { return nil }
        let rest = bytes[Self.preamble.count...]
        guard Self.protocols.contains(where: { rest.starts(with: $0.prefix(rest.count)) })
        else { return "unknown PROXY v1 protocol" }
        for (index, byte) in zip(rest.indices, rest) {
            switch byte {
            case 0x0D:
                if index + 1 < bytes.count, bytes[index + 1] != 0x0A { return "CR without LF in PROXY v1 header" }
            case 0x0A:
                guard bytes[index - 1] == 0x0D else { return "LF without CR in PROXY v1 header" }
                return nil
            case 0x20...0x7E:
                continue
            default:
                return "invalid byte in PROXY v1 header"
            }
        }
        return nil
    }

    /// Parses the text between `PROXY ` and CRLF.
    private static func header(_ line: String) -> ProxyHeader? {
        if line == "UNKNOWN" || line.hasPrefix("UNKNOWN ") {
            // The specification says to ignore whatever follows UNKNOWN and keep the socket's addresses.
            return ProxyHeader(version: 1, command: .proxy)
        }
        let fields = line.split(separator: " ", omittingEmptySubsequences: false)
        guard fields.count == 5, let sourcePort = Self.port(fields[3]), let destinationPort = Self.port(fields[4])
        else { return nil }
        let source: String
        let destination: String
        switch fields[0] {
        case "TCP4":
            guard let sourceBytes = IPAddressText.parseIPv4(fields[1]),
                let destinationBytes = IPAddressText.parseIPv4(fields[2])
            else { return nil }
            source = IPAddressText.formatIPv4(sourceBytes)
            destination = IPAddressText.formatIPv4(destinationBytes)
        case "TCP6":
            guard let sourceBytes = IPAddressText.parseIPv6(fields[1]),
                let destinationBytes = IPAddressText.parseIPv6(fields[2])
            else { return nil }
            source = IPAddressText.formatIPv6(sourceBytes)
            destination = IPAddressText.formatIPv6(destinationBytes)
        default:
            return nil
        }
        return ProxyHeader(
            version: 1,
            command: .proxy,
            source: .init(host: source, port: sourcePort),
            destination: .init(host: destination, port: destinationPort)
        )
    }

    /// A decimal port 0–65535 without leading zeros.
    private static func port(_ text: Substring) -> Int? {
        guard (1...5).contains(text.count), text.allSatisfy({ $0 >= "0" && $0 <= "9" }),
            text.count == 1 || text.first != "0", let value = Int(text), value <= 65535
        else { return nil }
        return value
    }
}
