import Logging
import Synchronization

/// Every log line of a server, rendered with all of its metadata.
public final class CapturedLog: Sendable {
    private let state = Mutex<[String]>([])
    public var lines: [String] { self.state.withLock { $0 } }
    public func append(_ line: String) { self.state.withLock { $0.append(line) } }

    public init() {}

    /// A logger at level trace whose every line lands here.
    public func logger(label: String) -> Logger {
        var logger = Logger(label: label) { _ in CapturingLogHandler(log: self) }
        logger.logLevel = .trace
        return logger
    }
}

struct CapturingLogHandler: LogHandler {
    let log: CapturedLog
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { self.metadata[key] }
        set { self.metadata[key] = newValue }
    }

    func log(
        level: Logger.Level,
        message: Logger.Message,
        metadata: Logger.Metadata?,
        source: String,
        file: String,
        function: String,
        line: UInt
    ) {
        let all = self.metadata.merging(metadata ?? [:]) { $1 }
        let rendered = all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        self.log.append("\(level) \(message) \(rendered)")
    }
}
