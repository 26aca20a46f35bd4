import RapportProtocol
import Testing

@Suite struct HelpRenderingTests {
    static let ping = CommandSpec(
        name: "PING",
        summary: "Check that the server answers.",
        requiredRole: .anyone,
        example: ["PING"]
    )
    static let log = CommandSpec(
        name: "LOG",
        summary: "Log an interaction | one line.",
        arguments: [
            ArgumentSpec(
                "template",
                kind: .positional,
                required: true,
                valueType: .code(maxLength: 10),
                help: "The template."
            ),
            ArgumentSpec("contact", kind: .positional, valueType: .code(maxLength: 20), help: "The contact."),
            ArgumentSpec(
                "flow",
                kind: .named,
                required: true,
                valueType: .enumeration(["in", "out"]),
                help: "Direction."
            ),
            ArgumentSpec("cost", kind: .named, valueType: .decimal, help: "Cost."),
        ],
        requiredRole: .salesperson,
        help: "Logs one entry.\nThe template decides the defaults.\n",
        example: ["LOG CALL C0001 flow=out", "#1 LOG MEET flow=in cost=12.50"]
    )

    @Test func derivesSynopsisFromArguments() {
        #expect(Self.log.synopsis == "LOG <template> [<contact>] flow=<in|out> [cost=<decimal>]")
        #expect(Self.ping.synopsis == "PING")
        #expect(CommandSpec(name: "x", synopsis: "X custom", summary: "", requiredRole: .anyone).synopsis == "X custom")
    }

    @Test func buildsTheHelpIndex() {
        let reply = Response(dataLines: HelpRenderer.helpIndex([Self.ping, Self.log]), final: .ok("2 commands"))
        #expect(
            String(decoding: reply.encode(), as: UTF8.self) == """
                * PING role=anyone "Check that the server answers."\r
                * LOG role=salesperson "Log an interaction | one line."\r
                OK 2 commands\r

                """
        )
    }

    @Test func buildsCommandHelp() throws {
        let reply = Response(dataLines: HelpRenderer.helpText(for: Self.log), final: .ok(""))
        let bytes = reply.encode(tag: "#h")
        #expect(
            String(decoding: bytes, as: UTF8.self) == """
                #h * usage "LOG <template> [<contact>] flow=<in|out> [cost=<decimal>]"\r
                #h * summary "Log an interaction | one line."\r
                #h * role salesperson\r
                #h * argument template required "code, at most 10 characters" "The template."\r
                #h * argument contact optional "code, at most 20 characters" "The contact."\r
                #h * argument flow required "one of in, out" Direction.\r
                #h * argument cost optional "decimal number ≥ 0" Cost.\r
                #h * help "Logs one entry."\r
                #h * help "The template decides the defaults."\r
                #h * example "LOG CALL C0001 flow=out"\r
                #h * example "#1 LOG MEET flow=in cost=12.50"\r
                #h OK\r

                """
        )
        // What HELP prints, the client library reads back.
        var parser = ResponseParser()
        parser.append(bytes)
        #expect(try parser.next() == TaggedResponse(tag: "#h", response: reply))
    }

    @Test func rendersTheProtocolDocumentDeterministically() {
        let markdown = ProtocolDocRenderer.markdownTable([Self.ping, Self.log])
        #expect(markdown == ProtocolDocRenderer.markdownTable([Self.ping, Self.log]))
        #expect(
            markdown == """
                | Command | Role | Summary |
                | --- | --- | --- |
                | [`PING`](#ping) | anyone | Check that the server answers. |
                | [`LOG`](#log) | salesperson | Log an interaction \\| one line. |

                ### PING

                `PING`

                Check that the server answers.

                Role: anyone.

                Example:

                ```
                PING
                ```

                ### LOG

                `LOG <template> [<contact>] flow=<in|out> [cost=<decimal>]`

                Log an interaction | one line.

                Role: salesperson.

                Logs one entry.
                The template decides the defaults.

                | Argument | Kind | Required | Type | Description |
                | --- | --- | --- | --- | --- |
                | `template` | positional | yes | code, at most 10 characters | The template. |
                | `contact` | positional | no | code, at most 20 characters | The contact. |
                | `flow` | named | yes | one of in, out | Direction. |
                | `cost` | named | no | decimal number ≥ 0 | Cost. |

                Example:

                ```
                LOG CALL C0001 flow=out
                #1 LOG MEET flow=in cost=12.50
                ```

                """
        )
    }
}
