import Foundation
import Synchronization

/// Starts `rapportd serve` as a separate process on a free port (added to `group` at once, so it
/// is stopped whatever happens next) and waits until it listens.
public func startReplica(
    name: String,
    binary: String,
    databaseURL: String,
    arguments: [String],
    logDirectory: String,
    group: ProcessGroup
) async throws -> (process: ChildProcess, port: Int) {
    let process = try ChildProcess.spawn(
        name: name,
        binary,
        ["serve", "--host", "127.0.0.1", "--port", "0", "--database-url", databaseURL] + arguments,
        environment: Toolbox.environment(["RAPPORT_LOG_LEVEL": "info"]),
        logDirectory: logDirectory
    )
    group.add(process)
    let port = try await process.waitFor("the line `rapportd: listening on …`") { output -> Int? in
        guard let line = output.split(separator: "\n").first(where: { $0.hasPrefix("rapportd: listening on ") }),
            let colon = line.lastIndex(of: ":")
        else { return nil }
        return Int(line[line.index(after: colon)...])
    }
    return (process, port)
}

/// The processes a test started, stopped in reverse order whatever happens.
public final class ProcessGroup: Sendable {
    public init() {}

    private let processes = Mutex<[ChildProcess]>([])

    public func add(_ process: ChildProcess) {
        self.processes.withLock { $0.append(process) }
    }

    public func stopAll() async {
        let all = self.processes.withLock { $0 }
        for process in all.reversed() {
            await process.stop()
        }
    }

    /// The last lines of every log, for failure messages.
    public func logs() -> String {
        self.processes.withLock { $0 }.map { process in
            let errors = process.errors.split(separator: "\n").suffix(25).joined(separator: "\n")
            let output = process.output.split(separator: "\n").suffix(10).joined(separator: "\n")
            return "--- \(process.name) (stdout)\n\(output)\n--- \(process.name) (stderr)\n\(errors)"
        }.joined(separator: "\n")
    }
}
