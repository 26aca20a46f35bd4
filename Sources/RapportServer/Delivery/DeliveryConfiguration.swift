import Foundation
import SMTPClient

/// The delivery worker's settings (rapportd: `--smtp-*`, `--hard-copy-folder`, `--delivery-*` flags and
/// their RAPPORT_* variables; docs/OPERATIONS.md "Delivery").
public struct DeliveryConfiguration: Sendable {
    /// The mail relay; nil = none: logging an e-mail delivery is refused (and an e-mail item that is queued
    /// anyway, by an older server say, fails with that reason).
    public var relay: SMTPConfiguration?
    /// From: of every message (the envelope sender too).
    public var sender = MailAddress("rapport@localhost", name: "Rapport")
    /// Where hard-copy items are written, one file per entry.
    public var hardCopyFolder = ".rapport/hard-copy"
    /// SMTP connections (and claiming loops) working at once.
    public var concurrency = 2
    /// Items one loop claims at a time (one lease for them).
    public var batchSize = 100
    public var leaseSeconds = 300
    /// Tries per item, the first included; after the last temporary failure the item fails.
    public var maximumAttempts = 8
    /// Wait before the first retry; doubled for each further one, up to `maximumRetryDelay`.
    public var retryDelay: Duration = .seconds(30)
    public var maximumRetryDelay: Duration = .seconds(3600)
    /// How long an idle loop waits before it looks at the queue again.
    public var pollInterval: Duration = .seconds(1)
    /// Name of this worker in `delivery_outbox.claimed_by` (each loop adds `/n`).
    public var workerName = "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier)"

    public init() {}

    /// Database connections the worker keeps busy at most: per loop one claiming and building the next
    /// batch while its connection sends, and one committing outcomes; one more for lease renewals.
    public var databaseConnections: Int { 2 * max(1, self.concurrency) + 1 }

    /// Seconds before try `attempt + 1` after `attempt` failed temporarily.
    public func retryDelay(afterAttempt attempt: Int) -> Double {
        let base = Double(self.retryDelay.components.seconds) + Double(self.retryDelay.components.attoseconds) / 1e18
        let cap =
            Double(self.maximumRetryDelay.components.seconds) + Double(self.maximumRetryDelay.components.attoseconds)
            / 1e18
        return min(cap, base * pow(2, Double(max(0, attempt - 1))))
    }
}
