/// The client side of an SMTP session (RFC 5321) as pure logic: it is fed the server's replies and
/// answers with what to do (bytes to write, the TLS upgrade, a message's outcome). No I/O; the
/// connection (`SMTPConnection`) drives it, and tests can drive it with scripted replies.
///
///     greeting 220 → EHLO → [STARTTLS → 220 → (TLS) → EHLO] → [AUTH PLAIN | AUTH LOGIN] → ready
///     ready → MAIL FROM → RCPT TO (each) → DATA → 354 → message + "." → 250 → ready
///     (with PIPELINING offered, MAIL, the RCPTs and DATA go out in one write, RFC 2920)
///     a 4xx/5xx in a transaction → RSET → 250 → ready (the outcome is reported then)
///     ready → QUIT → 221
public struct SMTPDialogue: Sendable {
    public enum TLSMode: String, Sendable, CaseIterable {
        /// Never STARTTLS.
        case off
        /// STARTTLS when the server offers it.
        case optional
        /// STARTTLS or no session.
        case required
        /// TLS from the first byte, before the greeting (SMTPS, port 465; RFC 8314): no STARTTLS.
        case implicit
    }

    public struct Credentials: Sendable, Equatable {
        public var user: String
        public var password: String

        public init(user: String, password: String) {
            self.user = user
            self.password = password
        }
    }

    /// What the connection does next.
    public enum Action: Sendable, Equatable {
        case write([UInt8])
        /// Put TLS under the connection now (the server said 220 to STARTTLS), then call `tlsEstablished()`.
        case startTLS
        /// The session is set up: a message may be sent.
        case ready
        /// The message sent last has its outcome (the session is ready again).
        case finished(SMTPDelivery)
        /// QUIT was answered (or the session is over): close the connection.
        case close
    }

    private enum State: Sendable {
        case greeting
        case ehlo
        case helo
        case startTLS
        case awaitingTLS
        case authPlain
        case authLoginUser
        case authLoginPassword
        case authLoginDone
        case ready
        case mail(Transaction)
        case rcpt(Transaction, Int)
        case data(Transaction)
        case body(Transaction)
        /// Pipelined commands after a refusal: replies still to come before RSET.
        case draining(SMTPDelivery, Int)
        case reset(SMTPDelivery)
        case quit
        case closed
    }

    private struct Transaction: Sendable {
        var message: SMTPEnvelope
        /// MAIL, RCPT and DATA went out together (RFC 2920): their replies come in order.
        var pipelined: Bool
    }

    public let clientName: String
    public let tls: TLSMode
    public let credentials: Credentials?
    private var state: State = .greeting
    private var secured = false
    /// The message announced to follow the current one (see `start`).
    private var following: SMTPEnvelope?
    /// The message whose commands went out behind the current message's dot.
    private var preStarted: SMTPEnvelope?
    /// ESMTP keywords of the last EHLO reply (upper-cased first word of each line after the first).
    public private(set) var extensions: [String: String] = [:]

    public init(clientName: String, tls: TLSMode = .optional, credentials: Credentials? = nil) {
        self.clientName = clientName
        self.tls = tls
        self.credentials = credentials
        // Implicit TLS: the connection is under TLS before the dialogue starts.
        self.secured = tls == .implicit
    }

    /// True between `.ready` and the next `start` (and after each `.finished`).
    public var isReady: Bool {
        if case .ready = self.state { return true }
        return false
    }

    public var isSecured: Bool { self.secured }

