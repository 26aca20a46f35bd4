import NIOCore
import RapportProtocol
import Testing

@Suite struct WireEncodingTests {
    @Test func writesBareAtomsWhenTheyReadBackUnchanged() {
        #expect(WireEncoding.token("abc") == "abc")
        #expect(WireEncoding.token("héllo😀") == "héllo😀")
        #expect(WireEncoding.token("+1=2") == "+1=2")
        #expect(WireEncoding.token("2024-01-31") == "2024-01-31")
        #expect(WireEncoding.named("Key", "v") == "key=v")
        #expect(WireEncoding.named("k", "a=b") == "k=a=b")
    }

    @Test func quotesWhenNeeded() {
        #expect(WireEncoding.token("") == "\"\"")
        #expect(WireEncoding.token("a=b") == "\"a=b\"")
        #expect(WireEncoding.token("John Doe") == "\"John Doe\"")
        #expect(WireEncoding.token("{3}") == "\"{3}\"")
        #expect(WireEncoding.token("a\u{A0}b") == "\"a\u{A0}b\"")
        #expect(WireEncoding.token("say \"hi\"\\\n\t\r\u{1}\u{7F}") == #""say \"hi\"\\\n\t\r\x01\x7F""#)
        #expect(WireEncoding.named("k", "") == "k=\"\"")
        #expect(WireEncoding.named("k", "a b") == "k=\"a b\"")
    }

    @Test func replacesNulWhichCannotTravel() throws {
        let encoded = WireEncoding.token("a\u{0}b")
        #expect(try Tokenizer.parse("X " + encoded)?.arguments == [.positional("a\u{FFFD}b")])
    }

    @Test(arguments: [1, 2, 3])
    func roundTripsGeneratedStrings(seed: UInt64) throws {
        for value in TrickyStrings.corpus(count: 700, seed: seed) {
            let positional = try Tokenizer.parse("X " + WireEncoding.token(value))
            #expect(positional?.arguments == [.positional(value)], "\(value.debugDescription)")
            let named = try Tokenizer.parse("X " + WireEncoding.named("k", value))
            #expect(named?.arguments == [.named("k", value)], "\(value.debugDescription)")
        }
    }

    @Test func roundTripsWholeLinesThroughTheFramer() throws {
        var generator = SeededGenerator(seed: 42)
        for _ in 0..<300 {
            let arguments: [Argument] = (0..<Int.random(in: 0...6, using: &generator)).map { index in
                let value = TrickyStrings.random(using: &generator)
                return index % 2 == 0 ? .positional(value) : .named("key\(index)", value)
            }
            let line = "#t CMD " + arguments.map(WireEncoding.argument).joined(separator: " ")
            let frames = FramerDriver.frames(of: Array(line.utf8) + [0x0D, 0x0A], chunkSize: 5)
            guard case .line(let text, payload: nil) = frames.first, frames.count == 1 else {
                Issue.record("framer refused \(line.debugDescription): \(frames)")
                continue
            }
            #expect(try Tokenizer.parse(text) == Request(tag: "#t", verb: "CMD", arguments: arguments))
        }
    }

    @Test func writesFinalLinesWithSanitisedText() {
        #expect(WireEncoding.finalLine(.ok("")) == "OK\r\n")
        #expect(WireEncoding.finalLine(.ok("PONG"), tag: "#9") == "#9 OK PONG\r\n")
        #expect(WireEncoding.finalLine(.error(.notFound, "no such template")) == "ERR NOT_FOUND no such template\r\n")
        #expect(WireEncoding.finalLine(.error(.busy, "")) == "ERR BUSY\r\n")
        #expect(WireEncoding.finalLine(.bye("idle\r\ntimeout\t!")) == "BYE idle  timeout !\r\n")
    }

    @Test func writesDataLines() {
        #expect(
            WireEncoding.dataLine([.positional("17"), .positional("groceries")], tag: "#7") == "#7 * 17 groceries\r\n"
        )
        #expect(WireEncoding.dataLine([]) == "*\r\n")
        #expect(WireEncoding.dataLine([.named("name", "a b.pdf")], payloadLength: 3) == "* name=\"a b.pdf\" {3}\r\n")
    }

    @Test func buildsTheGreeting() {
        #expect(Greeting().line == "OK rapportd ready proto=1\r\n")
        #expect(Greeting(serverName: "rapportd-test", protocolVersion: 2).line == "OK rapportd-test ready proto=2\r\n")
        #expect(Greeting(okText: "rapportd ready proto=1") == Greeting())
        #expect(Greeting(okText: "rapportd ready") == nil)
        #expect(Greeting(okText: "PONG") == nil)
    }
}
