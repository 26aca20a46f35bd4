import ArgumentParser
import RapportProtocol
import RapportServer

/// Prints the command reference of docs/PROTOCOL.md, generated from the command table.
struct ProtocolReference: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "protocol-reference",
        abstract:
            "Print the command reference (Markdown) generated from the command table; `make docs` puts it into docs/PROTOCOL.md."
    )

    func run() {
        print(ProtocolDocRenderer.markdownTable(RapportServer.commandSpecs), terminator: "")
    }
}
