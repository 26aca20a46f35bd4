import Foundation
import RapportClient
import RapportProtocol

/// `rapport [options] VERB [ARGS...]`: connect, log in if asked, send one request, print the reply.
struct OneShotCommand {
    var settings: ConnectionSettings
    var timeout: Duration
    var verb: String
    var words: [String]
    var output: OutputOptions

    /// Runs the command and returns the exit status; only usage errors are thrown.
    func run() async throws -> ExitStatus {
        // Read the payload before connecting, so a missing file costs no connection.
        let payload = try self.output.payloadFile.map(Self.readFile)
        let connection: RapportConnection
        switch await SessionOpener(settings: self.settings, timeout: self.timeout).open() {
        case .opened(let opened): connection = opened
        case .failed(let status): return status
        }
        let response: Response
        do {
            response = try await connection.send(self.verb, CommandLineEncoding.arguments(self.words), payload: payload)
        } catch {
            StandardStream.error.write("rapport: \(error)\n")
            await connection.close()
            return ExitStatus(error: error)
        }
        await connection.close()
        return try ReplyPrinter(format: self.output.format, outputPath: self.output.output).print(response)
    }

    private static func readFile(_ path: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw UsageError("cannot read payload file \(path)")
        }
        return Array(data)
    }
}
