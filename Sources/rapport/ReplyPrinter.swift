import Foundation
import RapportClient
import RapportProtocol

/// Prints the reply of a one-shot command and derives the exit status.
///
/// Data lines go to standard output in the chosen format, unless a payload goes there, in which case they go to
/// standard error. The `OK` text is printed only when there are no data lines: to standard output for a table,
/// to standard error for JSON and CSV (whose output must stay parseable). `ERR` and `BYE` go to standard error.
/// A binary payload is not written to a terminal.
struct ReplyPrinter {
    var format: OutputFormat
    var outputPath: String?

    func print(_ response: Response) throws -> ExitStatus {
        let payloads = response.dataLines.compactMap(\.payload)
        var dataStream = StandardStream.output
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
                dataStream = .error
            }
        }
        let rendered = self.format.render(response.dataLines)
        // An empty JSON array still says "no rows" to a script; a table or CSV without columns says nothing.
        if !response.dataLines.isEmpty || self.format == .json { dataStream.write(rendered) }
        switch response.final {
        case .ok(let text):
            if response.dataLines.isEmpty, !text.isEmpty {
                let stream: StandardStream = self.format == .table ? .output : .error
                stream.write(text + "\n")
            }
        case .error, .bye:
            StandardStream.error.write(response.final.displayText + "\n")
        }
        return ExitStatus(final: response.final)
    }

    /// Whether `bytes` are not printable text: invalid UTF-8, or control characters other than TAB, CR and LF.
    private static func looksBinary(_ bytes: [UInt8]) -> Bool {
        guard let text = String(validating: bytes, as: UTF8.self) else { return true }
        return text.unicodeScalars.contains { scalar in
            (scalar.value < 0x20 && scalar != "\t" && scalar != "\r" && scalar != "\n") || scalar.value == 0x7F
        }
    }
}
