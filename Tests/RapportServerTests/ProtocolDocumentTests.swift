import Foundation
import RapportModel
import RapportProtocol
import RapportServer
import RapportTestSupport
import Testing

/// `docs/PROTOCOL.md` stays true: its command reference is the command table, and its example
/// transcript is what the server really answers.
@Suite("docs/PROTOCOL.md", .serialized)
struct ProtocolDocumentTests {
    static let document: String = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return (try? String(contentsOf: root.appendingPathComponent("docs/PROTOCOL.md"), encoding: .utf8)) ?? ""
    }()

    @Test func commandReferenceIsTheCommandTable() throws {
        let begin = "<!-- BEGIN COMMAND REFERENCE -->\n"
        let end = "<!-- END COMMAND REFERENCE -->"
        let start = try #require(Self.document.range(of: begin))
        let stop = try #require(Self.document.range(of: end))
        let documented = String(Self.document[start.upperBound..<stop.lowerBound])
        let generated = ProtocolDocRenderer.markdownTable(RapportServer.commandSpecs)
        #expect(documented == generated, "docs/PROTOCOL.md is out of date: run `make docs`")
    }

    @Test func everyCommandHasAnExample() {
        for spec in RapportServer.commandSpecs {
            #expect(!spec.example.isEmpty, "\(spec.name) has no example")
        }
    }

    @Test func transcriptIsReplayedByteForByte() async throws {
        let block = try #require(
            Self.document.components(separatedBy: "```transcript\n").dropFirst().first?
                .components(separatedBy: "```").first
        )
        let lines = block.split(separator: "\n").map(String.init)
        let server = try await TestServer.start()
        try await server.createUser("ALICE", role: .manager)

        // Send every client line, half-close, and compare everything the server wrote.
        let sent = lines.filter { $0.hasPrefix("C: ") }.map { String($0.dropFirst(3)) + "\r\n" }.joined()
        let expected = lines.filter { $0.hasPrefix("S: ") }.map { String($0.dropFirst(3)) + "\r\n" }.joined()
        let received = try await RawConnection.with(port: server.port) { connection in
            try await connection.send(sent)
            connection.finishSending()
            return try await connection.readToEnd()
        }
        #expect(received == expected)
        try await server.stop()
    }
}
