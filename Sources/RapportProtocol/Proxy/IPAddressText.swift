/// Strict parsing and canonical formatting of IP addresses, for PROXY headers.
enum IPAddressText {
    /// Parses a dotted quad (`192.0.2.1`; no leading zeros, which some stacks read as octal).
    static func parseIPv4(_ text: Substring) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var bytes: [UInt8] = []
        for part in parts {
            guard let byte = Self.decimalOctet(part) else { return nil }
            bytes.append(byte)
        }
        return bytes
    }

    /// Parses an IPv6 address in any RFC 4291 text form, including `::` and a trailing dotted quad.
    static func parseIPv6(_ text: Substring) -> [UInt8]? {
        guard let gap = text.firstRange(of: "::") else {
            guard let groups = Self.groups(text, allowIPv4Tail: true), groups.count == 16 else { return nil }
            return groups
        }
        let after = text[gap.upperBound...]
        guard !after.contains("::"),
            let head = Self.groups(text[..<gap.lowerBound], allowIPv4Tail: false),
            let tail = Self.groups(after, allowIPv4Tail: true),
            head.count + tail.count <= 14
        else { return nil }
        return head + [UInt8](repeating: 0, count: 16 - head.count - tail.count) + tail
    }

    /// Formats 4 bytes as a dotted quad.
    static func formatIPv4(_ bytes: some Collection<UInt8>) -> String {
        bytes.map { String($0) }.joined(separator: ".")
    }

    /// Formats 16 bytes per RFC 5952: lower-case, no leading zeros, the longest run of zero groups as `::`,
    /// and IPv4-mapped addresses as `::ffff:a.b.c.d`.
    static func formatIPv6(_ bytes: [UInt8]) -> String {
        precondition(bytes.count == 16)
        if bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF {
            return "::ffff:" + Self.formatIPv4(bytes[12..<16])
        }
        let groups = (0..<8).map { Int(bytes[2 * $0]) << 8 | Int(bytes[2 * $0 + 1]) }
        var bestStart = -1
        var bestLength = 1  // RFC 5952: a single zero group is not shortened
        var index = 0
        while index < 8 {
            guard groups[index] == 0 else {
                index += 1
                continue
            }
            var end = index
            while end < 8, groups[end] == 0 { end += 1 }
            if end - index > bestLength {
                bestStart = index
                bestLength = end - index
            }
            index = end
        }
        let hex = groups.map { String($0, radix: 16) }
        guard bestStart >= 0 else { return hex.joined(separator: ":") }
        let before = hex[0..<bestStart].joined(separator: ":")
        let after = hex[(bestStart + bestLength)...].joined(separator: ":")
        return before + "::" + after
    }

    /// The bytes of colon-separated hex groups, optionally ending in a dotted quad.
    private static func groups(_ text: Substring, allowIPv4Tail: Bool) -> [UInt8]? {
        if text.isEmpty { return [] }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        var bytes: [UInt8] = []
        for (position, part) in parts.enumerated() {
            if position == parts.count - 1, allowIPv4Tail, part.contains(".") {
                guard let quad = Self.parseIPv4(part) else { return nil }
                bytes += quad
                continue
            }
            guard (1...4).contains(part.count), part.allSatisfy(\.isHexDigit), let value = UInt16(part, radix: 16)
            else { return nil }
            bytes += [UInt8(value >> 8), UInt8(value & 0xFF)]
        }
        return bytes
    }

    private static func decimalOctet(_ text: Substring) -> UInt8? {
        guard (1...3).contains(text.count), text.allSatisfy(\.isASCIIDigit) else { return nil }
        guard text.count == 1 || text.first != "0" else { return nil }
        return UInt8(text)
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { self >= "0" && self <= "9" }
}
