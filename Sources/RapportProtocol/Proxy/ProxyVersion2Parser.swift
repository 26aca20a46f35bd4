/// The binary form: 12-byte signature, version/command, family/transport, 16-bit length, addresses, TLVs.
enum ProxyVersion2Parser {
    private static let preambleLength = 16
    private static let ipv4BlockLength = 12
    private static let ipv6BlockLength = 36

    static func parse(_ bytes: [UInt8], maximumLength: Int) -> ProxyParseResult {
        let signature = ProxyProtocolParser.version2Signature
        guard bytes.starts(with: signature.prefix(bytes.count)) else {
            return .invalid("not a PROXY protocol header")
        }
        if bytes.count > 12 {
            guard bytes[12] >> 4 == 2 else { return .invalid("unsupported PROXY protocol version") }
            guard bytes[12] & 0x0F <= 1 else { return .invalid("unknown PROXY v2 command") }
        }
        guard bytes.count >= Self.preambleLength else { return .needMoreData }
        let isLocal = bytes[12] & 0x0F == 0
        let family = bytes[13]
        let blockLength = Int(bytes[14]) << 8 | Int(bytes[15])
        let total = Self.preambleLength + blockLength
        guard total <= maximumLength else { return .invalid("PROXY v2 header longer than \(maximumLength) bytes") }
        if !isLocal, let problem = Self.familyProblem(family, blockLength: blockLength) { return .invalid(problem) }
        guard bytes.count >= total else { return .needMoreData }
        // TLVs after the address block carry nothing we use; they are skipped with it.
        if isLocal { return .header(ProxyHeader(version: 2, command: .local), consumed: total) }
        let block = Array(bytes[Self.preambleLength..<total])
        return .header(Self.proxyHeader(family: family, block: block), consumed: total)
    }

    /// Only TCP over IPv4/IPv6, or unspecified, can be relayed to this server.
    private static func familyProblem(_ family: UInt8, blockLength: Int) -> String? {
        switch family {
        case 0x00: return nil
        case 0x11: return blockLength < Self.ipv4BlockLength ? "PROXY v2 IPv4 address block too short" : nil
        case 0x21: return blockLength < Self.ipv6BlockLength ? "PROXY v2 IPv6 address block too short" : nil
        default: return "unsupported PROXY v2 address family 0x\(String(family, radix: 16))"
        }
    }

    private static func proxyHeader(family: UInt8, block: [UInt8]) -> ProxyHeader {
        func port(at offset: Int) -> Int { Int(block[offset]) << 8 | Int(block[offset + 1]) }
        switch family {
        case 0x11:
            return ProxyHeader(
                version: 2,
                command: .proxy,
                source: .init(host: IPAddressText.formatIPv4(block[0..<4]), port: port(at: 8)),
                destination: .init(host: IPAddressText.formatIPv4(block[4..<8]), port: port(at: 10))
            )
        case 0x21:
            return ProxyHeader(
                version: 2,
                command: .proxy,
                source: .init(host: IPAddressText.formatIPv6(Array(block[0..<16])), port: port(at: 32)),
                destination: .init(host: IPAddressText.formatIPv6(Array(block[16..<32])), port: port(at: 34))
            )
        default:
            // UNSPEC: the balancer does not know the client; keep the socket's addresses.
            return ProxyHeader(version: 2, command: .proxy)
        }
    }
}
