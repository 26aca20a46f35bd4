import NIOCore
import RapportProtocol
import Testing

/// Byte-level framing: every case is fed all at once, byte by byte and in odd chunk sizes.
@Suite struct LineFramerTests {
    static let chunkSizes = [1, 2, 3, 7, 64, 1 << 30]
    static let small = LineFramingLimits(maximumLineLength: 16, maximumPayloadLength: 8)

    private func expectFrames(
        _ input: [UInt8],
        _ expected: [InboundFrame],
        limits: LineFramingLimits = LineFramingLimits(),
        atEOF: Bool = false,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        for chunkSize in Self.chunkSizes {
            let frames = FramerDriver.frames(of: input, chunkSize: chunkSize, limits: limits, atEOF: atEOF)
            #expect(frames == expected, "chunk size \(chunkSize)", sourceLocation: sourceLocation)
        }
    }

    @Test func splitsOnLineFeedAndCarriageReturnLineFeed() {
        self.expectFrames(
            Array(utf8: "PING\nping\r\n\n  \r\n"),
            [
                .line("PING", payload: nil), .line("ping", payload: nil), .line("", payload: nil),
                .line("  ", payload: nil),
            ]
        )
    }

    @Test func keepsTabsAndUnicode() {
        self.expectFrames(Array(utf8: "NOTE\t\"é 😀\"\n"), [.line("NOTE\t\"é 😀\"", payload: nil)])
    }

    @Test func refusesBareCarriageReturnAndContinues() {
        self.expectFrames(
            Array(utf8: "A\rB\nA\r\r\nNEXT\n"),
            [.invalid(.bareCarriageReturn), .invalid(.bareCarriageReturn), .line("NEXT", payload: nil)]
        )
    }

    @Test func refusesNulByte() {
        self.expectFrames(Array(utf8: "A\0B\nNEXT\n"), [.invalid(.nulByte), .line("NEXT", payload: nil)])
    }

    @Test(arguments: [[0x01], [0x08], [0x0B], [0x0C], [0x1B], [0x1F], [0x7F]] as [[UInt8]])
    func refusesControlCharacters(control: [UInt8]) {
        self.expectFrames(
            Array(utf8: "A") + control + Array(utf8: "B\nNEXT\n"),
            [.invalid(.controlCharacter), .line("NEXT", payload: nil)]
        )
    }

    @Test(
        arguments: [
            [0xFF], [0xFE], [0xC3], [0xE2, 0x82], [0xF0, 0x9F, 0x98],  // stray and truncated
            [0xC0, 0xAF], [0xE0, 0x80, 0xAF], [0xF0, 0x80, 0x80, 0xAF],  // overlong
            [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0x80],  // surrogate, above U+10FFFF, lone continuation
        ] as [[UInt8]]
    )
    func refusesInvalidUTF8(sequence: [UInt8]) {
        self.expectFrames(
            Array(utf8: "SAY ") + sequence + Array(utf8: " x\r\nNEXT\r\n"),
            [.invalid(.invalidUTF8), .line("NEXT", payload: nil)]
        )
    }

    @Test func acceptsLinesExactlyAtTheLimit() {
        let atLimit = String(repeating: "x", count: 16)
        self.expectFrames(
            Array(utf8: atLimit + "\n" + atLimit + "\r\n"),
            [.line(atLimit, payload: nil), .line(atLimit, payload: nil)],
            limits: Self.small
        )
    }

    @Test func refusesLinesOverTheLimitAndContinues() {
        let overLimit = String(repeating: "x", count: 17)
        let farOver = String(repeating: "y", count: 100)
        self.expectFrames(
            Array(utf8: overLimit + "\n" + overLimit + "\r\n" + farOver + "\r\nNEXT\n"),
            [
                .invalid(.lineTooLong(limit: 16)), .invalid(.lineTooLong(limit: 16)),
                .invalid(.lineTooLong(limit: 16)), .line("NEXT", payload: nil),
            ],
            limits: Self.small
        )
    }

    @Test func longLineWithoutLineFeedKeepsMemoryBounded() {
        var driver = FramerDriver()
        let chunk = [UInt8](repeating: UInt8(ascii: "x"), count: 4096)
        for _ in 0..<256 { driver.feed(chunk) }  // 1 MiB
        #expect(driver.frames.isEmpty)
        #expect(driver.peakBufferedBytes <= 8192 + 2 + chunk.count)
        #expect(driver.buffer.readableBytes == 0)
        driver.feed(Array(utf8: "tail\r\nPING\r\n"))
        #expect(driver.frames == [.invalid(.lineTooLong(limit: 8192)), .line("PING", payload: nil)])
    }

