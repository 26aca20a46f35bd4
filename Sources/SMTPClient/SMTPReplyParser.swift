/// Splits the bytes a server sends into replies (RFC 5321 §4.2): lines end with CRLF (a bare LF is
/// accepted); `250-text` continues a reply, `250 text` (or a bare `250`) ends it. Pure: no I/O.
public struct SMTPReplyParser: Sendable {
    private var pending: [UInt8] = []
    private var code: Int?
    private var lines: [String] = []
    /// The longest line accepted (RFC 5321 §4.5.3.1.5: 512 octets; servers exceed it a little).
    public var maximumLineLength = 4096

    public init() {}

    /// Feeds received bytes; returns every reply they complete, in order.
    public mutating func feed<Bytes: Sequence>(_ bytes: Bytes) throws(SMTPError) -> [SMTPReply]
    where Bytes.Element == UInt8 {
        var replies: [SMTPReply] = []
        for byte in bytes {
            if byte == UInt8(ascii: "\n") {
                var line = self.pending
                self.pending.removeAll(keepingCapacity: true)
                if line.last == UInt8(ascii: "\r") { line.removeLast() }
                if let reply = try self.line(line) { replies.append(reply) }
            } else {
                self.pending.append(byte)
                if self.pending.count > self.maximumLineLength {
                    throw .protocolViolation("reply line longer than \(self.maximumLineLength) bytes")
                }
            }
        }
        return replies
    }

    private mutating func line(_ bytes: [UInt8]) throws(SMTPError) -> SMTPReply? {
        guard bytes.count >= 3, bytes[0..<3].allSatisfy({ (0x30...0x39).contains($0) }),
            let code = Int(String(decoding: bytes[0..<3], as: UTF8.self)), (200...599).contains(code)
        else {
            throw .protocolViolation("not an SMTP reply: \(String(decoding: bytes.prefix(80), as: UTF8.self))")
        }
        if let expected = self.code, expected != code {
            throw .protocolViolation("reply code changed inside a multi-line reply (\(expected), then \(code))")
        }
        let separator = bytes.count > 3 ? bytes[3] : UInt8(ascii: " ")
        guard separator == UInt8(ascii: " ") || separator == UInt8(ascii: "-") else {
            throw .protocolViolation("bad separator after reply code \(code)")
        }
        let text = bytes.count > 4 ? String(decoding: bytes[4...], as: UTF8.self) : ""
        self.lines.append(text)
        if separator == UInt8(ascii: "-") {
            self.code = code
            return nil
        }
        let reply = SMTPReply(code: code, lines: self.lines)
        self.code = nil
        self.lines = []
        return reply
    }
}

/// Why an SMTP session could not go on. A message refused by the server is not an error: see
/// `SMTPDelivery`.
public enum SMTPError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The server broke the protocol (garbage, a reply nobody asked for).
    case protocolViolation(String)
    /// The server refused a session step (greeting, EHLO/HELO, STARTTLS, AUTH) with this reply.
    case refused(step: String, SMTPReply)
    /// STARTTLS is required but the server does not offer it.
    case tlsNotOffered
    /// AUTH is configured but the server offers neither PLAIN nor LOGIN.
    case authenticationNotOffered
    /// The connection could not be opened, or it closed, or a reply did not come in time.
    case connection(String)

    public var description: String {
        switch self {
        case .protocolViolation(let text): return "SMTP protocol violation: \(text)"
        case .refused(let step, let reply): return "\(step) refused: \(reply)"
        case .tlsNotOffered: return "the SMTP server does not offer STARTTLS, which is required"
        case .authenticationNotOffered: return "the SMTP server offers neither AUTH PLAIN nor AUTH LOGIN"
        case .connection(let text): return text
        }
    }

    /// A later try may succeed: connection trouble and 4xx replies. A 5xx refusal of a session step
    /// (bad credentials, say) is permanent for the session but says nothing about the message: the
    /// worker still retries it (within its limit), since the setup may be fixed meanwhile.
    public var isTransient: Bool {
        switch self {
        case .refused(_, let reply): return reply.isTransient
        case .connection: return true
        case .protocolViolation, .tlsNotOffered, .authenticationNotOffered: return false
        }
    }
}
