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
        let marks = OutcomeWriter(pool: self.pool, worker: worker, metrics: self.metrics, logger: self.logger)
        let lease = Duration.seconds(self.configuration.leaseSeconds)
        var claimed = ContinuousClock.now
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await marks.run() }
            do {
                try await SMTPConnection.with(relay) { connection in
                    while true {
                        while let next = pending.first {
                            // A slow relay: keep the batch's claim before half its lease is gone, so no
                            // other worker takes (and sends) it meanwhile.
                            if ContinuousClock.now - claimed > lease / 2 {
                                try await self.renew(worker)
                                claimed = ContinuousClock.now
                            }
                            guard let envelope = next.envelope else {
                                marks.add(next.item.entryNo, failure: next.problem ?? "nothing to send")
                                pending.removeFirst()
                                continue
                            }
                            let following = pending.dropFirst().first?.envelope
                            let outcome = try await connection.send(envelope, following: following)
                            pending.removeFirst()
                            switch outcome {
                            case .accepted:
                                marks.add(next.item.entryNo, failure: nil)
                            case .rejected(let reply):
                                marks.add(next.item.entryNo, failure: "SMTP: \(reply)")
                            case .deferred(let reply):
                                await self.retryOrFail(next.item, worker: worker, reason: "SMTP: \(reply)")
                            }
                        }
                        guard !self.stopping else { return }
                        let more = try await self.claim(worker)
                        claimed = ContinuousClock.now
                        if more.isEmpty { return }
                        pending = await self.start(more, worker: worker)
                    }
                }
            } catch {
                // The session broke (or never opened): every item without an outcome gets a later try.
                self.logger.notice(
                    "delivery: SMTP session failed",
                    metadata: ["error": "\(error)", "items": "\(pending.count)"]
                )
                for next in pending { await self.retryOrFail(next.item, worker: worker, reason: "\(error)") }
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
        let measure = self.metrics != nil
        let (items, open) = try await self.pool.withConnection { connection in
            let items = try DeliveryStore.claim(connection, worker: worker, limit: batch, leaseSeconds: lease)
            return (items, measure ? try DeliveryStore.openCount(connection) : nil)
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
            for item in emails { await self.finish(item, worker: worker, failure: DeliveryMessages.noRelay) }
            return []
        }
        do {
            return try await self.prepare(emails)[...]
        } catch {
            for item in emails {
                await self.retryOrFail(item, worker: worker, reason: "cannot load content: \(error)")
            }
            return []
        }
    }

    // MARK: E-mail

    private struct Prepared: Sendable {
        var item: DeliveryItem
        var envelope: SMTPEnvelope?
        var problem: String?
    }

    /// Loads every item's content on one database connection and builds its message.
    private func prepare(_ items: [DeliveryItem]) async throws -> [Prepared] {
        let (source, sender) = (self.content, self.configuration.sender)
        return try await self.pool.withConnection { connection in
            let addressed = items.filter { !($0.email ?? "").isEmpty }
            var contents = try source.contents(for: addressed, connection: connection)[...]
            return items.map { item in
                guard let address = item.email, !address.isEmpty else {
                    return Prepared(item: item, envelope: nil, problem: DeliveryMessages.noAddress(item))
                }
                let content = contents.removeFirst()
                let domain = sender.address.split(separator: "@").last.map(String.init) ?? "localhost"
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
    }

    // MARK: Hard copy

    /// One read of the batch's contents, the files written on the same pool thread (file I/O stays off
    /// Swift's executor), and every written copy marked delivered in one statement.
    private func writeHardCopies(_ items: [DeliveryItem], worker: String) async {
        let (source, folder) = (self.content, self.configuration.hardCopyFolder)
        let problems: [String?]
        do {
            problems = try await self.pool.withConnection { connection in
                let contents = try source.contents(for: items, connection: connection)
                return zip(items, contents).map { item, content -> String? in
                    let document = content.document
                    do {
                        try HardCopyFolder.write(
                            document.bytes,
                            folder: folder,
                            name: HardCopyFolder.fileName(item, document.fileExtension)
                        )
                        return nil
                    } catch {
                        return "hard copy: \(error)"
                    }
                }
            }
        } catch {
            for item in items { await self.retryOrFail(item, worker: worker, reason: "hard copy: \(error)") }
            return
        }
        let written = zip(items, problems).filter { $0.1 == nil }.map(\.0)
        if !written.isEmpty {
            do {
                try await self.pool.withConnection { connection in
                    try DeliveryStore.complete(
                        connection,
                        worker: worker,
                        outcomes: written.map { (entryNo: $0.entryNo, failure: nil) },
                        asynchronousCommit: true
                    )
                }
                for _ in written { self.metrics?.sent(hardCopy: true) }
            } catch {
                // As for a single outcome: the lease brings the items back.
                self.logger.warning("delivery: cannot record the hard copies", metadata: ["error": "\(error)"])
            }
        }
        for (item, problem) in zip(items, problems) {
            if let problem { await self.retryOrFail(item, worker: worker, reason: problem) }
        }
    }

    // MARK: Outcomes, each committed at once

    private func finish(_ item: DeliveryItem, worker: String, failure: String?) async {
        let hardCopy = item.correspondenceType != CorrespondenceType.email.rawValue
        do {
            try await self.pool.withConnection { connection in
                try DeliveryStore.complete(
                    connection,
                    worker: worker,
                    entryNo: item.entryNo,
                    failure: failure.map { String($0.prefix(2000)) },
                    asynchronousCommit: true
                )
            }
            if failure == nil { self.metrics?.sent(hardCopy: hardCopy) } else { self.metrics?.failed() }
        } catch {
            // Lost the claim (lease ran out and another worker took it) or the database is away: the
            // lease brings the item back.
            self.logger.warning(
                "delivery: cannot record the outcome",
                metadata: ["entry": "\(item.entryNo)", "error": "\(error)"]
            )
        }
    }

    private func retryOrFail(_ item: DeliveryItem, worker: String, reason: String) async {
        guard item.attempts < self.configuration.maximumAttempts else {
            await self.finish(item, worker: worker, failure: "\(reason) (gave up after \(item.attempts) tries)")
            return
        }
        let delay = self.configuration.retryDelay(afterAttempt: item.attempts)
        do {
            try await self.pool.withConnection { connection in
                try DeliveryStore.retryLater(
                    connection,
                    worker: worker,
                    entryNo: item.entryNo,
                    reason: reason,
                    retryAfterSeconds: delay
                )
            }
            self.metrics?.retried()
        } catch {
            self.logger.warning(
                "delivery: cannot put an item back",
                metadata: ["entry": "\(item.entryNo)", "error": "\(error)"]
            )
        }
    }
}

/// Commits the outcomes one SMTP connection produces, in order, without holding the connection up: a
/// mark is committed as soon as the previous commit returned; marks that arrived meanwhile go together
/// (one statement, one transaction).
final class OutcomeWriter: Sendable {
    private let pool: PGPool
    private let worker: String
    private let metrics: DeliveryMetrics?
    private let logger: Logger
    private let pending = NIOLockedValueBox<[(entryNo: Int64, failure: String?)]>([])
    private let doorbell: AsyncStream<Void>
    private let ring: AsyncStream<Void>.Continuation

    init(pool: PGPool, worker: String, metrics: DeliveryMetrics?, logger: Logger) {
        self.pool = pool
        self.worker = worker
        self.metrics = metrics
        self.logger = logger
        (self.doorbell, self.ring) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    func add(_ entryNo: Int64, failure: String?) {
        self.pending.withLockedValue { $0.append((entryNo, failure.map { String($0.prefix(2000)) })) }
        self.ring.yield()
    }

    /// No more marks: `run` commits what is left and returns.
    func close() { self.ring.finish() }

    func run() async {
        for await _ in self.doorbell { await self.flush() }
        await self.flush()
    }

    private func flush() async {
        let batch = self.pending.withLockedValue { pending in
            defer { pending.removeAll() }
            return pending
        }
        guard !batch.isEmpty else { return }
        let worker = self.worker
        do {
            try await self.pool.withConnection { connection in
                try DeliveryStore.complete(connection, worker: worker, outcomes: batch, asynchronousCommit: true)
            }
            for mark in batch {
                if mark.failure == nil { self.metrics?.sent(hardCopy: false) } else { self.metrics?.failed() }
            }
        } catch {
            // The lease brings these items back (sent again: the at-least-once window).
            self.logger.warning(
                "delivery: cannot record outcomes",
                metadata: ["entries": "\(batch.map(\.entryNo))", "error": "\(error)"]
            )
        }
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
