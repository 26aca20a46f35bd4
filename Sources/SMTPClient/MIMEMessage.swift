import Foundation

/// An e-mail address with an optional display name.
public struct MailAddress: Sendable, Equatable {
    public var address: String
    public var name: String?

    public init(_ address: String, name: String? = nil) {
        self.address = address
        self.name = name
    }

    /// `Name <address>`: a plain name quoted, a non-ASCII one as RFC 2047 encoded words.
    var header: String {
        guard let name, !name.isEmpty else { return "<\(self.address)>" }
        if MIMEMessage.isPlainASCII(name) {
            let escaped = name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            return "\"\(escaped)\" <\(self.address)>"
        }
        return "\(MIMEMessage.encodedWords(name)) <\(self.address)>"
    }
}

/// An RFC 5322 / MIME (RFC 2045–2047) message: a plain or HTML body, optionally with attachments
/// (then `multipart/mixed`, each attachment base64). `rendered()` gives the bytes with CRLF line ends.
public struct MIMEMessage: Sendable {
    public enum Body: Sendable, Equatable {
        case plain(String)
        case html(String)
    }

    public struct Attachment: Sendable, Equatable {
        public var fileName: String
        public var contentType: String
        public var data: [UInt8]

        public init(fileName: String, contentType: String, data: [UInt8]) {
            self.fileName = fileName
            self.contentType = contentType
            self.data = data
        }
    }

    public var from: MailAddress
    public var to: [MailAddress]
    public var replyTo: MailAddress?
    public var subject: String
    public var date: Date
    /// Without the angle brackets: `local@domain`.
    public var messageID: String
    public var body: Body
    public var attachments: [Attachment]
    /// Extra header lines (name, value), e.g. X-Rapport-Entry.
    public var extraHeaders: [(String, String)]

    public init(
        from: MailAddress,
        to: [MailAddress],
        replyTo: MailAddress? = nil,
        subject: String,
        date: Date = Date(),
        messageID: String,
        body: Body,
        attachments: [Attachment] = [],
        extraHeaders: [(String, String)] = []
    ) {
        self.from = from
        self.to = to
        self.replyTo = replyTo
        self.subject = subject
        self.date = date
        self.messageID = messageID
        self.body = body
        self.attachments = attachments
        self.extraHeaders = extraHeaders
    }

    public func rendered() -> [UInt8] {
        // Built as bytes in one buffer: the worker renders every message of a batch (no Foundation
        // string searching on this path).
        var out: [UInt8] = []
        out.reserveCapacity(1024 + self.attachments.reduce(0) { $0 + $1.data.count * 4 / 3 + $1.data.count / 38 })
        func header(_ name: String, _ value: String) {
            out += name.utf8
            out += ": ".utf8
            out += value.utf8
            out += [13, 10]
        }
        header("From", self.from.header)
        header("To", self.to.map(\.header).joined(separator: ", "))
        if let replyTo { header("Reply-To", replyTo.header) }
        header("Subject", Self.isPlainASCII(self.subject) ? Self.folded(self.subject) : Self.encodedWords(self.subject))
        header("Date", Self.rfc5322Date(self.date))
        header("Message-ID", "<\(self.messageID)>")
        for (name, value) in self.extraHeaders { header(name, value) }
        header("MIME-Version", "1.0")
        if self.attachments.isEmpty {
            Self.appendBodyPart(self.body, to: &out)
            return out
        }
        let boundary =
            "=_rapport_"
            + String(decoding: self.messageID.utf8.filter(Self.isASCIIAlphanumeric).suffix(40), as: UTF8.self)
        header("Content-Type", "multipart/mixed; boundary=\"\(boundary)\"")
        out += "\r\nThis is a multi-part message in MIME format.\r\n--\(boundary)\r\n".utf8
        Self.appendBodyPart(self.body, to: &out)
        for attachment in self.attachments {
            let name =
                Self.isPlainASCII(attachment.fileName) && !attachment.fileName.contains("\"")
                ? "\"\(attachment.fileName)\"" : Self.encodedWords(attachment.fileName)
            out += "\r\n--\(boundary)\r\n".utf8
            out += "Content-Type: \(attachment.contentType); name=\(name)\r\n".utf8
            out += "Content-Transfer-Encoding: base64\r\n".utf8
            out += "Content-Disposition: attachment; filename=\(name)\r\n\r\n".utf8
            Self.appendBase64Lines(attachment.data, to: &out)
        }
        out += "\r\n--\(boundary)--\r\n".utf8
        return out
    }

