import Foundation
import LibPQ
import Logging
import NIOConcurrencyHelpers
import RapportModel
import RapportStore
import SMTPClient
import ServiceLifecycle

/// Sends what logging queued (reference 3.8 R9, 3.9 R1; issue 15): `concurrency` loops each claim a batch
/// from `delivery_outbox` (`FOR UPDATE SKIP LOCKED` under a lease, so replicas share the queue), send the
/// e-mail items over one SMTP connection (one message after the other) and write the hard copies; each
/// item's outcome is committed on its own right after it is known:
///
/// * 250 to the end of DATA, or the file renamed into place: delivered (entry status blank);
/// * 5xx, no address, no relay: failed (entry status error, the reply or reason on the outbox row);
/// * 4xx, connection refused/reset/timeout: pending again after a backoff, failed once the tries are used up.
///
/// A worker that dies mid-batch leaves its items claimed; their lease runs out and another worker takes
/// them (at least once: a message accepted just before the crash, whose delivered mark was not committed,
/// is sent again — docs/DECISIONS.md).
public final class DeliveryWorker: Service, Sendable, CustomStringConvertible {
    let pool: PGPool
    let configuration: DeliveryConfiguration
    let content: any DeliveryContentSource
    let metrics: DeliveryMetrics?
    let logger: Logger
    /// When the queued gauge was last counted.
    private let queuedCounted = NIOLockedValueBox<ContinuousClock.Instant?>(nil)

    public init(
        pool: PGPool,
        configuration: DeliveryConfiguration,
        content: any DeliveryContentSource = MergingContent(),
        metrics: DeliveryMetrics? = nil,
        logger: Logger
    ) {
        self.pool = pool
        self.configuration = configuration
        self.content = content
        self.metrics = metrics
        self.logger = logger
    }

    public var description: String { "DeliveryWorker" }

    /// Runs until graceful shutdown (or cancellation); a batch being sent is finished first.
    public func run() async {
        await withTaskGroup(of: Void.self) { group in
            for lane in 0..<max(1, self.configuration.concurrency) {
                group.addTask { await self.loop("\(self.configuration.workerName)/\(lane)") }
            }
        }
    }

    private var stopping: Bool { Task.isCancelled || Task.isShuttingDownGracefully }

    private func loop(_ worker: String) async {
        while !self.stopping {
            let worked: Bool
            do {
                worked = try await self.runOnce(worker: worker)
            } catch {
                self.logger.warning("delivery: cannot claim work", metadata: ["error": "\(error)"])
                worked = false
            }
            if !worked {
                let interval = self.configuration.pollInterval
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            }
        }
    }

