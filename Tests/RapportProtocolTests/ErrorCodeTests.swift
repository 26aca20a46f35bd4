import RapportProtocol
import Testing

@Suite struct ErrorCodeTests {
    @Test func usesStableWireCodes() {
        #expect(
            ErrorCode.allCases.map(\.rawValue) == [
                "BAD_COMMAND", "BAD_SYNTAX", "BAD_ARGS", "LINE_TOO_LONG", "BAD_ENCODING", "TOO_LARGE",
                "AUTH_REQUIRED", "AUTH_FAILED", "DENIED", "NOT_FOUND", "CONFLICT", "INVALID",
                "BUSY", "UNAVAILABLE", "TIMEOUT", "SHUTTING_DOWN", "INTERNAL",
            ]
        )
    }

    @Test func groupsCodesAndMarksRetryableOnes() {
        let byCategory = Dictionary(grouping: ErrorCode.allCases, by: \.category)
        #expect(
            byCategory[.request] == [.badCommand, .badSyntax, .badArguments, .lineTooLong, .badEncoding, .tooLarge]
        )
        #expect(
            byCategory[.refusal] == [
                .authenticationRequired, .authenticationFailed, .denied, .notFound, .conflict, .invalid,
            ]
        )
        #expect(byCategory[.server] == [.busy, .unavailable, .timeout, .shuttingDown, .internal])
        #expect(ErrorCode.allCases.filter(\.isRetryable) == [.busy, .unavailable, .timeout, .shuttingDown])
    }

    @Test func mapsFramingErrors() {
        let cases: [(FramingError, ErrorCode, String)] = [
            (.lineTooLong(limit: 8192), .lineTooLong, "line longer than 8192 bytes"),
            (.bareCarriageReturn, .badEncoding, "carriage return (CR) not followed by line feed (LF)"),
            (.nulByte, .badEncoding, "NUL byte in line"),
            (.controlCharacter, .badEncoding, "control character in line (only TAB is allowed)"),
            (.invalidUTF8, .badEncoding, "line is not valid UTF-8"),
            (.payloadTooLarge(declared: 20, limit: 10), .tooLarge, "literal of 20 bytes exceeds the limit of 10 bytes"),
        ]
        for (error, code, text) in cases {
            #expect(error.finalLine == .error(code, text))
        }
    }

    @Test func mapsSyntaxAndArgumentErrors() {
        #expect(
            SyntaxError("unterminated quote", column: 3).finalLine
                == .error(.badSyntax, "unterminated quote at column 3")
        )
        #expect(
            ArgumentError("missing argument template").finalLine == .error(.badArguments, "missing argument template")
        )
    }
}
