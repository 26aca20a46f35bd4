import NIOCore
import RapportModel
import RapportProtocol
import RapportServer
import RapportTestSupport
import Testing

/// The protocol edge of the real server, over real TCP: greeting, framing, limits, half-close,
/// deadlines, PROXY headers.
@Suite("Server protocol edge", .serialized)
struct ProtocolEdgeTests {
    @Test func greetingThenPingAndHalfCloseGetsEveryAnswer() async throws {
        let server = try await TestServer.start()
        let text = try await RawConnection.with(port: server.port) { connection in
            try await connection.send("PING\nping\r\n#a PING")
            connection.finishSending()  // like `printf … | nc -N`: the last line has no terminator
            return try await connection.readToEnd()
        }
        #expect(text == "OK rapportd ready proto=1\r\nOK PONG\r\nOK PONG\r\n#a OK PONG\r\n")
        try await server.stop()
    }

    @Test func byteByByteInputIsFramedLikeWholeLines() async throws {
        let server = try await TestServer.start()
        let replies = try await RawConnection.with(port: server.port) { connection in
            _ = try await connection.reply()
            for byte in Array("#x ping\r\n#y HELP PING\n".utf8) { try await connection.send(bytes: [byte]) }
            return [try await connection.reply(), try await connection.reply()]
        }
        #expect(replies[0]?.tag == "#x")
        #expect(replies[0]?.response.final == .ok("PONG"))
        #expect(replies[1]?.tag == "#y")
        #expect(replies[1]?.response.dataLines.isEmpty == false)
        try await server.stop()
    }

