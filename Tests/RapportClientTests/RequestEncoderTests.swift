import RapportProtocol
import Testing

@testable import RapportClient

@Suite struct RequestEncoderTests {
    private func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    @Test func encodesVerbAndArguments() throws {
        let bytes = try RequestEncoder.encode(
            tag: "#7",
            verb: "USER-ADD",
            arguments: [.positional("bob smith"), .named("Role", "rep"), .positional("")],
            payload: nil
        )
        #expect(self.text(bytes) == "#7 USER-ADD \"bob smith\" role=rep \"\"\r\n")
    }

    @Test func appendsThePayloadAfterTheMarker() throws {
        let bytes = try RequestEncoder.encode(tag: nil, verb: "IMPORT", arguments: [], payload: [0x00, 0x0A, 0xFF])
        #expect(bytes == Array("IMPORT {3}\r\n".utf8) + [0x00, 0x0A, 0xFF])
    }

    @Test(arguments: ["", "TWO WORDS", "VERB!", String(repeating: "X", count: 33), "ÜBER"])
    func refusesBadVerbs(verb: String) {
        #expect(throws: RapportClientError.self) {
            try RequestEncoder.encode(tag: nil, verb: verb, arguments: [], payload: nil)
        }
    }

    @Test func refusesBadKeysInsteadOfCrashing() {
        #expect(throws: RapportClientError.invalidRequest("invalid argument key 1x")) {
            try RequestEncoder.encode(tag: nil, verb: "X", arguments: [.named("1x", "v")], payload: nil)
        }
    }

    @Test func sendsRawLinesAsTyped() throws {
        #expect(
            self.text(try RequestEncoder.encodeRaw("  #a  ping  x=\"1 2\"", payload: nil))
                == "  #a  ping  x=\"1 2\"\r\n"
        )
        #expect(try RequestEncoder.encodeRaw("UPLOAD", payload: [1, 2]) == Array("UPLOAD {2}\r\n".utf8) + [1, 2])
    }

    @Test(arguments: ["", "   \t", "PING\nPING", "PING\r", "UPLOAD {3}", "UPLOAD\t{0}  "])
    func refusesRawLinesThatWouldDesynchronise(line: String) {
        #expect(throws: RapportClientError.self) { try RequestEncoder.encodeRaw(line, payload: nil) }
    }

    @Test func acceptsBracesThatAreNotAMarker() throws {
        _ = try RequestEncoder.encodeRaw("ECHO {3}x", payload: nil)
        _ = try RequestEncoder.encodeRaw("ECHO x{3}", payload: nil)
        _ = try RequestEncoder.encodeRaw("ECHO {}", payload: nil)
    }

    @Test(
        arguments: [
            ("#a PING", "#a"), ("  #tag-1\tPING", "#tag-1"), ("PING", nil), ("# PING", nil), ("#bad! PING", nil),
            ("#\(String(repeating: "x", count: 33)) PING", nil),
        ] as [(String, String?)]
    )
    func readsTheTagOfRawLines(line: String, tag: String?) {
        #expect(RequestEncoder.tag(ofRawLine: line) == tag)
    }
}