    /// Feeds one reply of the server.
    public mutating func receive(_ reply: SMTPReply) throws(SMTPError) -> [Action] {
        switch self.state {
        case .greeting:
            guard reply.code == 220 else { throw .refused(step: "greeting", reply) }
            return self.sendEHLO()
        case .ehlo:
            if reply.code == 250 {
                self.extensions = Self.extensions(of: reply)
                return try self.afterHello()
            }
            if reply.isPermanent, self.tls != .required, self.credentials == nil {
                // An old server without ESMTP: HELO is enough for plain MAIL/RCPT/DATA.
                self.state = .helo
                return [.write(Self.line("HELO \(self.clientName)"))]
            }
            throw .refused(step: "EHLO", reply)
        case .helo:
            guard reply.code == 250 else { throw .refused(step: "HELO", reply) }
            self.extensions = [:]
            self.state = .ready
            return [.ready]
        case .startTLS:
            guard reply.code == 220 else {
                if self.tls == .required { throw .refused(step: "STARTTLS", reply) }
                // Optional: go on in plain text.
                return try self.authenticateOrReady()
            }
            self.state = .awaitingTLS
            return [.startTLS]
        case .awaitingTLS:
            throw .protocolViolation("reply \(reply.code) while TLS is being negotiated")
        case .authPlain, .authLoginDone:
            guard reply.code == 235 else { throw .refused(step: "AUTH", reply) }
            self.state = .ready
            return [.ready]
        case .authLoginUser:
            guard reply.code == 334 else { throw .refused(step: "AUTH", reply) }
            self.state = .authLoginPassword
            return [.write(Self.line(Self.base64(Array((self.credentials?.user ?? "").utf8))))]
        case .authLoginPassword:
            guard reply.code == 334 else { throw .refused(step: "AUTH", reply) }
            self.state = .authLoginDone
            return [.write(Self.line(Self.base64(Array((self.credentials?.password ?? "").utf8))))]
        case .ready:
            throw .protocolViolation("unexpected reply \(reply) while idle")
        case .mail(let transaction):
            guard reply.code == 250 else {
                // Pipelined: the RCPTs and DATA are answered too (refused) before RSET.
                return self.fail(reply, pending: transaction.pipelined ? transaction.message.recipients.count + 1 : 0)
            }
            self.state = .rcpt(transaction, 0)
            if transaction.pipelined { return [] }
            return [.write(Self.line("RCPT TO:<\(transaction.message.recipients[0])>"))]
        case .rcpt(let transaction, let index):
            let next = index + 1
            guard reply.code == 250 || reply.code == 251 else {
                let pending = transaction.message.recipients.count - next + 1
                return self.fail(reply, pending: transaction.pipelined ? pending : 0)
            }
            if next < transaction.message.recipients.count {
                self.state = .rcpt(transaction, next)
                if transaction.pipelined { return [] }
                return [.write(Self.line("RCPT TO:<\(transaction.message.recipients[next])>"))]
            }
            self.state = .data(transaction)
            if transaction.pipelined { return [] }
            return [.write(Self.line("DATA"))]
        case .data(let transaction):
            guard reply.code == 354 else { return self.fail(reply) }
            self.state = .body(transaction)
            var bytes = SMTPDataEncoding.stuffed(transaction.message.data)
            // RFC 2920 §3.1: the next transaction's commands may follow the end of the message.
            if transaction.pipelined, let following = self.following, !following.recipients.isEmpty {
                bytes += Self.envelopeGroup(following)
                self.preStarted = following
            }
            self.following = nil
            return [.write(bytes)]
        case .body:
            if let next = self.preStarted {
                self.preStarted = nil
                self.state = .mail(Transaction(message: next, pipelined: true))
            } else {
                self.state = .ready
            }
            if reply.code == 250 { return [.finished(.accepted(reply))] }
            // After the final dot the transaction is over either way: no RSET needed.
            return [.finished(reply.isTransient ? .deferred(reply) : .rejected(reply))]
        case .draining(let outcome, let pending):
            // A server that said 354 to DATA after all wants a (empty) message ended first.
            if reply.code == 354 {
                return [.write(Array(".\r\n".utf8))]
            }
            if pending > 1 {
                self.state = .draining(outcome, pending - 1)
                return []
            }
            self.state = .reset(outcome)
            return [.write(Self.line("RSET"))]
        case .reset(let outcome):
            guard reply.code == 250 else { throw .refused(step: "RSET", reply) }
            self.state = .ready
            return [.finished(outcome)]
        case .quit:
            self.state = .closed
            return [.close]
        case .closed:
            return []
        }
    }

