import ArgumentParser
import RapportClient

/// How to print the reply and where payloads come from and go to.
struct OutputOptions: ParsableArguments {
    @Flag(help: "Print data lines as a JSON array of objects.")
    var json = false

    @Flag(help: "Print data lines as CSV (RFC 4180) with a header row.")
    var csv = false

    @Option(help: "Write a downloaded payload to this file instead of standard output.")
    var output: String?

    @Option(help: "Send this file's bytes as the request's payload.")
    var payloadFile: String?

    /// The chosen format.
    var format: OutputFormat { self.json ? .json : self.csv ? .csv : .table }
}