    /// Claims a batch and delivers it; while the batches have e-mails, claims the next ones and sends
    /// them over the same SMTP connection until the queue has nothing claimable. False when there was
    /// nothing to do.
    @discardableResult
    public func runOnce(worker: String) async throws -> Bool {
        let items = try await self.claim(worker)
        guard !items.isEmpty else { return false }
        var pending = await self.start(items, worker: worker)
        guard !pending.isEmpty, let relay = self.configuration.relay else { return true }
        // Outcomes are committed by a second task while the connection goes on with the next message:
        // each mark right after its 250, those that finished during the previous commit together.
        let marks = OutcomeWriter { outcomes in await self.settle(outcomes, worker: worker) }
        // A slow relay: the claim is renewed every third of the lease while the connection sends, so no
        // other worker takes (and sends again) what this one still holds.
        let lease = Duration.seconds(self.configuration.leaseSeconds)
        let renewal = Task {
            while !Task.isCancelled {
                do {
                    try await Task.sleep(for: lease / 3)
                    try await self.renew(worker)
                } catch is CancellationError {
                    return
                } catch {
                    self.logger.warning("delivery: cannot renew the claim", metadata: ["error": "\(error)"])
                }
            }
        }
        defer { renewal.cancel() }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await marks.run() }
            // How many of the batch in flight have their outcome (reported in order).
            let reported = NIOLockedValueBox(0)
            do {
                try await SMTPConnection.with(relay) { connection in
                    while true {
                        // Items without an address fail at once; the rest go out in one run of the
                        // connection, each outcome handed to the writer on the event loop as it comes.
                        for next in pending where next.envelope == nil {
                            marks.add(next.item, .failed(next.problem ?? "nothing to send"))
                        }
                        pending = pending.filter { $0.envelope != nil }
                        let batch = Array(pending)
                        reported.withLockedValue { $0 = 0 }
                        // The next batch is claimed and its messages built while this one is sent.
                        let stopping = self.stopping
                        let following = Task { () -> ArraySlice<Prepared> in
                            guard !stopping else { return [] }
                            let more = try await self.claim(worker)
                            return more.isEmpty ? [] : await self.start(more, worker: worker)
                        }
                        do {
                            try await connection.send(batch.compactMap(\.envelope)) { index, outcome in
                                reported.withLockedValue { $0 = index + 1 }
                                switch outcome {
                                case .accepted: marks.add(batch[index].item, .delivered)
                                case .rejected(let reply): marks.add(batch[index].item, .failed("SMTP: \(reply)"))
                                case .deferred(let reply): marks.add(batch[index].item, .retry("SMTP: \(reply)"))
                                }
                            }
                        } catch {
                            // What was claimed meanwhile is not sent either: it goes back with the rest.
                            if let more = try? await following.value { pending += more }
                            throw error
                        }
                        pending = try await following.value
                        reported.withLockedValue { $0 = 0 }
                        if pending.isEmpty { return }
                    }
                }
            } catch {
                // The session broke (or never opened): every item without an outcome gets a later try.
                let rest = pending.dropFirst(reported.withLockedValue { $0 })
                self.logger.notice(
                    "delivery: SMTP session failed",
                    metadata: ["error": "\(error)", "items": "\(rest.count)"]
                )
                for next in rest { marks.add(next.item, .retry("\(error)")) }
            }
            marks.close()
        }
        return true
    }

    private func renew(_ worker: String) async throws {
        let seconds = self.configuration.leaseSeconds
        try await self.pool.withConnection { connection in
            try DeliveryStore.renew(connection, worker: worker, leaseSeconds: seconds)
        }
    }

    private func claim(_ worker: String) async throws -> [DeliveryItem] {
        let (batch, lease) = (self.configuration.batchSize, self.configuration.leaseSeconds)
        // The queued gauge counts the whole open queue: once a second, and whenever a claim finds the queue
        // (nearly) drained, not with every claim (a 100,000-message mailing would count itself a thousand
        // times).
        let now = ContinuousClock.now
        let due =
            self.metrics != nil
            && self.queuedCounted.withLockedValue { last in
                guard last.map({ now - $0 >= .seconds(1) }) ?? true else { return false }
                last = now
                return true
            }
        let counting = self.metrics != nil
        let (items, open) = try await self.pool.withConnection { connection in
            let items = try DeliveryStore.claim(connection, worker: worker, limit: batch, leaseSeconds: lease)
            return (items, counting && (due || items.count < batch) ? try DeliveryStore.openCount(connection) : nil)
        }
        if let open { self.metrics?.queued(open) }
        return items
    }

    /// Writes a batch's hard copies and returns its e-mails, ready to send (none without a relay: they
    /// fail; none when their content cannot be read: they are retried).
    private func start(_ items: [DeliveryItem], worker: String) async -> ArraySlice<Prepared> {
        let emails = items.filter { $0.correspondenceType == CorrespondenceType.email.rawValue }
        let copies = items.filter { $0.correspondenceType != CorrespondenceType.email.rawValue }
        if !copies.isEmpty { await self.writeHardCopies(copies, worker: worker) }
        guard !emails.isEmpty else { return [] }
        guard self.configuration.relay != nil else {
            await self.settle(emails.map { ($0, .failed(DeliveryMessages.noRelay)) }, worker: worker)
            return []
        }
        do {
            return try await self.prepare(emails)[...]
        } catch {
            await self.settle(emails.map { ($0, .retry("cannot load content: \(error)")) }, worker: worker)
            return []
        }
    }

    // MARK: E-mail

    private struct Prepared: Sendable {
        var item: DeliveryItem
        var envelope: SMTPEnvelope?
        var problem: String?
    }

    /// Loads every item's content on one database connection, then builds the messages (after the
    /// connection went back to the pool).
    private func prepare(_ items: [DeliveryItem]) async throws -> [Prepared] {
        let (source, sender) = (self.content, self.configuration.sender)
        let addressed = items.filter { !($0.email ?? "").isEmpty }
        var contents = try await self.pool.withConnection { connection in
            try source.contents(for: addressed, connection: connection)
        }[...]
        let domain = sender.address.split(separator: "@").last.map(String.init) ?? "localhost"
        return items.map { item in
            guard let address = item.email, !address.isEmpty else {
                return Prepared(item: item, envelope: nil, problem: DeliveryMessages.noAddress(item))
            }
            let content = contents.removeFirst()
            let message = MIMEMessage(
                from: sender,
                to: [MailAddress(address, name: item.contactName)],
                replyTo: item.salespersonEmail.flatMap {
                    $0.isEmpty ? nil : MailAddress($0, name: item.salespersonName)
                },
                subject: content.subject,
                // Stable over retries: a receiver can tell a repeat (the at-least-once window).
                messageID: "rapport.\(item.entryNo).\(item.id)@\(domain)",
                body: content.body,
                attachments: content.attachments,
                extraHeaders: [("X-Rapport-Entry", String(item.entryNo))]
            )
            return Prepared(
                item: item,
                envelope: SMTPEnvelope(sender: sender.address, recipients: [address], data: message.rendered()),
                problem: nil
            )
        }
    }

    // MARK: Hard copy

    /// One read of the batch's contents, the files written on the same pool thread (file I/O stays off
    /// Swift's executor), and the outcomes settled together.
    private func writeHardCopies(_ items: [DeliveryItem], worker: String) async {
        let (source, folder) = (self.content, self.configuration.hardCopyFolder)
        let outcomes: [(item: DeliveryItem, outcome: DeliveryOutcome)]
        do {
            outcomes = try await self.pool.withConnection { connection in
                let contents = try source.contents(for: items, connection: connection)
                return zip(items, contents).map { item, content in
                    let document = content.document
                    do {
                        try HardCopyFolder.write(
                            document.bytes,
                            folder: folder,
                            name: HardCopyFolder.fileName(item, document.fileExtension)
                        )
                        return (item, .delivered)
                    } catch {
                        return (item, .retry("hard copy: \(error)"))
                    }
                }
            }
        } catch {
            outcomes = items.map { ($0, .retry("hard copy: \(error)")) }
        }
        await self.settle(outcomes, worker: worker)
    }

    // MARK: Outcomes

    /// Records what became of items this worker holds, in at most two statements on one connection: the
    /// delivered and failed ones (delivery status blank or Error, committed at once without waiting for
    /// the WAL flush), and the temporary failures (back to the queue after their backoff; failed once
    /// their tries are used up).
    private func settle(_ outcomes: [(item: DeliveryItem, outcome: DeliveryOutcome)], worker: String) async {
        guard !outcomes.isEmpty else { return }
        var done: [(item: DeliveryItem, failure: String?)] = []
        var later: [(entryNo: Int64, reason: String, retryAfterSeconds: Double)] = []
        for (item, outcome) in outcomes {
            switch outcome {
            case .delivered:
                done.append((item, nil))
            case .failed(let reason):
                done.append((item, reason))
            case .retry(let reason) where item.attempts >= self.configuration.maximumAttempts:
                done.append((item, "\(reason) (gave up after \(item.attempts) tries)"))
            case .retry(let reason):
                later.append((item.entryNo, reason, self.configuration.retryDelay(afterAttempt: item.attempts)))
            }
        }
        let (marks, retries) = (done.map { ($0.item.entryNo, $0.failure.map { String($0.prefix(2000)) }) }, later)
        do {
            try await self.pool.withConnection { connection in
                try DeliveryStore.complete(connection, worker: worker, outcomes: marks, asynchronousCommit: true)
                try DeliveryStore.retryLater(connection, worker: worker, items: retries)
            }
            for (item, failure) in done {
                if failure == nil {
                    self.metrics?.sent(hardCopy: item.correspondenceType != CorrespondenceType.email.rawValue)
                } else {
                    self.metrics?.failed()
                }
            }
            for _ in later { self.metrics?.retried() }
        } catch {
            // Lost the claim (the lease ran out and another worker took the items) or the database is
            // away: the lease brings the items back (an accepted message is then sent again: the
            // at-least-once window).
            self.logger.warning(
                "delivery: cannot record outcomes",
                metadata: ["entries": "\(outcomes.map(\.item.entryNo))", "error": "\(error)"]
            )
        }
    }
}

