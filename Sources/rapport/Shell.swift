import Foundation
import RapportClient
import RapportProtocol

/// `rapport shell`: sends lines as typed and prints each reply.
struct Shell {
    var settings: ConnectionSettings
    var timeout: Duration
    /// Whether rows start in the vertical layout (`--vertical`; `\x` toggles it).
    var vertical = false

    /// Verbs whose lines carry a secret and are therefore kept out of the history file.
    private static let secretVerbs: Set<String> = ["LOGIN", "PASSWORD", "USER-ADD", "USER-PASSWD"]
    /// Words that end the session locally; `quit` is also the server's QUIT.
    private static let endWords: Set<String> = ["quit", "exit"]

    /// Runs the session; returns the status of the last reply when piped, 0 when interactive, and 1 (either way)
    /// when the connection was lost.
    func run() async -> ExitStatus {
        let interactive = isatty(0) == 1
        // Interactive: the greeting belongs to the conversation. Piped: keep standard output for replies.
        let notes: StandardStream = interactive ? .output : .error
        let opener = SessionOpener(settings: self.settings, timeout: self.timeout)
        let outcome = await opener.open { connection in
            notes.write("Connected to \(connection.host):\(connection.port): \(connection.greeting.finalLine.text)\n")
        }
        let connection: RapportConnection
        switch outcome {
        case .opened(let opened): connection = opened
        case .failed(let status): return status
        }
        if let user = self.settings.user { notes.write("Logged in as \(user).\n") }
        if interactive { notes.write("Type HELP for the commands, quit or Ctrl-D to leave.\n") }
        let reader: any LineReader = interactive ? EditLineReader(historyPath: Self.historyPath) : PlainLineReader()
        if interactive { ShellCompletion.install(ShellCompletion(connection: connection)) }
        let status = await self.loop(connection, reader: reader, prompt: self.prompt, interactive: interactive)
        reader.save()
        return interactive && status != .failure ? .success : status
    }

    private func loop(
        _ connection: RapportConnection,
        reader: any LineReader,
        prompt: String,
        interactive: Bool
    ) async -> ExitStatus {
        var status = ExitStatus.success
        var vertical = self.vertical
        while let line = await reader.nextLine(prompt: prompt) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            if trimmed == "\\x" {
                // Like psql: toggles one block of `key: value` lines per row.
                reader.remember(line)
                vertical.toggle()
                StandardStream.output.write("Vertical display is \(vertical ? "on" : "off").\n")
                continue
            }
            if !Self.carriesSecret(trimmed) { reader.remember(line) }
            let toSend = Self.endWords.contains(trimmed.lowercased()) ? "QUIT" : line
            let reply: TaggedResponse
            do {
                reply = try await connection.sendRaw(line: toSend)
            } catch RapportClientError.invalidRequest(let reason) {
                StandardStream.error.write("rapport: \(reason)\n")
                status = .failure
                continue
            } catch {
                StandardStream.error.write("rapport: \(error)\n")
                await connection.close()
                return ExitStatus(error: error)
            }
            Self.show(reply, vertical: vertical, isHelp: Self.verb(of: trimmed) == "HELP")
            status = ExitStatus(final: reply.response.final)
            if case .bye = reply.response.final {
                await connection.close()
                return status
            }
        }
        // End of input (Ctrl-D leaves the cursor after the prompt): leave politely.
        if interactive { StandardStream.output.write("\n") }
        if let bye = await connection.quit() {
            StandardStream.output.write(FinalLine.bye(bye).displayText + "\n")
        }
        return status
    }

    /// Prints the data lines as a table (or vertically; HELP laid out and wrapped), then the final line as sent
    /// (with the tag, if the line had one).
    private static func show(_ reply: TaggedResponse, vertical: Bool, isHelp: Bool) {
        let environment = ProcessInfo.processInfo.environment
        let width = TerminalWidth.of(.output, environment: environment)
        if isHelp, !vertical, case .ok = reply.response.final,
            let text = HelpFormatter.render(reply.response.dataLines, width: width)
        {
            StandardStream.output.write(text)
        } else {
            let auto = StandardStream.output.isTerminal ? width : nil
            var rows = RowStream(format: .table, declared: [], vertical: vertical, autoVerticalWidth: auto)
            StandardStream.output.write(rows.page(reply.response.dataLines))
        }
        for line in reply.response.dataLines {
            if let payload = line.payload {
                StandardStream.output.write("(payload of \(payload.count) bytes not shown)\n")
            }
        }
        let tag = reply.tag.map { $0 + " " } ?? ""
        StandardStream.output.write(tag + reply.response.final.displayText + "\n")
    }

    /// The verb of a typed line, uppercased (a leading tag skipped).
    private static func verb(of line: String) -> String? {
        var words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
        if words.first?.hasPrefix("#") == true { words.removeFirst() }
        return words.first.map { $0.uppercased() }
    }

    private var prompt: String {
        let user = self.settings.user.map { $0 + "@" } ?? ""
        return "\(user)\(self.settings.host):\(self.settings.port)> "
    }

    private static var historyPath: String {
        let home = ProcessInfo.processInfo.environment["HOME"] ?? NSHomeDirectory()
        return (home as NSString).appendingPathComponent(".rapport_history")
    }

    /// Whether `line` is a command whose arguments include a secret (the tag, if any, is skipped).
    private static func carriesSecret(_ line: String) -> Bool {
        var words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
        if words.first?.hasPrefix("#") == true { words.removeFirst() }
        guard let verb = words.first else { return false }
        return Self.secretVerbs.contains(verb.uppercased())
    }
}
