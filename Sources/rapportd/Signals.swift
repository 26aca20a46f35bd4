import Dispatch
import Foundation

/// SIGINT and SIGTERM as an async sequence of their names; the default action (exit) is disabled
/// while the stream lives, so a signal starts a graceful shutdown instead.
func terminationSignals() -> AsyncStream<String> {
    AsyncStream { continuation in
        let queue = DispatchQueue(label: "rapportd.signals")
        let sources = [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM")].map { number, name -> any DispatchSourceSignal in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { continuation.yield(name) }
            source.resume()
            return source
        }
        let held = SignalSources(sources)
        continuation.onTermination = { _ in held.cancel() }
    }
}

/// Keeps the signal sources alive for as long as the stream; they are only touched to cancel them.
private final class SignalSources: @unchecked Sendable {
    private let sources: [any DispatchSourceSignal]
    init(_ sources: [any DispatchSourceSignal]) { self.sources = sources }
    func cancel() { self.sources.forEach { $0.cancel() } }
}
