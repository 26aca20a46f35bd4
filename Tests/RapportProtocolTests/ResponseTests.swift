import RapportProtocol
import Testing

@Suite struct ResponseTests {
    /// Parses `bytes` fed in chunks of `chunkSize`, collecting every complete reply.
    private func parse(_ bytes: [UInt8], chunkSize: Int) throws -> [TaggedResponse] {
        var parser = ResponseParser()
        var responses: [TaggedResponse] = []
        var start = 0
        while start < bytes.count {
            let end = min(bytes.count, start + chunkSize)
            parser.append(bytes[start..<end])
            while let response = try parser.next() { responses.append(response) }
            start = end
        }
        #expect(!parser.hasPartialResponse)
        return responses
    }

    private func parseError(_ text: String) -> ResponseParseError? {
        var parser = ResponseParser()
        parser.append(Array(text.utf8))
        do {
            while try parser.next() != nil {}
            return nil
        } catch {
            return error
        }
    }

    @Test func encodesTaggedReplies() {
        let response = Response(dataLines: [DataLine("17", "groceries"), DataLine("18", "to do")], final: .ok("2"))
        let text = String(decoding: response.encode(tag: "#7"), as: UTF8.self)
        #expect(text == "#7 * 17 groceries\r\n#7 * 18 \"to do\"\r\n#7 OK 2\r\n")
    }

    @Test func encodesPayloadsRaw() {
        let payload: [UInt8] = [0x00, 0x0D, 0x0A, 0xFF]
        let response = Response(
            dataLines: [DataLine(tokens: [.named("name", "a.bin")], payload: payload)],
            final: .error(.notFound, "gone")
        )
        let expected = Array("* name=a.bin {4}\r\n".utf8) + payload + Array("\r\nERR NOT_FOUND gone\r\n".utf8)
        #expect(response.encode() == expected)
    }

    @Test(arguments: [1, 2, 5, 1 << 30])
    func roundTripsReplies(chunkSize: Int) throws {
        let replies: [TaggedResponse] = [
            TaggedResponse(tag: nil, response: Response(final: Greeting().finalLine)),
            TaggedResponse(tag: "#1", response: Response(final: .ok("PONG"))),
            TaggedResponse(
                tag: "#list-2",
                response: Response(
                    dataLines: [
                        DataLine(tokens: [.positional("17"), .named("note", "say \"hi\"\n"), .positional("")]),
                        DataLine(tokens: [], payload: [0x0A, 0x00, 0x7B, 0x31, 0x7D, 0x0D, 0x0A]),
                        DataLine(tokens: [.positional("{1}")], payload: []),
                        DataLine(tokens: []),
                    ],
                    final: .ok(" 3 rows ")
                )
            ),
            TaggedResponse(tag: nil, response: Response(final: .error(.badArguments, "missing argument template"))),
            TaggedResponse(tag: nil, response: Response(dataLines: [DataLine("x")], final: .error(.shuttingDown, ""))),
            TaggedResponse(tag: "#z", response: Response(final: .bye("idle timeout"))),
            TaggedResponse(tag: nil, response: Response(final: .ok(""))),
        ]
        let bytes = replies.flatMap { $0.response.encode(tag: $0.tag) }
        #expect(try self.parse(bytes, chunkSize: chunkSize) == replies)
    }

    @Test func roundTripsGeneratedDataLines() throws {
        var generator = SeededGenerator(seed: 7)
        var replies: [TaggedResponse] = []
        for index in 0..<200 {
            let lines = (0..<Int.random(in: 0...3, using: &generator)).map { _ in
                DataLine(
                    tokens: (0..<Int.random(in: 0...4, using: &generator)).map { position in
                        let value = TrickyStrings.random(using: &generator)
                        return position.isMultiple(of: 2) ? .positional(value) : .named("k\(position)", value)
                    },
                    payload: Bool.random(using: &generator) ? nil : Array(TrickyStrings.random(using: &generator).utf8)
                )
            }
            let tag: String? = index.isMultiple(of: 3) ? nil : "#\(index)"
            replies.append(TaggedResponse(tag: tag, response: Response(dataLines: lines, final: .ok("\(index)"))))
        }
        let bytes = replies.flatMap { $0.response.encode(tag: $0.tag) }
        #expect(try self.parse(bytes, chunkSize: 3) == replies)
    }

