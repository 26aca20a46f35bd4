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
    /// when the connection was lost and, piped, not opened again.
    func run() async -> ExitStatus {
        let interactive = isatty(0) == 1
        // Interactive: the greeting belongs to the conversation. Piped: keep standard output for replies.
        let notes: StandardStream = interactive ? .output : .error
        guard let connection = await self.open(notes: notes, interactive: interactive) else { return .failure }
        if interactive { notes.write("Type HELP for the commands, quit or Ctrl-D to leave.\n") }
        let reader: any LineReader = interactive ? EditLineReader(historyPath: Self.historyPath) : PlainLineReader()
        let status = await self.loop(connection, reader: reader, prompt: self.prompt, interactive: interactive)
        reader.save()
        return interactive && status != .failure ? .success : status
    }

    /// Connects and logs in (with the kept ticket first, so a reconnection asks for no password); nil after
    /// printing why not.
    private func open(notes: StandardStream, interactive: Bool) async -> RapportConnection? {
        let opener = SessionOpener(settings: self.settings, timeout: self.timeout)
        let outcome = await opener.open { connection in
            notes.write("Connected to \(connection.host):\(connection.port): \(connection.greeting.finalLine.text)\n")
        }
        guard case .opened(let connection) = outcome else { return nil }
        if let user = self.settings.user { notes.write("Logged in as \(user).\n") }
        if interactive { ShellCompletion.install(ShellCompletion(connection: connection)) }
        return connection
    }

    /// Reads and sends lines until the end of input, `quit`, or a lost connection when piped. Interactive, a
    /// connection the server ended (a `BYE`, a restart, a failover) is opened again when the next line is typed, as
    /// psql does; a line whose reply was lost is not sent again, since it may have been carried out.
    private func loop(
        _ first: RapportConnection,
        reader: any LineReader,
        prompt: String,
        interactive: Bool
    ) async -> ExitStatus {
        var connection: RapportConnection? = first
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
            let leaving = Self.endWords.contains(trimmed.lowercased())
            if let ended = connection, !ended.isOpen {
                // Ended while the prompt waited (e.g. `BYE idle timeout`): this line has not been sent yet.
                connection = nil
                let reason = Self.describe(ended.endReason).map { "The server closed the connection: \($0)." }
                StandardStream.output.write((reason ?? "The connection to the server was lost.") + "\n")
            }
            if connection == nil {
                if leaving { return status }
                StandardStream.output.write("Reconnecting to \(self.settings.host):\(self.settings.port)…\n")
                connection = await self.open(notes: .output, interactive: interactive)
                guard connection != nil else {
                    StandardStream.error.write("rapport: not connected; the next line tries again\n")
                    status = .failure
                    continue
                }
            }
            guard let current = connection else { continue }
            let reply: TaggedResponse
            do {
                reply = try await current.sendRaw(line: leaving ? "QUIT" : line)
            } catch RapportClientError.invalidRequest(let reason) {
                StandardStream.error.write("rapport: \(reason)\n")
                status = .failure
                continue
            } catch {
                StandardStream.error.write("rapport: \(error)\n")
                await current.close()
                guard interactive, !leaving else { return ExitStatus(error: error) }
                StandardStream.error.write(
                    "rapport: the connection was lost before the reply: the command may or may not have been carried "
                        + "out (one sent with idem= can be sent again safely); the next line reconnects\n"
                )
                connection = nil
                status = .failure
                continue
            }
            Self.show(reply, vertical: vertical, isHelp: Self.verb(of: trimmed) == "HELP")
            status = ExitStatus(final: reply.response.final)
            if case .bye = reply.response.final {
                await current.close()
                guard interactive, !leaving, Self.verb(of: trimmed) != "QUIT" else { return status }
                StandardStream.output.write("The connection is closed; the next line reconnects.\n")
                connection = nil
            }
        }
        // End of input (Ctrl-D leaves the cursor after the prompt): leave politely.
        if interactive { StandardStream.output.write("\n") }
        if let connection, let bye = await connection.quit() {
            StandardStream.output.write(FinalLine.bye(bye).displayText + "\n")
        }
        return status
    }

    /// `BYE idle timeout`, or nil when the connection ended without a word from the server.
    private static func describe(_ reason: RapportClientError?) -> String? {
        guard case .connectionClosed(let bye?)? = reason else { return nil }
        return FinalLine.bye(bye).displayText
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