/// What became of one item.
enum DeliveryOutcome: Sendable {
    case delivered
    /// For good: the entry becomes Error with this reason.
    case failed(String)
    /// Temporary: another try later (or failed, once the tries are used up).
    case retry(String)
}

/// Hands the outcomes one SMTP connection produces to `settle`, in order, without holding the connection
/// up: a batch of outcomes is settled as soon as the previous one is; outcomes that arrived meanwhile go
/// together (one statement, one transaction).
final class OutcomeWriter: Sendable {
    private let settle: @Sendable ([(item: DeliveryItem, outcome: DeliveryOutcome)]) async -> Void
    private let pending = NIOLockedValueBox<[(item: DeliveryItem, outcome: DeliveryOutcome)]>([])
    private let doorbell: AsyncStream<Void>
    private let ring: AsyncStream<Void>.Continuation

    init(settle: @escaping @Sendable ([(item: DeliveryItem, outcome: DeliveryOutcome)]) async -> Void) {
        self.settle = settle
        (self.doorbell, self.ring) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// Called on the SMTP connection's event loop: cheap, never waits.
    func add(_ item: DeliveryItem, _ outcome: DeliveryOutcome) {
        let first = self.pending.withLockedValue { pending in
            pending.append((item, outcome))
            return pending.count == 1
        }
        // One ring per batch of outcomes: the writer takes everything that is there when it wakes.
        if first { self.ring.yield() }
    }

    /// No more outcomes: `run` settles what is left and returns.
    func close() { self.ring.finish() }

    func run() async {
        for await _ in self.doorbell { await self.flush() }
        await self.flush()
    }

    private func flush() async {
        let batch = self.pending.withLockedValue { pending in
            defer { pending.removeAll(keepingCapacity: true) }
            return pending
        }
        await self.settle(batch)
    }
}

/// The reasons a delivery fails without a server's reply, and the logging refusal.
public enum DeliveryMessages {
    public static let noRelay = InteractionValidation.noEmailRelay

