import ArgumentParser
import RapportClient

/// How to print the reply and where payloads come from and go to.
struct OutputOptions: ParsableArguments {
    @Flag(help: "Print data lines as one JSON array of objects, typed by the command's declared results.")
    var json = false

    @Flag(help: "Print data lines as CSV (RFC 4180) with a header of the command's declared result keys.")
    var csv = false

    @Flag(help: "Print each row as a block of `key: value` lines (like psql's \\x).")
    var vertical = false

    @Flag(help: "Follow next= cursors and print every page of a list (limit=1000 unless given).")
    var all = false

    @Option(help: "Write a downloaded payload to this file instead of standard output.")
    var output: String?

    @Option(help: "Send this file's bytes as the request's payload.")
    var payloadFile: String?

    /// The chosen format.
    var format: OutputFormat { self.json ? .json : self.csv ? .csv : .table }
}