    @Test func badLinesGetSpecificErrorsAndTheSessionGoesOn() async throws {
        let server = try await TestServer.start { $0.maximumLineLength = 100 }
        let finals = try await RawConnection.with(port: server.port) { connection in
            _ = try await connection.reply()
            try await connection.send("PING " + String(repeating: "x", count: 5000) + "\n")
            try await connection.send(bytes: Array("PI\rNG\n".utf8))
            try await connection.send(bytes: [0x50, 0x49, 0xFF, 0x0A])
            try await connection.send(bytes: [0x50, 0x00, 0x0A])
            try await connection.send("FROBNICATE\n")
            try await connection.send("HELP \"open\n")
            try await connection.send("PING\n")
            var finals: [FinalLine] = []
            for _ in 0..<7 { finals.append(try #require(try await connection.reply()).response.final) }
            return finals
        }
        let codes = finals.map { final -> String in
            if case .error(let code, _) = final { return code.rawValue }
            return "\(final)"
        }
        #expect(
            codes == [
                "LINE_TOO_LONG", "BAD_ENCODING", "BAD_ENCODING", "BAD_ENCODING", "BAD_COMMAND", "BAD_SYNTAX",
                "ok(\"PONG\")",
            ]
        )
        try await server.stop()
    }

    @Test func tooManyArgumentsAndBadArgumentsAreRefused() async throws {
        let server = try await TestServer.start()
        let finals = try await RawConnection.with(port: server.port) { connection in
            _ = try await connection.reply()
            try await connection.send("PING " + Array(repeating: "a", count: 80).joined(separator: " ") + "\n")
            try await connection.send("LOGIN onlyuser\n")
            try await connection.send("PING extra\n")
            return [
                try #require(try await connection.reply()).response.final,
                try #require(try await connection.reply()).response.final,
                try #require(try await connection.reply()).response.final,
            ]
        }
        guard case .error(.tooLarge, _) = finals[0], case .error(.badArguments, let missing) = finals[1],
            case .error(.badArguments, _) = finals[2]
        else {
            Issue.record("unexpected replies \(finals)")
            return
        }
        #expect(missing.contains("secret"))
        try await server.stop()
    }

    @Test func idleSessionGetsByeThenClose() async throws {
        let server = try await TestServer.start { $0.idleTimeout = .milliseconds(300) }
        let text = try await RawConnection.with(port: server.port) { try await $0.readToEnd() }
        #expect(text == "OK rapportd ready proto=1\r\nBYE idle timeout\r\n")
        try await server.stop()
    }

    @Test func loginDeadlineCutsAnonymousSessions() async throws {
        let server = try await TestServer.start { $0.loginTimeout = .milliseconds(300) }
        let text = try await RawConnection.with(port: server.port) { connection in
            try await connection.send("PING\n")
            return try await connection.readToEnd()
        }
        #expect(text == "OK rapportd ready proto=1\r\nOK PONG\r\nBYE login deadline passed\r\n")
        try await server.stop()
    }

    @Test func slowDripIsCutByThePartialLineDeadline() async throws {
        let server = try await TestServer.start { $0.partialRequestTimeout = .milliseconds(400) }
        let text = try await RawConnection.with(port: server.port) { connection in
            // A byte every 150 ms keeps the idle timer fed; the partial-line deadline still runs out.
            for byte in Array("PIN".utf8) {
                try await connection.send(bytes: [byte])
                try await Task.sleep(for: .milliseconds(150))
            }
            return try await connection.readToEnd()
        }
        #expect(text == "OK rapportd ready proto=1\r\nBYE request not completed in time\r\n")
        try await server.stop()
    }

    @Test func aPipeliningClientWhoseWritesEndMidLineIsNeverCut() async throws {
        // Gaps between writes far below the deadline (also on a loaded machine), the whole exchange
        // several deadlines long.
        let server = try await TestServer.start { $0.partialRequestTimeout = .seconds(2) }
        let answered = try await RawConnection.with(port: server.port) { connection in
            _ = try await connection.reply()
            // Every write completes the previous line and starts the next one.
            try await connection.send("PING\nPI")
            var answered = 0
            for _ in 0..<60 {
                guard let reply = try await connection.reply(), reply.response.final == .ok("PONG") else { break }
                answered += 1
                try await Task.sleep(for: .milliseconds(110))
                try await connection.send("NG\nPI")
            }
            return answered
        }
        #expect(answered == 60)
        try await server.stop()
    }

    @Test func aLiteralOverTheLimitIsAnsweredAtOnceAndTheConnectionClosed() async throws {
        let server = try await TestServer.start { $0.partialRequestTimeout = .seconds(30) }
        let text = try await RawConnection.with(port: server.port) { connection in
            // 1 GiB declared: the server must not wait for (or read) the bytes it will refuse.
            try await connection.send("PING {1073741824}\nxxxx")
            return try await connection.readToEnd()
        }
        #expect(text.hasPrefix("OK rapportd ready proto=1\r\nERR "))
        #expect(text.hasSuffix("BYE literal too large\r\n"))
        try await server.stop()
    }

    /// A client still sending when the server says goodbye (here the refused literal's bytes) reads the
    /// `BYE` and then the end of the stream: the server ends its sending side and reads on, discarding,
    /// before it closes. Closing with the client's bytes unread would reset the connection and could
    /// destroy the `BYE` before the client read it.
    @Test func aClientStillSendingReadsTheGoodbyeThenTheEnd() async throws {
        let server = try await TestServer.start { $0.partialRequestTimeout = .seconds(30) }
        let text = try await RawConnection.with(port: server.port) { connection in
            try await connection.send("PING {1073741824}\n")
            let chunk = [UInt8](repeating: UInt8(ascii: "x"), count: 64 * 1024)
            for _ in 0..<64 { try await connection.send(bytes: chunk) }
            return try await connection.readToEnd()
        }
        #expect(text.hasPrefix("OK rapportd ready proto=1\r\nERR "))
        #expect(text.hasSuffix("BYE literal too large\r\n"))
        try await server.stop()
    }

    @Test func proxyHeaderFromTrustedBalancerNamesTheClient() async throws {
        let server = try await TestServer.start { $0.trustedProxies = ["127.0.0.1"] }
        try await server.createUser("ALICE", role: .salesperson)
        let line = try await RawConnection.with(port: server.port) { connection in
            _ = try await connection.reply()
            try await connection.send(
                "PROXY TCP4 203.0.113.7 192.0.2.1 51234 7878\r\nLOGIN alice \"correct horse\"\nWHOAMI\n"
            )
            _ = try await connection.reply()
            return try #require(try await connection.reply()).response.dataLines.first
        }
        #expect(line?.tokens.contains(.named("client", "203.0.113.7:51234")) == true)
        try await server.stop()
    }

    @Test func proxyVersion2LocalKeepsThePeer() async throws {
        let server = try await TestServer.start { $0.trustedProxies = ["127.0.0.1"] }
        let final = try await RawConnection.with(port: server.port) { connection in
            _ = try await connection.reply()
            let local: [UInt8] = [
                0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A, 0x20, 0x00, 0x00, 0x00,
            ]
            try await connection.send(bytes: local + Array("HEALTH\n".utf8))
            return try #require(try await connection.reply()).response.final
        }
        #expect(final == .ok("ready"))
        try await server.stop()
    }

    @Test func proxyHeaderFromAnyoneElseIsRefused() async throws {
        let server = try await TestServer.start()
        let text = try await RawConnection.with(port: server.port) { connection in
            try await connection.send("PROXY TCP4 203.0.113.7 192.0.2.1 51234 7878\r\nPING\n")
            return try await connection.readToEnd()
        }
        #expect(text.hasPrefix("OK rapportd ready proto=1\r\nBYE PROXY header not accepted"))
        #expect(!text.contains("PONG"))
        try await server.stop()
    }

    @Test func missingProxyHeaderFromBalancerIsRefused() async throws {
        let server = try await TestServer.start { $0.trustedProxies = ["127.0.0.1"] }
        let text = try await RawConnection.with(port: server.port) { connection in
            try await connection.send("PING\n")
            return try await connection.readToEnd()
        }
        #expect(!text.contains("PONG"))
        try await server.stop()
    }
}

@Suite("Server connection limit", .serialized)
struct ConnectionLimitTests {
    @Test func connectionsOverTheLimitGetByeAndTheOthersKeepWorking() async throws {
        let server = try await TestServer.start { $0.maximumConnections = 2 }
        try await RawConnection.with(port: server.port) { first in
            _ = try await first.reply()
            try await RawConnection.with(port: server.port) { second in
                _ = try await second.reply()
                let refused = try await RawConnection.with(port: server.port) { try await $0.readToEnd() }
                #expect(refused == "OK rapportd ready proto=1\r\nBYE too many connections\r\n")
                try await second.send("PING\n")
                #expect(try await second.reply()?.response.final == .ok("PONG"))
            }
            try await first.send("PING\n")
            #expect(try await first.reply()?.response.final == .ok("PONG"))
        }
        try await server.stop()
    }
}