    @Test func acceptsBareLineFeeds() throws {
        #expect(
            try self.parse(Array("* a\nOK\n".utf8), chunkSize: 1) == [
                TaggedResponse(tag: nil, response: Response(dataLines: [DataLine("a")], final: .ok("")))
            ]
        )
    }

    /// Found by the fuzzer (Fuzz/FuzzResponseParser): a final line's trailing `{N}` was taken for a literal marker
    /// and cut from the text, although final lines carry no literal, so a reply did not read back as written.
    @Test func keepsABraceNumberAtTheEndOfAFinalLine() throws {
        let reply = TaggedResponse(tag: "#3", response: Response(final: .error(.notFound, "no file {6}")))
        #expect(try self.parse(reply.response.encode(tag: "#3"), chunkSize: 1) == [reply])
        #expect(
            try self.parse(Array("OK ready {6} {4}\r\nBYE {0}\r\n".utf8), chunkSize: 3) == [
                TaggedResponse(tag: nil, response: Response(final: .ok("ready {6} {4}"))),
                TaggedResponse(tag: nil, response: Response(final: .bye("{0}"))),
            ]
        )
        // A data line still announces its literal the same way.
        #expect(
            try self.parse(Array("* a {2}\r\nxy\r\nOK {2}\r\n".utf8), chunkSize: 2) == [
                TaggedResponse(
                    tag: nil,
                    response: Response(
                        dataLines: [DataLine(tokens: [.positional("a")], payload: Array("xy".utf8))],
                        final: .ok("{2}")
                    )
                )
            ]
        )
    }

    @Test func waitsForCompleteReplies() throws {
        var parser = ResponseParser()
        parser.append(Array("#1 * a {3}\r\nxy".utf8))
        #expect(try parser.next() == nil)
        #expect(parser.hasPartialResponse)
        parser.append(Array("z\r\n#1 OK".utf8))
        #expect(try parser.next() == nil)
        parser.append([0x0D, 0x0A])
        let reply = try parser.next()
        #expect(reply?.response.dataLines == [DataLine(tokens: [.positional("a")], payload: Array("xyz".utf8))])
    }

    @Test func rejectsMalformedOutput() {
        #expect(self.parseError("ERR NOPE text\r\n") == ResponseParseError("unknown error code NOPE"))
        #expect(self.parseError("HELLO\r\n") == ResponseParseError("unexpected line starting with HELLO"))
        #expect(self.parseError("#1 * a\r\n#2 OK\r\n") == ResponseParseError("tag #2 inside a reply tagged #1"))
        #expect(self.parseError("*x\r\n") == ResponseParseError("data line needs a space after *"))
        #expect(self.parseError("#1\r\n") == ResponseParseError("tag without a line"))
        #expect(self.parseError("* {2}\r\nabcOK\r\n") == ResponseParseError("literal not followed by a line end"))
        #expect(self.parseError("* \"open\r\n")?.message == "bad data line: unterminated quote at column 3")
        #expect(
            self.parseError("OK \u{1}\r\n")?.message == "invalid line: control character in line (only TAB is allowed)"
        )
    }

    @Test func keepsFailing() {
        var parser = ResponseParser()
        parser.append(Array("BAD\r\nOK\r\n".utf8))
        #expect(throws: ResponseParseError.self) { try parser.next() }
        #expect(throws: ResponseParseError.self) { try parser.next() }
    }

    @Test func boundsLineLength() {
        var parser = ResponseParser(limits: .init(maximumLineLength: 10))
        parser.append(Array(repeating: UInt8(ascii: "x"), count: 100))
        #expect(throws: ResponseParseError("line longer than 10 bytes")) { try parser.next() }
    }
}
