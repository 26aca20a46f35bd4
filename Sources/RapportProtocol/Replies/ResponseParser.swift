/// Reads the server's output incrementally and hands out complete replies (client side).
///
/// Feed bytes as they arrive with ``append(_:)`` and call ``next()`` until it returns nil. The greeting arrives as
/// an untagged reply whose final line is `OK` (see ``Greeting/init(okText:)``). Errors are final: the stream can
/// no longer be trusted to be in step.
public struct ResponseParser: Sendable {
    /// Size limits protecting the client from a misbehaving server.
    public struct Limits: Sendable, Equatable {
        /// Longest accepted line in bytes (replies carry quoted values, so this is larger than for requests).
        public var maximumLineLength: Int
        /// Largest accepted literal.
        public var maximumPayloadLength: Int

        /// Creates limits; defaults are 1 MiB per line and 64 MiB per literal.
        public init(maximumLineLength: Int = 1 << 20, maximumPayloadLength: Int = 64 << 20) {
            self.maximumLineLength = maximumLineLength
            self.maximumPayloadLength = maximumPayloadLength
        }
    }

    private static let lineFeed: UInt8 = 0x0A
    private static let carriageReturn: UInt8 = 0x0D

    /// The limits in force.
    public let limits: Limits
    private var buffer: [UInt8] = []
    private var readIndex = 0
    /// Bytes after `readIndex` already known to contain no LF.
    private var scanOffset = 0
    private var pendingTag: String?
    private var pendingDataLines: [DataLine] = []
    /// The tokens of a data line whose literal is still arriving, and the literal's length.
    private var awaitedPayload: (tokens: [Argument], length: Int)?
    private var failure: ResponseParseError?

    /// Creates a parser.
    public init(limits: Limits = Limits()) {
        self.limits = limits
    }

    /// Whether part of a reply has been received but not yet handed out.
    public var hasPartialResponse: Bool {
        self.readIndex < self.buffer.count || !self.pendingDataLines.isEmpty || self.awaitedPayload != nil
    }

    /// Adds received bytes.
    public mutating func append(_ bytes: some Sequence<UInt8>) {
        if self.readIndex > 4096, self.readIndex * 2 > self.buffer.count {
            self.buffer.removeFirst(self.readIndex)
            self.readIndex = 0
        }
        self.buffer.append(contentsOf: bytes)
    }

    /// Returns the next complete reply, or nil when more bytes are needed.
    public mutating func next() throws(ResponseParseError) -> TaggedResponse? {
        if let failure = self.failure { throw failure }
        do {
            while true {
                if let awaited = self.awaitedPayload {
                    guard let payload = try self.readPayload(length: awaited.length) else { return nil }
                    self.awaitedPayload = nil
                    self.pendingDataLines.append(DataLine(tokens: awaited.tokens, payload: payload))
                    continue
                }
                guard let content = try self.readLine() else { return nil }
                if let response = try self.handleLine(content) { return response }
            }
        } catch {
            self.failure = error
            throw error
        }
    }

    private mutating func readLine() throws(ResponseParseError) -> [UInt8]? {
        let available = self.buffer.count - self.readIndex
        let scanLimit = min(available, self.limits.maximumLineLength + 2)
        var index = self.scanOffset
        while index < scanLimit, self.buffer[self.readIndex + index] != Self.lineFeed { index += 1 }
        guard index < scanLimit else {
            if available >= self.limits.maximumLineLength + 2 {
                throw ResponseParseError("line longer than \(self.limits.maximumLineLength) bytes")
            }
            self.scanOffset = scanLimit
            return nil
        }
        var content = Array(self.buffer[self.readIndex..<(self.readIndex + index)])
        if content.last == Self.carriageReturn { content.removeLast() }
        self.readIndex += index + 1
        self.scanOffset = 0
        return content
    }

    /// Reads a literal and the line end after it.
    private mutating func readPayload(length: Int) throws(ResponseParseError) -> [UInt8]? {
        let start = self.readIndex
        let end = start + length
        guard end < self.buffer.count else { return nil }
        var terminatorLength = 1
        if self.buffer[end] == Self.carriageReturn {
            guard end + 1 < self.buffer.count else { return nil }
            terminatorLength = 2
        }
        guard self.buffer[end + terminatorLength - 1] == Self.lineFeed else {
            throw ResponseParseError("literal not followed by a line end")
        }
        self.readIndex = end + terminatorLength
        return Array(self.buffer[start..<end])
    }

    private mutating func handleLine(_ content: [UInt8]) throws(ResponseParseError) -> TaggedResponse? {
        if content.isEmpty { return nil }
        let marker = LiteralMarker.find(in: content)
        var line = try Self.parseLine(content.prefix(marker?.textLength ?? content.count))
        if marker != nil, case .final = line {
            // Only data lines carry literals: on a final line a trailing `{N}` is part of the text.
            line = try Self.parseLine(content[...])
        }
        switch line {
        case .data(let tag, let tokens):
            try self.checkTag(tag)
            self.pendingTag = tag
            if let marker {
                guard marker.declaredLength <= self.limits.maximumPayloadLength else {
                    throw ResponseParseError("literal of \(marker.declaredLength) bytes is too large")
                }
                self.awaitedPayload = (tokens, marker.declaredLength)
            } else {
                self.pendingDataLines.append(DataLine(tokens: tokens))
            }
            return nil
        case .final(let tag, let final):
            try self.checkTag(tag)
            let response = Response(dataLines: self.pendingDataLines, final: final)
            self.pendingDataLines = []
            self.pendingTag = nil
            return TaggedResponse(tag: tag, response: response)
        }
    }

    private static func parseLine(_ bytes: ArraySlice<UInt8>) throws(ResponseParseError) -> ResponseLineParser.Line {
        switch LineValidation.decode(Array(bytes)) {
        case .success(let text): return try ResponseLineParser.parse(text)
        case .failure(let error): throw ResponseParseError("invalid line: \(error.errorText)")
        }
    }

    /// Every line of one reply carries the same tag.
    private func checkTag(_ tag: String?) throws(ResponseParseError) {
        guard self.pendingDataLines.isEmpty || self.pendingTag == tag else {
            throw ResponseParseError("tag \(tag ?? "(none)") inside a reply tagged \(self.pendingTag ?? "(none)")")
        }
    }
}