    static func noAddress(_ item: DeliveryItem) -> String {
        "Make sure that the Email field is specified for either contact no. \(item.contactNo ?? "") or the contact alternative address."
    }
}

/// Hard copies: one file per entry, `<entry no, 10 digits>-<contact no>-<description slug>.<ext>`, so that
/// a directory listing is the print order; written to a temporary name and renamed (never half a file).
enum HardCopyFolder {
    static func fileName(_ item: DeliveryItem, _ fileExtension: String) -> String {
        let number = String(item.entryNo)
        let padded = String(repeating: "0", count: max(0, 10 - number.count)) + number
        let slug = Self.slug(item.description ?? "")
        let contact = Self.slug(item.contactNo ?? "")
        let ext = Self.slug(fileExtension).isEmpty ? "bin" : Self.slug(fileExtension)
        return [padded, contact, slug].filter { !$0.isEmpty }.joined(separator: "-") + "." + ext
    }

    static func slug(_ text: String) -> String {
        var out = ""
        var dash = false
        for scalar in text.lowercased().unicodeScalars {
            if scalar.isASCII, CharacterSet.alphanumerics.contains(scalar) {
                out.unicodeScalars.append(scalar)
                dash = false
            } else if !dash, !out.isEmpty {
                out += "-"
                dash = true
            }
            if out.count >= 40 { break }
        }
        while out.hasSuffix("-") { out.removeLast() }
        return out
    }

    static func write(_ bytes: [UInt8], folder: String, name: String) throws {
        let manager = FileManager.default
        try manager.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let target = URL(fileURLWithPath: folder).appendingPathComponent(name)
        let temporary = URL(fileURLWithPath: folder).appendingPathComponent(".\(name).\(UUID().uuidString).tmp")
        try Data(bytes).write(to: temporary)
        if rename(temporary.path, target.path) != 0 {
            let code = errno
            try? manager.removeItem(at: temporary)
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: target.path, "errno": code])
        }
    }
}