    /// The TLS handshake under the connection is done: say EHLO again (RFC 3207 §4.2).
    public mutating func tlsEstablished() throws(SMTPError) -> [Action] {
        guard case .awaitingTLS = self.state else { throw .protocolViolation("TLS established out of turn") }
        self.secured = true
        return self.sendEHLO()
    }

    /// Starts sending `message`; the session must be ready.
    ///
    /// `following`: the message that will be sent next, if known. With PIPELINING its MAIL, RCPT and DATA
    /// go out right behind this message's final dot; `start` for it then finds it started
    /// (`hasStarted`) and only its replies are read.
    public mutating func start(_ message: SMTPEnvelope, following: SMTPEnvelope? = nil) throws(SMTPError)
        -> [Action]
    {
        self.following = following
        if case .mail(let transaction) = self.state, transaction.message == message {
            return []
        }
        guard case .ready = self.state else {
            throw .protocolViolation("a message was started before the session was ready")
        }
        guard !message.recipients.isEmpty else { throw .protocolViolation("a message needs a recipient") }
        if self.extensions["PIPELINING"] != nil {
            self.state = .mail(Transaction(message: message, pipelined: true))
            return [.write(Self.envelopeGroup(message))]
        }
        self.state = .mail(Transaction(message: message, pipelined: false))
        return [.write(Self.line("MAIL FROM:<\(message.sender)>"))]
    }

    static func envelopeGroup(_ message: SMTPEnvelope) -> [UInt8] {
        var group = Self.line("MAIL FROM:<\(message.sender)>")
        for recipient in message.recipients { group += Self.line("RCPT TO:<\(recipient)>") }
        group += Self.line("DATA")
        return group
    }

    /// Ends the session politely.
    public mutating func quit() -> [Action] {
        switch self.state {
        case .closed, .quit: return []
        case .mail, .rcpt, .data, .body, .draining:
            // A transaction is open (pipelined commands in flight): QUIT could end up inside a message;
            // the connection is just closed.
            self.state = .closed
            return [.close]
        default:
            self.state = .quit
            return [.write(Self.line("QUIT"))]
        }
    }

    private mutating func sendEHLO() -> [Action] {
        self.state = .ehlo
        return [.write(Self.line("EHLO \(self.clientName)"))]
    }

    private mutating func afterHello() throws(SMTPError) -> [Action] {
        if !self.secured, self.tls != .off {
            if self.extensions["STARTTLS"] != nil {
                self.state = .startTLS
                return [.write(Self.line("STARTTLS"))]
            }
            if self.tls == .required { throw .tlsNotOffered }
        }
        return try self.authenticateOrReady()
    }

    private mutating func authenticateOrReady() throws(SMTPError) -> [Action] {
        guard let credentials = self.credentials else {
            self.state = .ready
            return [.ready]
        }
        let methods = Set((self.extensions["AUTH"] ?? "").uppercased().split(separator: " ").map(String.init))
        if methods.contains("PLAIN") {
            self.state = .authPlain
            let token = Self.base64([0] + Array(credentials.user.utf8) + [0] + Array(credentials.password.utf8))
            return [.write(Self.line("AUTH PLAIN \(token)"))]
        }
        if methods.contains("LOGIN") {
            self.state = .authLoginUser
            return [.write(Self.line("AUTH LOGIN"))]
        }
        throw .authenticationNotOffered
    }

    /// A refusal inside a transaction: read the `pending` replies of pipelined commands, reset the
    /// session, then report.
    private mutating func fail(_ reply: SMTPReply, pending: Int = 0) -> [Action] {
        let outcome: SMTPDelivery = reply.isTransient ? .deferred(reply) : .rejected(reply)
        if pending > 0 {
            self.state = .draining(outcome, pending)
            return []
        }
        self.state = .reset(outcome)
        return [.write(Self.line("RSET"))]
    }

