/// One SMTP reply (RFC 5321 §4.2): a three-digit code and its text lines (a multi-line reply has
/// `250-…` continuation lines and a last `250 …` line).
public struct SMTPReply: Sendable, Equatable, CustomStringConvertible {
    public var code: Int
    public var lines: [String]

    public init(code: Int, lines: [String]) {
        self.code = code
        self.lines = lines
    }

    /// 2xx and 3xx: the step went through.
    public var isPositive: Bool { (200..<400).contains(self.code) }
    /// 4xx: try again later.
    public var isTransient: Bool { (400..<500).contains(self.code) }
    /// 5xx: do not retry.
    public var isPermanent: Bool { self.code >= 500 }

    /// The reply as the server sent it, lines joined with a space ("550 5.1.1 no such user").
    public var description: String {
        let text = self.lines.joined(separator: " ")
        return text.isEmpty ? String(self.code) : "\(self.code) \(text)"
    }
}
