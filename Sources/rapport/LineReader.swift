import CEditLine
import Foundation

/// Where the shell gets its lines.
protocol LineReader {
    /// The next line without its terminator, or nil at end of input.
    func nextLine(prompt: String) async -> String?
    /// Remembers a line for recall (a no-op without line editing).
    func remember(_ line: String)
    /// Saves what must outlive the session.
    func save()
}

/// Runs a blocking call on its own thread, so that no thread of Swift's cooperative pool waits for a person.
func onOwnThread<Result: Sendable>(_ body: @escaping @Sendable () -> Result) async -> Result {
    await withCheckedContinuation { continuation in
        Thread.detachNewThread { continuation.resume(returning: body()) }
    }
}

/// Lines from libedit's `readline`, with history kept in a file.
struct EditLineReader: LineReader {
    /// The history file.
    let historyPath: String
    /// Most lines kept.
    let historyLimit: Int32 = 1000

    init(historyPath: String) {
        self.historyPath = historyPath
        using_history()
        stifle_history(self.historyLimit)
        // A missing file is the normal first run.
        _ = read_history(historyPath)
    }

    func nextLine(prompt: String) async -> String? {
        await onOwnThread {
            guard let line = readline(prompt) else { return nil }
            defer { free(line) }
            return String(cString: line)
        }
    }

    func remember(_ line: String) {
        _ = add_history(line)
        // Saved after every line, so that a killed session keeps what was typed.
        self.save()
    }

    func save() {
        if write_history(self.historyPath) == 0 {
            // History may hold typed commands; keep it private.
            chmod(self.historyPath, 0o600)
        }
    }
}

/// Lines from a pipe or file on standard input: no prompt, no history.
struct PlainLineReader: LineReader {
    func nextLine(prompt: String) async -> String? {
        await onOwnThread {
            guard var line = Swift.readLine(strippingNewline: true) else { return nil }
            if line.hasSuffix("\r") { line.removeLast() }
            return line
        }
    }

    func remember(_ line: String) {}

    func save() {}
}