    @Test func readsLiteralsSplitAcrossChunks() {
        let payload: [UInt8] = [0x00, 0x0A, 0x0D, 0xFF, 0x7B, 0x33, 0x7D, 0x0A]
        self.expectFrames(
            Array(utf8: "#1 PUT name=a.bin {8}\r\n") + payload + Array(utf8: "NEXT\n"),
            [.line("#1 PUT name=a.bin", payload: payload), .line("NEXT", payload: nil)]
        )
    }

    @Test func readsEmptyLiteralsAndTrailingBlanks() {
        self.expectFrames(
            Array(utf8: "PUT {0}\nPUT \t{2}  \r\nabNEXT\n"),
            [.line("PUT", payload: []), .line("PUT", payload: Array(utf8: "ab")), .line("NEXT", payload: nil)]
        )
    }

    @Test func treatsOtherBracesAsText() {
        self.expectFrames(
            Array(utf8: "{5}\nX{5}\nX {5x}\nX {}\nX \"{5}\"\n"),
            [
                .line("{5}", payload: nil), .line("X{5}", payload: nil), .line("X {5x}", payload: nil),
                .line("X {}", payload: nil), .line("X \"{5}\"", payload: nil),
            ]
        )
    }

    @Test func skipsOversizedLiteral() {
        self.expectFrames(
            Array(utf8: "PUT {10}\r\n0123\n56789NEXT\n"),
            [.invalid(.payloadTooLarge(declared: 10, limit: 8)), .line("NEXT", payload: nil)],
            limits: Self.small
        )
    }

    @Test func oversizedLiteralKeepsMemoryBounded() {
        var driver = FramerDriver(limits: LineFramingLimits(maximumPayloadLength: 1024))
        driver.feed(Array(utf8: "PUT {1048576}\n"))
        #expect(driver.frames == [.invalid(.payloadTooLarge(declared: 1_048_576, limit: 1024))])
        for _ in 0..<256 { driver.feed([UInt8](repeating: 0x0A, count: 4096)) }
        #expect(driver.peakBufferedBytes <= 4096)
        driver.feed(Array(utf8: "PING\n"))
        #expect(driver.frames.last == .line("PING", payload: nil))
        #expect(driver.frames.count == 2)
    }

    @Test func skipsLiteralOfRefusedLine() {
        self.expectFrames(
            Array(utf8: "PUT \u{1} {3}\nabcNEXT\n"),
            [.invalid(.controlCharacter), .line("NEXT", payload: nil)]
        )
    }

    @Test func skipsLiteralOfOverLongLine() {
        self.expectFrames(
            Array(utf8: String(repeating: "z", count: 40) + " {3}\r\nabcNEXT\n"),
            [.invalid(.lineTooLong(limit: 16)), .line("NEXT", payload: nil)],
            limits: Self.small
        )
    }

    @Test func emitsUnterminatedLastLineAtEOF() {
        self.expectFrames(
            Array(utf8: "PING\nQUIT"),
            [.line("PING", payload: nil), .line("QUIT", payload: nil)],
            atEOF: true
        )
        self.expectFrames(Array(utf8: "QUIT\r"), [.line("QUIT", payload: nil)], atEOF: true)
        self.expectFrames(Array(utf8: "PUT {0}"), [.line("PUT", payload: [])], atEOF: true)
        self.expectFrames([0x51, 0xFF], [.invalid(.invalidUTF8)], atEOF: true)
        self.expectFrames(Array(utf8: "PING\n"), [.line("PING", payload: nil)], atEOF: true)
    }

    @Test func dropsIncompleteInputAtEOF() {
        self.expectFrames(Array(utf8: "PUT {5}\nabc"), [], atEOF: true)
        self.expectFrames(Array(utf8: "PUT {5}"), [], atEOF: true)
        self.expectFrames(
            Array(utf8: String(repeating: "z", count: 40)),
            [.invalid(.lineTooLong(limit: 16))],
            limits: Self.small,
            atEOF: true
        )
    }

    @Test func reportsPartialInput() {
        var driver = FramerDriver()
        #expect(!driver.framer.hasPartialInput(driver.buffer))
        driver.feed(Array(utf8: "PI"))
        #expect(driver.framer.hasPartialInput(driver.buffer))
        driver.feed(Array(utf8: "NG\nPUT {3}\n"))
        #expect(driver.framer.hasPartialInput(driver.buffer))
        driver.feed(Array(utf8: "abc"))
        #expect(!driver.framer.hasPartialInput(driver.buffer))
    }
}
