/// The line the server sends on connect: `OK rapportd ready proto=1`.
public struct Greeting: Sendable, Equatable {
    /// The protocol version this module speaks.
    public static let currentProtocolVersion = 1

    /// The server's name, e.g. `rapportd`.
    public var serverName: String
    /// The protocol version the server speaks.
    public var protocolVersion: Int

    /// Creates a greeting.
    public init(serverName: String = "rapportd", protocolVersion: Int = Greeting.currentProtocolVersion) {
        self.serverName = serverName
        self.protocolVersion = protocolVersion
    }

    /// Reads a greeting from the text of an untagged `OK` line (`rapportd ready proto=1`).
    public init?(okText: String) {
        let words = okText.split(separator: " ", omittingEmptySubsequences: false)
        guard words.count == 3, !words[0].isEmpty, words[1] == "ready", words[2].hasPrefix("proto="),
            let version = Int(words[2].dropFirst("proto=".count)), version >= 0
        else { return nil }
        self.init(serverName: String(words[0]), protocolVersion: version)
    }

    /// The greeting as a final line.
    public var finalLine: FinalLine { .ok("\(self.serverName) ready proto=\(self.protocolVersion)") }

    /// The greeting as sent, with CRLF.
    public var line: String { WireEncoding.finalLine(self.finalLine) }
}