    private static func isASCIIAlphanumeric(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x5a).contains(byte) || (0x61...0x7a).contains(byte)
    }

    /// A text part's headers, blank line and content (line ends made CRLF): 7bit when it is short-lined
    /// ASCII, else base64.
    private static func appendBodyPart(_ body: Body, to out: inout [UInt8]) {
        let (type, text): (String, String) =
            switch body {
            case .plain(let text): ("text/plain", text)
            case .html(let text): ("text/html", text)
            }
        var normalized: [UInt8] = []
        normalized.reserveCapacity(text.utf8.count + 16)
        var sevenBit = true
        var lineLength = 0
        var previous: UInt8 = 0
        for byte in text.utf8 {
            if byte == 10 {
                if previous != 13 { normalized.append(13) }
                lineLength = 0
            } else if byte != 13 {
                lineLength += 1
                if lineLength > 998 || byte >= 0x7f || (byte < 0x20 && byte != 0x09) { sevenBit = false }
            }
            normalized.append(byte)
            previous = byte
        }
        if previous == 13 { normalized.append(10) }  // a lone CR at the very end
        if sevenBit {
            out += "Content-Type: \(type); charset=us-ascii\r\nContent-Transfer-Encoding: 7bit\r\n\r\n".utf8
            out += normalized
            if normalized.last != 10 { out += [13, 10] }
            return
        }
        out += "Content-Type: \(type); charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n".utf8
        Self.appendBase64Lines(normalized, to: &out)
    }

    /// Base64 in lines of 76 characters, each ending CRLF.
    static func appendBase64Lines(_ data: [UInt8], to out: inout [UInt8]) {
        let encoded = Base64.encodeBytes(data)
        out.reserveCapacity(out.count + encoded.count + encoded.count / 76 * 2 + 2)
        var index = 0
        while index < encoded.count {
            let end = min(index + 76, encoded.count)
            out += encoded[index..<end]
            out += [13, 10]
            index = end
        }
    }

    static func isPlainASCII(_ text: String) -> Bool {
        text.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7f || $0 == 0x09 || $0 == 0x0a || $0 == 0x0d }
    }

    /// RFC 2047 `=?UTF-8?B?…?=` words of at most 75 characters, split between characters, joined by
    /// folding white space.
    static func encodedWords(_ text: String) -> String {
        var words: [String] = []
        var chunk: [UInt8] = []
        for character in text {
            let bytes = Array(String(character).utf8)
            if chunk.count + bytes.count > 45 {
                words.append("=?UTF-8?B?\(Base64.encode(chunk))?=")
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty || words.isEmpty { words.append("=?UTF-8?B?\(Base64.encode(chunk))?=") }
        return words.joined(separator: "\r\n ")
    }

    /// Folds a long ASCII header value at spaces (lines stay below 78 characters where possible).
    static func folded(_ text: String) -> String {
        let flat = text.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
        guard flat.count > 70 else { return flat }
        var lines: [String] = []
        var current = ""
        for word in flat.split(separator: " ") {
            if current.isEmpty {
                current = String(word)
            } else if current.count + 1 + word.count > 70 {
                lines.append(current)
                current = String(word)
            } else {
                current += " " + word
            }
        }
        lines.append(current)
        return lines.joined(separator: "\r\n ")
    }

    private static let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// `Fri, 27 Nov 2026 19:30:00 +0000`.
    static func rfc5322Date(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return
            "\(Self.days[Int(parts.tm_wday)]), \(parts.tm_mday) \(Self.months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) +0000"
    }
}
