import RapportClient
import RapportProtocol
import Testing

@Suite struct CommandLineEncodingTests {
    @Test(arguments: [
        ("role=manager", Argument.named("role", "manager")),
        ("Role=Manager", .named("role", "Manager")),
        ("note=", .named("note", "")),
        ("a.b-c_d=x=y", .named("a.b-c_d", "x=y")),
        ("key=two words", .named("key", "two words")),
        ("alice", .positional("alice")),
        ("=value", .positional("=value")),
        ("1key=x", .positional("1key=x")),
        ("bad key=x", .positional("bad key=x")),
        ("ünï=x", .positional("ünï=x")),
        ("", .positional("")),
        ("-5", .positional("-5")),
    ])
    func classifiesWords(word: String, expected: Argument) {
        #expect(CommandLineEncoding.argument(word) == expected)
    }

    @Test func encodesForTheWire() {
        #expect(CommandLineEncoding.wireToken("alice") == "alice")
        #expect(CommandLineEncoding.wireToken("two words") == "\"two words\"")
        #expect(CommandLineEncoding.wireToken("x=1 2") == "x=\"1 2\"")
        #expect(CommandLineEncoding.wireToken("") == "\"\"")
        #expect(CommandLineEncoding.wireToken("{3}") == "\"{3}\"")
        #expect(CommandLineEncoding.wireToken("=value") == "=value")
        #expect(
            CommandLineEncoding.requestLine(verb: "USER-ADD", words: ["bob", "role=rep"]) == "USER-ADD bob role=rep"
        )
    }

    /// Every word reads back through the server's tokenizer as the argument it stands for.
    @Test(arguments: [
        "plain", "two words", "", "tab\there", "line\nbreak", "cr\rlf", "quote\"inside", "back\\slash",
        "{12}", "{", "}", "#tag", "*", "ünïcödé ✓", "emoji 👩‍💻", "\u{1}\u{1F}\u{7F}", "\u{85}", "nul\0byte",
        "k=v", "k=", "k=\"quoted\"", "k=two words", "K.x-y_z=1", "=x", "9=x", "a b=c", "x=\\", "é=x",
        "\u{301}combining", "\"", "trailing ", " leading",
    ])
    func roundTripsThroughTheTokenizer(word: String) throws {
        let line = CommandLineEncoding.requestLine(verb: "ECHO", words: [word, "next"])
        let request = try #require(try Tokenizer.parse(line))
        var expected = CommandLineEncoding.argument(word)
        // NUL cannot travel; the encoder substitutes U+FFFD.
        if case .positional(let value) = expected, value.contains("\0") {
            expected = .positional(value.replacing("\0", with: "\u{FFFD}"))
        }
        #expect(request.verb == "ECHO")
        #expect(request.arguments == [expected, .positional("next")])
    }
}
