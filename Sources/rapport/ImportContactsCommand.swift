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
        // The file's fingerprint (a pass over every byte) on another thread while this one cuts the file.
        async let fingerprint = Self.fingerprint(file)
        let parts: [CSVPart]
        do throws(CSVReader.Problem) {
            parts = try CSVParts.split(file, maximumBytes: self.partBytes)
        } catch {
            StandardStream.error.write("\(self.path): \(error.description); nothing sent\n")
            return .failure
        }
        let connection: RapportConnection
        switch await SessionOpener(settings: self.settings, timeout: self.timeout).open() {
        case .opened(let opened): connection = opened
        case .failed(let status): return status
        }
        defer { Task { await connection.close() } }
        let key = await fingerprint
        let rows = parts.reduce(0) { $0 + $1.rows }
        var bar = ProgressBar(total: rows, unit: "rows")
        bar.update(completed: 0)
        var done = 0
        var imported = 0
        var replayed = 0
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
                StandardStream.error.write(
                    "\(response.final.displayText)\n\(imported) contacts imported before this error\n"
                )
                return ExitStatus(final: response.final)
            }
            let count = Self.value("imported", response).flatMap(Int.init) ?? 0
            if Self.value("replayed", response) == "true" { replayed += count } else { imported += count }
            done += part.rows
            bar.update(completed: done)
        }
        let elapsed = bar.elapsed
        bar.finish()
        StandardStream.output.write(
            Self.summary(imported: imported, replayed: replayed, parts: parts.count, elapsed: elapsed) + "\n"
        )
        return .success
    }

    /// `1000000 contacts imported in 12 parts (20.4 s, 49020 rows/s)`; a replay says nothing was written.
    static func summary(imported: Int, replayed: Int, parts: Int, elapsed: Duration) -> String {
        let partText = "in \(parts) part\(parts == 1 ? "" : "s")"
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let timing =
            String(format: "%.1f s", seconds)
            + (ProgressBar.rate(imported, elapsed).map { String(format: ", %.0f rows/s", $0) } ?? "")
        if replayed > 0, imported == 0 {
            return "\(replayed) contacts already imported (idempotent replay); nothing written"
        }
        if replayed > 0 {
            return
                "\(imported) contacts imported, \(replayed) already imported (idempotent replay) \(partText) (\(timing))"
        }
        return "\(imported) contacts imported \(partText) (\(timing))"
    }

    private static func value(_ key: String, _ response: Response) -> String? {
        for line in response.dataLines {
            for case .named(let name, let value) in line.tokens where name == key { return value }
        }
        return nil
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
