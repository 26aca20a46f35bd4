import NIOCore
import NIOTestUtils
import RapportProtocol
import Testing

/// The NIO decoder, checked with NIO's verifier (drip-fed byte by byte, whole, and many messages at once).
@Suite struct LineFrameDecoderTests {
    @Test func verifiesTextCases() throws {
        let pairs: [(String, [InboundFrame])] = [
            ("PING\n", [.line("PING", payload: nil)]),
            ("#a1 login alice \"s3cr et\"\r\n", [.line("#a1 login alice \"s3cr et\"", payload: nil)]),
            ("\n", [.line("", payload: nil)]),
            ("A\rB\n", [.invalid(.bareCarriageReturn)]),
            ("A\u{0}B\r\n", [.invalid(.nulByte)]),
            ("A\u{1B}[0m\n", [.invalid(.controlCharacter)]),
            ("NOTE\ttab\n", [.line("NOTE\ttab", payload: nil)]),
            ("PUT {5}\r\nab\ncdNEXT\n", [.line("PUT", payload: Array("ab\ncd".utf8)), .line("NEXT", payload: nil)]),
            ("PUT {20}\n01234567890123456789", [.invalid(.payloadTooLarge(declared: 20, limit: 8))]),
            (String(repeating: "x", count: 32) + "\r\n", [.line(String(repeating: "x", count: 32), payload: nil)]),
            (String(repeating: "x", count: 33) + "\r\n", [.invalid(.lineTooLong(limit: 32))]),
            (String(repeating: "x", count: 99) + "\n", [.invalid(.lineTooLong(limit: 32))]),
        ]
        try ByteToMessageDecoderVerifier.verifyDecoder(stringInputOutputPairs: pairs) {
            LineFrameDecoder(limits: LineFramingLimits(maximumLineLength: 32, maximumPayloadLength: 8))
        }
    }

    @Test func verifiesInvalidUTF8() throws {
        let pairs: [(ByteBuffer, [InboundFrame])] = [
            (ByteBuffer(bytes: [0x41, 0xFF, 0x0A]), [.invalid(.invalidUTF8)]),
            (ByteBuffer(bytes: [0xC0, 0xAF, 0x0D, 0x0A]), [.invalid(.invalidUTF8)]),
            (ByteBuffer(bytes: [0xC3, 0xA9, 0x0A]), [.line("é", payload: nil)]),
        ]
        try ByteToMessageDecoderVerifier.verifyDecoder(inputOutputPairs: pairs) { LineFrameDecoder() }
    }
}
