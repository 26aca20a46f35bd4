import RapportProtocol
import Testing

@Suite struct TokenizerTests {
    private func arguments(_ line: String) throws -> [Argument] {
        try #require(try Tokenizer.parse(line)).arguments
    }

    private func syntaxError(_ line: String) -> SyntaxError? {
        do {
            _ = try Tokenizer.parse(line)
            return nil
        } catch {
            return error
        }
    }

    @Test func parsesVerbAloneAndIgnoresSurroundingBlanks() throws {
        #expect(try Tokenizer.parse("PING") == Request(verb: "PING"))
        #expect(try Tokenizer.parse(" \t ping \t ") == Request(verb: "PING"))
    }

    @Test func ignoresBlankLines() throws {
        #expect(try Tokenizer.parse("") == nil)
        #expect(try Tokenizer.parse(" \t  ") == nil)
    }

    @Test func upperCasesVerbs() throws {
        #expect(try Tokenizer.parse("Log-entry_2")?.verb == "LOG-ENTRY_2")
        #expect(try Tokenizer.parse(String(repeating: "v", count: 32))?.verb == String(repeating: "V", count: 32))
    }

    @Test func parsesTags() throws {
        let request = try Tokenizer.parse("#a-1_B login alice \"s3cr et\"")
        #expect(
            request == Request(tag: "#a-1_B", verb: "LOGIN", arguments: [.positional("alice"), .positional("s3cr et")])
        )
        #expect(try Tokenizer.parse("#" + String(repeating: "t", count: 32) + " PING")?.tag?.count == 33)
    }

    @Test func separatesTokensByRunsOfBlanks() throws {
        #expect(try self.arguments("X a \t b\t\tc") == [.positional("a"), .positional("b"), .positional("c")])
    }

    @Test func tellsNamedFromPositional() throws {
        #expect(try self.arguments("X name=\"John Doe\"") == [.named("name", "John Doe")])
        #expect(try self.arguments("X \"a=b\"") == [.positional("a=b")])
        #expect(try self.arguments("X x=") == [.named("x", "")])
        #expect(try self.arguments("X \"\"") == [.positional("")])
        #expect(try self.arguments("X Name=V") == [.named("name", "V")])
        #expect(try self.arguments("X a.b-c_9=1") == [.named("a.b-c_9", "1")])
        #expect(try self.arguments("X k=a=b") == [.named("k", "a=b")])
        #expect(try self.arguments("X 1a=b =x +k=v") == [.positional("1a=b"), .positional("=x"), .positional("+k=v")])
        #expect(try self.arguments("X ab\"c=d\"=e") == [.positional("abc=d=e")])
        #expect(try self.arguments("X a=\"x\"y\"z\"") == [.named("a", "xyz")])
        #expect(try self.arguments("X k=\"\"") == [.named("k", "")])
    }

    @Test func decodesEscapes() throws {
        #expect(try self.arguments(#"X "a\\b\"c\n\r\t\x01\x7f\x41""#) == [.positional("a\\b\"c\n\r\t\u{01}\u{7F}A")])
    }

    @Test func keepsUnicodeAndCombiningMarksNextToQuotes() throws {
        #expect(
            try self.arguments("X \"\u{301}a\"\u{301} 😀 e\u{301}") == [
                .positional("\u{301}a\u{301}"), .positional("😀"), .positional("e\u{301}"),
            ]
        )
    }

    @Test func reportsSyntaxErrorsWithColumns() {
        let cases: [(String, String, Int)] = [
            (#"X a\b"#, "backslash outside quotes", 4),
            (#"X "abc"#, "unterminated quote", 3),
            (#"X "a"b""#, "unterminated quote", 7),
            (#"X "a\qb""#, "bad escape \\q", 5),
            (#"X "\x0""#, "\\x needs two hex digits", 4),
            (#"X "\x00""#, "NUL character", 4),
            (#"X "\x80""#, "\\x escape above 7F", 4),
            ("X a\u{0}b", "NUL character", 4),
            ("X \"a\u{0}\"", "NUL character", 5),
            ("X a\u{85}", "control character U+0085", 4),
            ("X \"\u{1B}\"", "control character U+001B", 4),
            ("X 😀\\", "backslash outside quotes", 4),
            ("#tag", "missing verb after tag", 5),
            ("# X", "tag must be # and 1–32 letters, digits, _ or -", 1),
            ("  #t!g X", "tag must be # and 1–32 letters, digits, _ or -", 3),
            ("#" + String(repeating: "t", count: 33) + " X", "tag must be # and 1–32 letters, digits, _ or -", 1),
            ("P!NG", "verb must be 1–32 letters, digits, _ or -", 1),
            ("#t  \"PING\"", "verb must be 1–32 letters, digits, _ or -", 5),
            (String(repeating: "V", count: 33), "verb must be 1–32 letters, digits, _ or -", 1),
        ]
        for (line, message, column) in cases {
            let error = self.syntaxError(line)
            #expect(error == SyntaxError(message, column: column), "\(line)")
            #expect(error?.errorCode == .badSyntax)
        }
        #expect(self.syntaxError(#"X "abc"#)?.errorText == "unterminated quote at column 3")
    }

    @Test func limitsTheNumberOfArguments() throws {
        let sixtyFour = Array(repeating: "a", count: 64).joined(separator: " ")
        #expect(try self.arguments("X " + sixtyFour).count == 64)
        let error = self.syntaxError("X " + sixtyFour + " b")
        #expect(error == SyntaxError("too many arguments (at most 64)", column: 131, kind: .tooManyArguments))
        #expect(error?.errorCode == .tooLarge)
    }
}