    static func extensions(of reply: SMTPReply) -> [String: String] {
        var result: [String: String] = [:]
        for line in reply.lines.dropFirst() {
            let parts = line.split(separator: " ", maxSplits: 1)
            guard let keyword = parts.first else { continue }
            result[keyword.uppercased()] = parts.count > 1 ? String(parts[1]) : ""
        }
        return result
    }

    static func line(_ text: String) -> [UInt8] { Array(text.utf8) + [13, 10] }

    static func base64(_ bytes: [UInt8]) -> String { Base64.encode(bytes) }
}

/// One message for SMTP: envelope sender, recipients, and the RFC 5322 message (CRLF line ends).
public struct SMTPEnvelope: Sendable, Equatable {
    public var sender: String
    public var recipients: [String]
    public var data: [UInt8]

    public init(sender: String, recipients: [String], data: [UInt8]) {
        self.sender = sender
        self.recipients = recipients
        self.data = data
    }
}

/// What became of one message.
public enum SMTPDelivery: Sendable, Equatable {
    /// 250 to the end of DATA: the server took responsibility for the message.
    case accepted(SMTPReply)
    /// 4xx to MAIL, RCPT, DATA or the message: try again later.
    case deferred(SMTPReply)
    /// 5xx: do not try again.
    case rejected(SMTPReply)
}

/// DATA's transparency (RFC 5321 §4.5.2): a line starting with "." gets another "."; line ends become
/// CRLF; the message ends with CRLF "." CRLF.
public enum SMTPDataEncoding {
    public static func stuffed(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(data.count + data.count / 64 + 8)
        var lineStart = true
        var previous: UInt8 = 0
        for byte in data {
            if lineStart && byte == UInt8(ascii: ".") { out.append(byte) }
            if byte == 10 && previous != 13 { out.append(13) }
            out.append(byte)
            lineStart = byte == 10
            previous = byte
        }
        if !lineStart {
            if previous == 13 { out.append(10) } else { out += [13, 10] }
        }
        out += [UInt8(ascii: "."), 13, 10]
        return out
    }
}

/// Standard base64 (RFC 4648), without line breaks.
enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        String(decoding: Self.encodeBytes(bytes), as: UTF8.self)
    }

    static func encodeBytes(_ bytes: [UInt8]) -> [UInt8] {
        let count = bytes.count
        let outputCount = (count + 2) / 3 * 4
        let pad = UInt8(ascii: "=")
        return [UInt8](unsafeUninitializedCapacity: outputCount) { out, initialized in
            bytes.withUnsafeBufferPointer { input in
                var i = 0
                var o = 0
                while i + 2 < count {
                    let n = UInt32(input[i]) << 16 | UInt32(input[i + 1]) << 8 | UInt32(input[i + 2])
                    out[o] = alphabet[Int(n >> 18 & 63)]
                    out[o + 1] = alphabet[Int(n >> 12 & 63)]
                    out[o + 2] = alphabet[Int(n >> 6 & 63)]
                    out[o + 3] = alphabet[Int(n & 63)]
                    i += 3
                    o += 4
                }
                if count - i == 1 {
                    let n = UInt32(input[i]) << 16
                    out[o] = alphabet[Int(n >> 18 & 63)]
                    out[o + 1] = alphabet[Int(n >> 12 & 63)]
                    out[o + 2] = pad
                    out[o + 3] = pad
                } else if count - i == 2 {
                    let n = UInt32(input[i]) << 16 | UInt32(input[i + 1]) << 8
                    out[o] = alphabet[Int(n >> 18 & 63)]
                    out[o + 1] = alphabet[Int(n >> 12 & 63)]
                    out[o + 2] = alphabet[Int(n >> 6 & 63)]
                    out[o + 3] = pad
                }
            }
            initialized = outputCount
        }
    }
}
