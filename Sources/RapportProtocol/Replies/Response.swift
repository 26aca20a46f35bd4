/// A complete reply: zero or more data lines, then exactly one final line.
public struct Response: Sendable, Equatable {
    /// The data lines, in order.
    public var dataLines: [DataLine]
    /// The line that ends the reply.
    public var final: FinalLine

    /// Creates a reply.
    public init(dataLines: [DataLine] = [], final: FinalLine) {
        self.dataLines = dataLines
        self.final = final
    }

    /// Encodes the reply; every line starts with `tag` (including its `#`) when given.
    ///
    /// A data line with a payload is written as `… {N}` CRLF, the N payload bytes, then CRLF.
    public func encode(tag: String? = nil) -> [UInt8] {
        var bytes: [UInt8] = []
        for line in self.dataLines {
            let text = WireEncoding.dataLine(line.tokens, tag: tag, payloadLength: line.payload?.count)
            bytes.append(contentsOf: text.utf8)
            if let payload = line.payload {
                bytes.append(contentsOf: payload)
                bytes.append(contentsOf: WireEncoding.lineTerminator.utf8)
            }
        }
        bytes.append(contentsOf: WireEncoding.finalLine(self.final, tag: tag).utf8)
        return bytes
    }
}
