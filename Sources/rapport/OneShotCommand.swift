import Foundation
import RapportClient
import RapportProtocol

/// `rapport [options] VERB [ARGS...]`: connect, log in if asked, send one request (or, with `--all`, one per page
/// until the last), print the reply.
struct OneShotCommand {
    var settings: ConnectionSettings
    var timeout: Duration
    var verb: String
    var words: [String]
    var output: OutputOptions

    /// Verbs whose HELP is not asked for: they have no result columns, or end the session.
    private static let verbsWithoutHelp: Set<String> = ["HELP", "QUIT", "LOGOUT", "LOGIN", "PASSWORD", "PING"]

    /// Runs the command and returns the exit status; only usage errors are thrown.
    func run() async throws -> ExitStatus {
        // Read the payload before connecting, so a missing file costs no connection.
        let payload = try self.output.payloadFile.map(Self.readFile)
        let connection: RapportConnection
        switch await SessionOpener(settings: self.settings, timeout: self.timeout).open() {
        case .opened(let opened): connection = opened
        case .failed(let status): return status
        }
        let status: ExitStatus
        do {
            status = try await self.exchange(connection, payload: payload)
        } catch let error as UsageError {
            await connection.close()
            throw error
        } catch {
            StandardStream.error.write("rapport: \(error)\n")
            await connection.close()
            return ExitStatus(error: error)
        }
        await connection.close()
        return status
    }

    private func exchange(_ connection: RapportConnection, payload: [UInt8]?) async throws -> ExitStatus {
        let verb = self.verb.uppercased()
        var arguments = CommandLineEncoding.arguments(self.words)
        let names = Set(
            arguments.compactMap { argument -> String? in
                if case .named(let key, _) = argument { return key }
                return nil
            }
        )
        if self.output.all, !names.contains("limit") { arguments.append(.named("limit", "1000")) }
        // The command's result columns, asked for together with the command (pipelined).
        async let helpReply: Response? =
            Self.verbsWithoutHelp.contains(verb) ? nil : try? await connection.send("HELP", [.positional(verb)])
        var response = try await connection.send(self.verb, arguments, payload: payload)
        let help = await helpReply
        var declared: [ResultColumn] = []
        if let help, case .ok = help.final { declared = CommandHelp(dataLines: help.dataLines).results }

        if verb == "HELP", self.output.format == .table, !self.output.vertical, ReplyPrinter.printHelp(response) {
            var printer = ReplyPrinter(format: .table, outputPath: nil, declared: [], vertical: false)
            return printer.finish(response.final)
        }
        var printer = ReplyPrinter(
            format: self.output.format,
            outputPath: self.output.output,
            declared: declared,
            vertical: self.output.vertical
        )
        try printer.page(response)
        guard self.output.all else { return printer.finish(response.final) }

        // --all: follow next= cursors to the last page, printing each page as it arrives.
        let progress = StandardStream.error.isTerminal
        var pages: [PageFinal] = []
        var rowCount = response.dataLines.count
        while case .ok(let text) = response.final, let page = PageFinal(okText: text) {
            pages.append(page)
            guard let next = page.next else { break }
            if progress { StandardStream.error.write("\r\u{1B}[Kfetching: \(rowCount) rows, page \(pages.count + 1)…") }
            let nextArguments =
                arguments.filter { argument in
                    if case .named("next", _) = argument { return false }
                    return true
                } + [.named("next", next)]
            response = try await connection.send(self.verb, nextArguments, payload: payload)
            if progress { StandardStream.error.write("\r\u{1B}[K") }
            try printer.page(response)
            rowCount += response.dataLines.count
        }
        guard case .ok = response.final, !pages.isEmpty else { return printer.finish(response.final) }
        return printer.finish(response.final, summary: PageFinal.summary(rows: rowCount, pages: pages))
    }

    private static func readFile(_ path: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw UsageError("cannot read payload file \(path)")
        }
        return Array(data)
    }
}
