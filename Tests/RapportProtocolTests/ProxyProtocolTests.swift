import RapportProtocol
import Testing

@Suite struct ProxyProtocolTests {
    typealias Endpoint = ProxyHeader.Endpoint

    static let signature: [UInt8] = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A]

    /// A v2 header: signature, version/command, family, length, then `block`.
    static func version2(command: UInt8 = 0x21, family: UInt8, block: [UInt8]) -> [UInt8] {
        Self.signature + [command, family, UInt8(block.count >> 8), UInt8(block.count & 0xFF)] + block
    }

    static let ipv4Block: [UInt8] = [192, 0, 2, 1, 198, 51, 100, 2, 0xDC, 0x04, 0x01, 0xBB]
    static let ipv6Block: [UInt8] =
        [0x20, 0x01, 0x0D, 0xB8] + [UInt8](repeating: 0, count: 11) + [1]
        + [0x20, 0x01, 0x0D, 0xB8, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 2] + [0x00, 0x50, 0xFF, 0xFF]

    /// Every proper prefix of a valid header asks for more data.
    private func expectNeedsMoreDataForEveryPrefix(_ header: [UInt8], sourceLocation: SourceLocation = #_sourceLocation)
    {
        for length in 0..<header.count {
            #expect(
                ProxyProtocolParser.parse(header.prefix(length)) == .needMoreData,
                "prefix of \(length) bytes",
                sourceLocation: sourceLocation
            )
        }
    }

    @Test func parsesVersion1TCP4AndLeavesFollowingBytes() {
        let header = Array("PROXY TCP4 192.0.2.1 198.51.100.2 56324 443\r\n".utf8)
        let expected = ProxyHeader(
            version: 1,
            command: .proxy,
            source: Endpoint(host: "192.0.2.1", port: 56324),
            destination: Endpoint(host: "198.51.100.2", port: 443)
        )
        #expect(ProxyProtocolParser.parse(header + Array("PING\r\n".utf8)) == .header(expected, consumed: header.count))
        self.expectNeedsMoreDataForEveryPrefix(header)
    }

    @Test func parsesVersion1TCP6InCanonicalForm() {
        let header = Array("PROXY TCP6 2001:DB8:0:0:0:0:0:1 ::ffff:192.0.2.9 65535 0\r\n".utf8)
        let expected = ProxyHeader(
            version: 1,
            command: .proxy,
            source: Endpoint(host: "2001:db8::1", port: 65535),
            destination: Endpoint(host: "::ffff:192.0.2.9", port: 0)
        )
        #expect(ProxyProtocolParser.parse(header) == .header(expected, consumed: header.count))
        self.expectNeedsMoreDataForEveryPrefix(header)
    }

    @Test(
        arguments: [
            ("::1", "::1"), ("1::", "1::"), ("::", "::"), ("0:0:0:0:0:0:0:0", "::"),
            ("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"), ("2001:0DB8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),
            ("fe80::a:0:0:0:b", "fe80:0:0:a::b"), ("::ffff:0a00:0001", "::ffff:10.0.0.1"),
            ("::192.0.2.1", "::c000:201"),
        ]
    )
    func writesIPv6Canonically(given: String, canonical: String) {
        let header = Array("PROXY TCP6 \(given) ::1 1 2\r\n".utf8)
        guard case .header(let parsed, _) = ProxyProtocolParser.parse(header) else {
            Issue.record("\(given) refused")
            return
        }
        #expect(parsed.source?.host == canonical)
    }

    @Test func parsesVersion1Unknown() {
        for text in ["PROXY UNKNOWN\r\n", "PROXY UNKNOWN ffff:f::1 ffff:f::2 1 2\r\n"] {
            let header = Array(text.utf8)
            #expect(
                ProxyProtocolParser.parse(header + [0x50])
                    == .header(ProxyHeader(version: 1, command: .proxy), consumed: header.count)
            )
        }
    }

    @Test func rejectsMalformedVersion1() {
        let malformed = [
            "PROXY TCP4 192.0.2.1 198.51.100.2 56324\r\n",
            "PROXY TCP4 192.0.2 198.51.100.2 1 2\r\n",
            "PROXY TCP4 192.0.2.256 198.51.100.2 1 2\r\n",
            "PROXY TCP4 192.0.2.01 198.51.100.2 1 2\r\n",
            "PROXY TCP4 192.0.2.1 198.51.100.2 65536 2\r\n",
            "PROXY TCP4 192.0.2.1 198.51.100.2 01 2\r\n",
            "PROXY TCP4 192.0.2.1  198.51.100.2 1 2\r\n",
            "PROXY TCP4 ::1 ::2 1 2\r\n",
            "PROXY TCP6 192.0.2.1 198.51.100.2 1 2\r\n",
            "PROXY TCP6 1:::2 ::1 1 2\r\n",
            "PROXY TCP6 1::2::3 ::1 1 2\r\n",
            "PROXY TCP6 1:2:3:4:5:6:7:8:9 ::1 1 2\r\n",
            "PROXY UNKNOWNX\r\n",
        ]
        for text in malformed {
            #expect(ProxyProtocolParser.parse(Array(text.utf8)) == .invalid("malformed PROXY v1 header"), "\(text)")
        }
    }

    @Test func rejectsGarbageAsSoonAsPossible() {
        #expect(ProxyProtocolParser.parse(Array("G".utf8)) == .invalid("not a PROXY protocol header"))
        #expect(ProxyProtocolParser.parse(Array("PI".utf8)) == .invalid("not a PROXY protocol header"))
        #expect(ProxyProtocolParser.parse(Array("PROXY TCP5".utf8)) == .invalid("unknown PROXY v1 protocol"))
        #expect(
            ProxyProtocolParser.parse(Array("PROXY TCP4 1.2\n".utf8)) == .invalid("LF without CR in PROXY v1 header")
        )
        #expect(
            ProxyProtocolParser.parse(Array("PROXY TCP4 1\rX".utf8)) == .invalid("CR without LF in PROXY v1 header")
        )
        #expect(
            ProxyProtocolParser.parse(Array("PROXY TCP4 1\u{7}".utf8)) == .invalid("invalid byte in PROXY v1 header")
        )
        #expect(ProxyProtocolParser.parse([0x0D, 0x0A, 0x0D, 0x0A, 0x01]) == .invalid("not a PROXY protocol header"))
        #expect(ProxyProtocolParser.parse([0x00]) == .invalid("not a PROXY protocol header"))
        #expect(ProxyProtocolParser.parse([]) == .needMoreData)
    }

    @Test func rejectsOverlongVersion1() {
        let text = "PROXY UNKNOWN " + String(repeating: "x", count: 93)  // 107 bytes and still no CRLF
        #expect(ProxyProtocolParser.parse(Array(text.utf8).dropLast()) == .needMoreData)
        #expect(ProxyProtocolParser.parse(Array(text.utf8)) == .invalid("PROXY v1 header longer than 107 bytes"))
    }

    /// Found by the fuzzer (Fuzz/FuzzProxyHeader): a line whose CRLF arrived in the same read as its 108th byte
    /// was accepted, while the same bytes read one at a time were refused.
    @Test func rejectsOverlongVersion1EvenWithItsLineEnd() {
        let fitting = "PROXY UNKNOWN " + String(repeating: "o", count: 91) + "\r\n"  // 107 bytes with CRLF
        #expect(
            ProxyProtocolParser.parse(Array(fitting.utf8))
                == .header(ProxyHeader(version: 1, command: .proxy), consumed: 107)
        )
        let overlong = "PROXY UNKNOWN ff:" + String(repeating: "o", count: 109) + "f1 2\r\n"
        #expect(ProxyProtocolParser.parse(Array(overlong.utf8)) == .invalid("PROXY v1 header longer than 107 bytes"))
        #expect(
            ProxyProtocolParser.parse(Array(overlong.utf8).prefix(107))
                == .invalid("PROXY v1 header longer than 107 bytes")
        )
        let tcp4 = "PROXY TCP4 192.0.2.1 198.51.100.2 1 2" + String(repeating: " ", count: 70) + "\r\n"
        #expect(ProxyProtocolParser.parse(Array(tcp4.utf8)) == .invalid("PROXY v1 header longer than 107 bytes"))
    }

    @Test func parsesVersion2IPv4SkippingTLVsAndLeavesFollowingBytes() {
        let tlvs: [UInt8] = [0x04, 0x00, 0x02, 0xAA, 0xBB]  // PP2_TYPE_NOOP with two bytes
        let header = Self.version2(family: 0x11, block: Self.ipv4Block + tlvs)
        let expected = ProxyHeader(
            version: 2,
            command: .proxy,
            source: Endpoint(host: "192.0.2.1", port: 56324),
            destination: Endpoint(host: "198.51.100.2", port: 443)
        )
        #expect(ProxyProtocolParser.parse(header + Array("PING\r\n".utf8)) == .header(expected, consumed: header.count))
        #expect(header.count == 16 + 12 + 5)
        self.expectNeedsMoreDataForEveryPrefix(header)
    }

    @Test func parsesVersion2IPv6() {
        let header = Self.version2(family: 0x21, block: Self.ipv6Block)
        let expected = ProxyHeader(
            version: 2,
            command: .proxy,
            source: Endpoint(host: "2001:db8::1", port: 80),
            destination: Endpoint(host: "2001:db8::1:0:0:2", port: 65535)  // RFC 5952: first of equal runs
        )
        #expect(ProxyProtocolParser.parse(header + [0xFF]) == .header(expected, consumed: 52))
        self.expectNeedsMoreDataForEveryPrefix(header)
    }

    @Test func parsesVersion2LocalAndUnspecified() {
        let local = Self.version2(command: 0x20, family: 0x00, block: [])
        #expect(ProxyProtocolParser.parse(local) == .header(ProxyHeader(version: 2, command: .local), consumed: 16))
        // LOCAL ignores whatever family and addresses it carries.
        let localWithAddresses = Self.version2(command: 0x20, family: 0x12, block: Self.ipv4Block)
        #expect(
            ProxyProtocolParser.parse(localWithAddresses)
                == .header(ProxyHeader(version: 2, command: .local), consumed: 28)
        )
        let unspecified = Self.version2(family: 0x00, block: [1, 2, 3])
        #expect(
            ProxyProtocolParser.parse(unspecified) == .header(ProxyHeader(version: 2, command: .proxy), consumed: 19)
        )
        self.expectNeedsMoreDataForEveryPrefix(local)
    }

    @Test func rejectsMalformedVersion2() {
        #expect(ProxyProtocolParser.parse(Self.signature + [0x11]) == .invalid("unsupported PROXY protocol version"))
        #expect(ProxyProtocolParser.parse(Self.signature + [0x22]) == .invalid("unknown PROXY v2 command"))
        #expect(
            ProxyProtocolParser.parse(Self.version2(family: 0x11, block: Array(Self.ipv4Block.prefix(11))))
                == .invalid("PROXY v2 IPv4 address block too short")
        )
        #expect(
            ProxyProtocolParser.parse(Self.version2(family: 0x21, block: Self.ipv4Block))
                == .invalid("PROXY v2 IPv6 address block too short")
        )
        #expect(
            ProxyProtocolParser.parse(Self.version2(family: 0x12, block: Self.ipv4Block))
                == .invalid("unsupported PROXY v2 address family 0x12")
        )
    }

    @Test func boundsVersion2Length() {
        // Decided from the 16-byte preamble alone, before any of the announced bytes arrive.
        let preamble = Self.signature + [0x21, 0x11, 0x02, 0x09]  // 521 + 16 = 537 bytes
        #expect(ProxyProtocolParser.parse(preamble) == .invalid("PROXY v2 header longer than 536 bytes"))
        let largest = Self.version2(family: 0x11, block: Self.ipv4Block + [UInt8](repeating: 0, count: 520 - 12))
        #expect(largest.count == 536)
        guard case .header(_, consumed: 536) = ProxyProtocolParser.parse(largest) else {
            Issue.record("a 536-byte header must be accepted")
            return
        }
    }
}
