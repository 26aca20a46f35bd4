import Foundation
import RapportClient
import RapportProtocol

/// `rapport [options] import-contacts FILE`: sends a CSV file of contacts as CONTACT-IMPORT requests
/// of whole rows (the server takes at most 16 MiB per request), in order on one connection, with a
/// progress bar. Each part carries an idempotency key derived from the file, so running the same
/// import again after a failure does not import a part twice.
struct ImportContactsCommand {
    var settings: ConnectionSettings
    var timeout: Duration
    var path: String
    var partBytes: Int

    func run() async throws -> ExitStatus {
        guard let data = FileManager.default.contents(atPath: self.path) else {
            throw UsageError("cannot read \(self.path)")
        }
        let file = Array(data)
        let parts = CSVParts.split(file, maximumBytes: self.partBytes)
        let connection: RapportConnection
        switch await SessionOpener(settings: self.settings, timeout: self.timeout).open() {
        case .opened(let opened): connection = opened
        case .failed(let status): return status
        }
        defer { Task { await connection.close() } }
        let key = Self.fingerprint(file)
        var bar = ProgressBar(total: parts.reduce(0) { $0 + $1.fileBytes })
        var sent = 0
        var imported = 0
        for (index, part) in parts.enumerated() {
            let arguments: [Argument] = [
                .named("first-line", String(part.firstLine)), .named("idem", "import-\(key)-\(index + 1)"),
            ]
            let response: Response
            do {
                response = try await connection.send("CONTACT-IMPORT", arguments, payload: part.bytes)
            } catch {
                bar.finish()
                StandardStream.error.write("rapport: \(error); \(imported) contacts imported before\n")
                return ExitStatus(error: error)
            }
            if case .error = response.final {
                bar.finish()
                StandardStream.error.write("\(response.final.displayText)\n\(imported) contacts imported before this error\n")
                return ExitStatus(final: response.final)
            }
            imported += Self.importedCount(response)
            sent += part.fileBytes
            bar.update(completed: sent)
        }
        bar.finish()
        StandardStream.output.write("\(imported) contacts imported in \(parts.count) part\(parts.count == 1 ? "" : "s")\n")
        return .success
    }

    private static func importedCount(_ response: Response) -> Int {
        for line in response.dataLines {
            for case .named("imported", let value) in line.tokens { return Int(value) ?? 0 }
        }
        return 0
    }

    /// FNV-1a over the file: the same file gives the same idempotency keys.
    private static func fingerprint(_ bytes: [UInt8]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash &*= 0x100_0000_01b3
        }
        return String(hash, radix: 16)
    }
}
