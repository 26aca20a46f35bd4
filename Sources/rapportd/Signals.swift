import Dispatch
import Foundation

/// Suspends until SIGINT or SIGTERM arrives and returns its name.
func waitForTerminationSignal() async -> String {
    await withCheckedContinuation { continuation in
        let queue = DispatchQueue(label: "rapportd.signals")
        let fired = ManagedAtomicFlag()
        var sources: [any DispatchSourceSignal] = []
        for (number, name) in [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM")] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler {
                guard fired.setOnce() else { return }
                sources.forEach { $0.cancel() }
                continuation.resume(returning: name)
            }
            source.resume()
            sources.append(source)
        }
    }
}

/// A flag that can be set once, from the signal queue only.
private final class ManagedAtomicFlag: @unchecked Sendable {
    private var isSet = false
    func setOnce() -> Bool {
        if self.isSet { return false }
        self.isSet = true
        return true
    }
}
