import Foundation
import RapportClient
import RapportProtocol

/// Prints the replies of a one-shot command (one page, or every page with `--all`) and derives the exit status.
///
/// Data lines go to standard output in the chosen format, unless a payload goes there, in which case they go to
/// standard error. The `OK` text (counts, `next=` cursor, totals) is always printed: after the table on the same
/// stream, or to standard error with `--json`/`--csv` (whose output must stay parseable). `ERR` and `BYE` go to
/// standard error. A binary payload is not written to a terminal.
struct ReplyPrinter {
    var format: OutputFormat
    var outputPath: String?
    private var rows: RowStream
    private var dataStream = StandardStream.output
    private var wroteRows = false

    init(format: OutputFormat, outputPath: String?, declared: [ResultColumn], vertical: Bool) {
        self.format = format
        self.outputPath = outputPath
        let environment = ProcessInfo.processInfo.environment
        // Automatic vertical layout only for people: a table on a terminal.
        let autoWidth =
            format == .table && StandardStream.output.isTerminal
            ? TerminalWidth.of(.output, environment: environment) : nil
        self.rows = RowStream(format: format, declared: declared, vertical: vertical, autoVerticalWidth: autoWidth)
    }

    /// Prints the payload and data lines of one reply (one page).
    mutating func page(_ response: Response) throws {
        let payloads = response.dataLines.compactMap(\.payload)
        if !payloads.isEmpty {
            let bytes = Array(payloads.joined())
            if let outputPath = self.outputPath {
                guard FileManager.default.createFile(atPath: outputPath, contents: Data(bytes)) else {
                    throw UsageError("cannot write \(outputPath)")
                }
            } else if StandardStream.output.isTerminal, Self.looksBinary(bytes) {
                // Like curl: raw bytes would garble the terminal, and nobody can read them there anyway.
                StandardStream.error.write(
                    "rapport: not writing \(bytes.count) bytes of binary payload to the terminal; use --output PATH\n"
                )
            } else {
                StandardStream.output.write(bytes)
                self.dataStream = .error
            }
        }
        self.dataStream.write(self.rows.page(response.dataLines))
    }

    /// Ends the output and prints the final line (`summary` replaces the OK text after several pages).
    mutating func finish(_ final: FinalLine, summary: String? = nil) -> ExitStatus {
        self.dataStream.write(self.rows.finish())
        switch final {
        case .ok(let text):
            let shown = summary ?? text
            if !shown.isEmpty {
                let stream: StandardStream = self.format == .table ? self.dataStream : .error
                stream.write(shown + "\n")
            }
        case .error, .bye:
            StandardStream.error.write(final.displayText + "\n")
        }
        return ExitStatus(final: final)
    }

    /// Prints a HELP reply laid out for people (table format only); false when it is not one.
    static func printHelp(_ response: Response) -> Bool {
        let width = TerminalWidth.of(.output, environment: ProcessInfo.processInfo.environment)
        guard case .ok = response.final, let text = HelpFormatter.render(response.dataLines, width: width) else {
            return false
        }
        StandardStream.output.write(text)
        return true
    }

    /// Whether `bytes` are not printable text: invalid UTF-8, or control characters other than TAB, CR and LF.
    private static func looksBinary(_ bytes: [UInt8]) -> Bool {
        guard let text = String(validating: bytes, as: UTF8.self) else { return true }
        return text.unicodeScalars.contains { scalar in
            (scalar.value < 0x20 && scalar != "\t" && scalar != "\r" && scalar != "\n") || scalar.value == 0x7F
        }
    }
}
