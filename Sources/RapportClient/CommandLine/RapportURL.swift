/// A server address written as `rapport://[user@]host[:port]`.
///
/// The host may be a name, an IPv4 address or a bracketed IPv6 address (`rapport://[::1]:7878`). The user may be
/// percent-encoded. A secret in the URL (`user:secret@`) is refused: secrets never go on the command line.
public struct RapportURL: Sendable, Equatable, CustomStringConvertible {
    /// The URL scheme, without `://`.
    public static let scheme = "rapport"
    /// The port used when the URL names none.
    public static let defaultPort = 7878

    /// The user to log in as, if given.
    public var user: String?
    /// The host name or address (IPv6 without brackets).
    public var host: String
    /// The TCP port.
    public var port: Int

    /// Creates a URL from its parts.
    public init(user: String? = nil, host: String, port: Int = RapportURL.defaultPort) {
        self.user = user
        self.host = host
        self.port = port
    }

    /// Parses `rapport://[user@]host[:port][/]`.
    public init(parsing text: String) throws(UsageError) {
        let prefix = Self.scheme + "://"
        guard text.lowercased().hasPrefix(prefix) else {
            throw UsageError("URL must start with \(prefix): \(text)")
        }
        var authority = Substring(text.dropFirst(prefix.count))
        if authority.hasSuffix("/") { authority.removeLast() }
        if authority.contains(where: { "/?#".contains($0) }) {
            throw UsageError("URL may hold only [user@]host[:port]: \(text)")
        }
        if let at = authority.lastIndex(of: "@") {
            let userInfo = authority[..<at]
            if userInfo.contains(":") {
                throw UsageError("the URL must not hold a secret; set RAPPORT_PASSWORD or type it when asked")
            }
            guard let user = Self.percentDecoded(userInfo), !user.isEmpty else {
                throw UsageError("invalid user in URL: \(text)")
            }
            self.user = user
            authority = authority[authority.index(after: at)...]
        } else {
            self.user = nil
        }
        (self.host, self.port) = try Self.hostAndPort(authority, in: text)
    }

    /// The URL as text, with the user percent-encoded where needed.
    public var description: String {
        let user = self.user.map { Self.percentEncoded($0) + "@" } ?? ""
        let host = self.host.contains(":") ? "[\(self.host)]" : self.host
        return "\(Self.scheme)://\(user)\(host):\(self.port)"
    }

    /// Parses a port number, 1–65535.
    public static func port(_ text: some StringProtocol) -> Int? {
        guard !text.isEmpty, text.allSatisfy(\.isASCIIDigit), text.count <= 5, let port = Int(text),
            (1...65535).contains(port)
        else { return nil }
        return port
    }

    private static func hostAndPort(_ authority: Substring, in text: String) throws(UsageError) -> (String, Int) {
        var host: Substring
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw UsageError("unclosed [ in URL: \(text)") }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let rest = authority[authority.index(after: close)...]
            if !rest.isEmpty {
                guard rest.hasPrefix(":") else { throw UsageError("unexpected text after ] in URL: \(text)") }
                portText = rest.dropFirst()
            }
        } else {
            host = authority
            if let colon = authority.firstIndex(of: ":") {
                host = authority[..<colon]
                portText = authority[authority.index(after: colon)...]
            }
        }
        guard !host.isEmpty, !host.contains(where: { $0 == " " || $0 == "[" || $0 == "]" || $0 == "@" }) else {
            throw UsageError("invalid host in URL: \(text)")
        }
        guard let portText else { return (String(host), Self.defaultPort) }
        guard let port = Self.port(portText) else { throw UsageError("invalid port in URL: \(text)") }
        return (String(host), port)
    }

    private static func percentDecoded(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        var utf8 = text.utf8[...]
        while let byte = utf8.popFirst() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard utf8.count >= 2, let value = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16)
            else { return nil }
            bytes.append(value)
            utf8 = utf8.dropFirst(2)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func percentEncoded(_ text: String) -> String {
        var result = ""
        for byte in text.utf8 {
            let scalar = Unicode.Scalar(byte)
            if byte < 0x80,
                scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "-._~".contains(Character(scalar))
            {
                result.unicodeScalars.append(scalar)
            } else {
                result += "%" + (byte < 0x10 ? "0" : "") + String(byte, radix: 16, uppercase: true)
            }
        }
        return result
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
