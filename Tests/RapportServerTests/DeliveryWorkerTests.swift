import Foundation
import LibPQ
import Logging
import PostgresLauncher
import Prometheus
import RapportClient
import RapportModel
import RapportProtocol
import RapportServer
import RapportStore
import RapportTestSupport
import SMTPClient
import Testing

/// postfix's `smtp-sink` on a free loopback port, writing every message it accepts to its own file.
final class SMTPSink: Sendable {
    let port: Int
    let directory: String
    private let process: ChildProcess

    /// `options`: e.g. `["-f", "RCPT"]` (5xx to RCPT), `["-r", "RCPT"]` (4xx).
    static func start(port: Int? = nil, options: [String] = [], directory: String? = nil) async throws -> SMTPSink {
        let tool = try Toolbox.tool("smtp-sink", package: "postfix")
        let port = try port ?? Toolbox.freePort()
        let directory = try directory ?? Toolbox.scratchDirectory("smtp-sink")
        // Root must name a user to switch to; the files are written as that user.
        try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: directory)
        let user = getuid() == 0 ? ["-u", "nobody"] : []
        let logs = try Toolbox.scratchDirectory("smtp-sink-logs")
        let process = try ChildProcess.spawn(
            name: "smtp-sink-\(port)",
            tool,
            user + ["-d", "\(directory)/m."] + options + ["127.0.0.1:\(port)", "64"],
            environment: Toolbox.environment(),
            logDirectory: logs
        )
        let sink = SMTPSink(port: port, directory: directory, process: process)
        // Ready once it answers an SMTP greeting.
        let deadline = ContinuousClock.now + .seconds(10)
        while true {
            do {
                try await SMTPConnection.with(SMTPConfiguration(host: "127.0.0.1", port: port, tls: .off)) { _ in }
                return sink
            } catch {
                if let status = process.exitStatus() {
                    throw ChildProcess.SpawnError(description: "smtp-sink exited (\(status)): \(process.errors)")
                }
                if ContinuousClock.now > deadline {
                    await process.stop()
                    throw error
                }
                try await Task.sleep(for: .milliseconds(50))
            }
        }
    }

    private init(port: Int, directory: String, process: ChildProcess) {
        self.port = port
        self.directory = directory
        self.process = process
    }

    /// Every message received so far (the dump files: X-Rcpt-Args etc., then the message).
    /// The first attachment of a message as smtp-sink wrote it: the base64 lines after the part's
    /// `filename=` header, up to the next boundary.
    static func attachment(_ message: String) throws -> [UInt8] {
        let lines = message.split(separator: "\n", omittingEmptySubsequences: false).map {
            $0.hasSuffix("\r") ? String($0.dropLast()) : String($0)
        }
        guard let header = lines.firstIndex(where: { $0.contains("filename=") }),
            let blank = lines[header...].firstIndex(of: "")
        else { throw SMTPSinkError("no attachment in the message") }
        let base64 = lines[(blank + 1)...].prefix { !$0.hasPrefix("--") && !$0.isEmpty }.joined()
        guard let data = Data(base64Encoded: base64) else { throw SMTPSinkError("the attachment is not base64") }
        return Array(data)
    }

    struct SMTPSinkError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    func messages() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: self.directory)) ?? []
        return names.filter { $0.hasPrefix("m.") }.sorted().compactMap {
            try? String(contentsOfFile: (self.directory as NSString).appendingPathComponent($0), encoding: .utf8)
        }
    }

    /// smtp-sink ignores SIGTERM while it serves: it is killed (it keeps nothing to flush).
    func stop() async {
        self.process.signal(SIGKILL)
        _ = await self.process.waitForExit(timeout: .seconds(5))
    }

    /// The recipient and the entry number of a dumped message.
    static func header(_ message: String, _ name: String) -> String? {
        for line in message.split(separator: "\n", omittingEmptySubsequences: false) {
            let text = line.hasSuffix("\r") ? line.dropLast() : line
            if text.isEmpty { return nil }
            if text.hasPrefix(name + ": ") { return String(text.dropFirst(name.count + 2)) }
        }
        return nil
    }
}

/// The delivery worker through a real SMTP server (issue 15): logging queues, the worker sends through
/// smtp-sink and records each outcome; 4xx is retried, 5xx fails the entry, a server that is down loses
/// nothing, two workers share a queue without sending anything twice, hard copies become files.
@Suite("Delivery worker", .serialized)
struct DeliveryWorkerTests {
    static func configuration(port: Int?, folder: String? = nil) -> DeliveryConfiguration {
        var configuration = DeliveryConfiguration()
        if let port { configuration.relay = SMTPConfiguration(host: "127.0.0.1", port: port, tls: .optional) }
        configuration.sender = MailAddress("crm@rapport.example", name: "Rapport CRM")
        // Long enough that a retry waits for the test (`retryNow`), not for the clock.
        configuration.retryDelay = .seconds(600)
        configuration.maximumAttempts = 3
        configuration.batchSize = 50
        if let folder { configuration.hardCopyFolder = folder }
        return configuration
    }

    /// `count` e-mail contacts M0001…, every tenth with an active alternative address with an e-mail,
    /// M0002 with an expired one; the template's English attachment gets a recognisable content.
    static func massContacts(_ kit: SegmentKit, count: Int) async throws {
        try await kit.script(
            """
            INSERT INTO contacts (no, type, name, email, correspondence_type, salesperson_code)
            SELECT 'M' || lpad(i::text, 4, '0'), 'person', 'Mass ' || i, 'm' || i || '@example.test', 'email', 'AH'
            FROM generate_series(1, \(count)) AS i;
            INSERT INTO contact_alt_addresses (contact_no, code, email)
            SELECT 'M' || lpad(i::text, 4, '0'), 'ALT', 'alt' || i || '@example.test'
            FROM generate_series(10, \(count), 10) AS i;
            INSERT INTO contact_alt_addresses (contact_no, code, email, ending_date)
            VALUES ('M0002', 'OLD', 'old2@example.test', DATE '2001-01-01');
            UPDATE attachments SET content = convert_to('Spring offer letter', 'UTF8'), size_bytes = 19 WHERE no = 1;
            """
        )
    }

    static func expectedAddress(_ i: Int) -> String {
        i % 10 == 0 ? "alt\(i)@example.test" : "m\(i)@example.test"
    }

    /// Logs a segment of the contacts matching `filter` with deliver=true; returns the logged segment.
    static func logSegment(_ kit: SegmentKit, contacts filter: String, queued: Int) async throws -> String {
        let seg = try await kit.segment([.named("description", "Spring offer"), .named("template", "BUSLETTER")])
        try await kit.ok("SEGMENT-ADD-CONTACTS", [.positional(seg), .named("contact", filter)])
        let reply = try await kit.ok("LOG-SEGMENT", [.positional(seg), .named("deliver", "true")])
        #expect(SegmentKit.value(reply, "queued") == String(queued))
        return try #require(SegmentKit.value(reply, "logged-segment"))
    }

    /// Runs the worker's claim-and-send step until the queue has nothing claimable.
    static func drain(_ worker: DeliveryWorker, name: String = "test-worker") async throws {
        var rounds = 0
        while try await worker.runOnce(worker: name) {
            rounds += 1
            if rounds > 100 { Issue.record("the queue did not drain"); return }
        }
    }

    /// The backoff of every waiting item is over.
    static func retryNow(_ kit: SegmentKit) async throws {
        try await kit.script("UPDATE delivery_outbox SET retry_at = now() WHERE retry_at IS NOT NULL")
    }

    static func worker(_ kit: SegmentKit, _ configuration: DeliveryConfiguration) -> DeliveryWorker {
        kit.server.server.deliveryWorker(pool: kit.server.store.pool, configuration: configuration)
    }

    @Test func aLoggedSegmentOf200LinesSends200MessagesEachToItsAddressWithTheAttachment() async throws {
        let sink = try await SMTPSink.start()
        let kit = try await SegmentKit.start { $0.delivery = Self.configuration(port: sink.port) }
        try await withCleanup {
            try await Self.massContacts(kit, count: 200)
            let logged = try await Self.logSegment(kit, contacts: "M*", queued: 200)
            try await Self.drain(Self.worker(kit, Self.configuration(port: sink.port)))

            let messages = sink.messages()
            #expect(messages.count == 200)
            let received = Dictionary(
                grouping: messages,
                by: { SMTPSink.header($0, "X-Rcpt-Args") ?? "?" }
            ).mapValues(\.count)
            let expected = Dictionary(uniqueKeysWithValues: (1...200).map { ("<\(Self.expectedAddress($0))>", 1) })
            #expect(received == expected)
            // Each carries the entry's attachment (base64 of "Spring offer letter"), sender and reply-to.
            let attachment = Data("Spring offer letter".utf8).base64EncodedString()
            #expect(messages.allSatisfy { $0.contains(attachment) && $0.contains("filename=\"letter-enu.docx\"") })
            #expect(messages.allSatisfy { SMTPSink.header($0, "X-Mail-Args") == "<crm@rapport.example>" })
            #expect(messages.allSatisfy { SMTPSink.header($0, "Reply-To") == "\"Annette Hill\" <ah@rapport.example>" })
            let entries = Set(messages.compactMap { SMTPSink.header($0, "X-Rapport-Entry") })
            #expect(entries.count == 200)
            #expect(
                try await kit.sql(
                    """
                    SELECT count(*)::text, count(*) FILTER (WHERE e.delivery_status IS NULL)::text,
                           count(*) FILTER (WHERE o.status = 'delivered')::text
                    FROM interaction_log_entries e JOIN delivery_outbox o ON o.entry_no = e.entry_no
                    """
                ) == [["200", "200", "200"]]
            )
            var bytes: [UInt8] = []
            kit.server.server.metrics.registry.emit(into: &bytes)
            let metrics = String(decoding: bytes, as: UTF8.self)
            #expect(metrics.contains("rapport_delivery_sent_total{channel=\"email\"} 200"))
            #expect(metrics.contains("rapport_delivery_queued_items 0"))
            let show = try await kit.ok("LOGGED-SEGMENT-SHOW", [.positional(logged)])
            #expect(SegmentKit.value(show, "delivery-sent") == "200")
            #expect(SegmentKit.value(show, "delivery-queued") == "0")
            #expect(SegmentKit.value(show, "delivery-failed") == "0")
        } cleanup: {
            await sink.stop()
            try? await kit.stop()
        }
    }

    /// Issue 15's done-when with merging: a merge template's Word layout, logged for a segment of 200 lines,
    /// sends each contact a document of their own (merged when logged), and entries queued before the
    /// layout was set are merged when sent (reference 3.9 R1).
    @Test func aMergeTemplatesSegmentSendsEachContactTheirOwnMergedDocument() async throws {
        let sink = try await SMTPSink.start()
        let kit = try await SegmentKit.start { $0.delivery = Self.configuration(port: sink.port) }
        try await withCleanup {
            try await Self.massContacts(kit, count: 200)
            _ = try await Self.logSegment(kit, contacts: "M000*", queued: 9)
            let layout = try WordPackage.make(
                document: "<w:p><w:r><w:t>Dear «Contact</w:t></w:r><w:r><w:t>Name»</w:t></w:r></w:p>",
                header: "<w:p><w:r><w:t>«SalespersonName»</w:t></w:r></w:p>"
            )
            let set = try await kit.manager.send(
                "TEMPLATE-LAYOUT-SET",
                [
                    .positional("BUSLETTER"), .named("language", "ENU"), .named("layout", "OFFER"),
                    .named("file-name", "offer.docx"),
                ],
                payload: layout
            )
            #expect(set.final == .ok("layout OFFER set"))
            _ = try await Self.logSegment(kit, contacts: "M*", queued: 200)
            try await Self.drain(Self.worker(kit, Self.configuration(port: sink.port)))

            let messages = sink.messages()
            #expect(messages.count == 209)
            var merged = 0
            for message in messages {
                let recipient = SMTPSink.header(message, "X-Rcpt-Args") ?? ""
                let number = Int(recipient.filter(\.isNumber)) ?? 0
                let document = try WordPackage.part("word/document.xml", of: try SMTPSink.attachment(message))
                if document.contains("Dear Mass \(number)</w:t>"), !document.contains("«"), !document.contains("»") {
                    merged += 1
                } else {
                    Issue.record("\(recipient): \(document)")
                }
            }
            #expect(merged == 209)
            // The 200 of the second segment were merged when logged; the 9 queued before the layout, when sent.
            #expect(
                try await kit.sql("SELECT count(*) FILTER (WHERE merged)::text FROM interaction_log_entries") == [
                    ["200"]
                ]
            )
        } cleanup: {
            await sink.stop()
            try? await kit.stop()
        }
    }

    @Test func aPermanentRefusalMarksTheEntryErrorWithTheReply() async throws {
        let sink = try await SMTPSink.start(options: ["-f", "RCPT", "-B", "550 5.1.1 Recipient address rejected"])
        let kit = try await SegmentKit.start { $0.delivery = Self.configuration(port: sink.port) }
        try await withCleanup {
            try await Self.massContacts(kit, count: 3)
            let logged = try await Self.logSegment(kit, contacts: "M*", queued: 3)
            try await Self.drain(Self.worker(kit, Self.configuration(port: sink.port)))
            #expect(sink.messages().isEmpty)
            #expect(
                try await kit.sql(
                    """
                    SELECT DISTINCT e.delivery_status, o.status, o.last_error, o.attempts::text
                    FROM interaction_log_entries e JOIN delivery_outbox o ON o.entry_no = e.entry_no
                    """
                ) == [["error", "failed", "SMTP: 550 5.1.1 Recipient address rejected", "1"]]
            )
            let list = try await kit.ok("LOG-LIST", [.named("logged-segment", logged)])
            #expect(SegmentKit.values(list, "delivery-status") == ["error", "error", "error"])
            let show = try await kit.ok("LOGGED-SEGMENT-SHOW", [.positional(logged)])
            #expect(SegmentKit.value(show, "delivery-failed") == "3")
        } cleanup: {
            await sink.stop()
            try? await kit.stop()
        }
    }

    @Test func aTemporaryRefusalIsRetriedAndThenDelivered() async throws {
        let busy = try await SMTPSink.start(options: ["-r", "RCPT"])
        let kit = try await SegmentKit.start { $0.delivery = Self.configuration(port: busy.port) }
        try await withCleanup {
            try await Self.massContacts(kit, count: 3)
            _ = try await Self.logSegment(kit, contacts: "M*", queued: 3)
            let worker = Self.worker(kit, Self.configuration(port: busy.port))
            #expect(try await worker.runOnce(worker: "w"))
            #expect(busy.messages().isEmpty)
            #expect(
                try await kit.sql(
                    "SELECT DISTINCT status, attempts::text, left(last_error, 9), (retry_at IS NOT NULL)::text FROM delivery_outbox"
                ) == [["pending", "1", "SMTP: 450", "true"]]
            )
            #expect(
                try await kit.scalar("SELECT DISTINCT delivery_status FROM interaction_log_entries") == "in_progress"
            )
            // The same server now answers 2xx.
            // Not before the backoff is over.
            #expect(try await !worker.runOnce(worker: "w"))
            await busy.stop()
            let sink = try await SMTPSink.start(port: busy.port)
            try await Self.retryNow(kit)
            try await Self.drain(worker)
            await sink.stop()
            #expect(sink.messages().count == 3)
            #expect(
                try await kit.sql(
                    "SELECT DISTINCT o.status, o.attempts::text, e.delivery_status FROM delivery_outbox o JOIN interaction_log_entries e USING (entry_no)"
                )
                    == [["delivered", "2", nil]]
            )
        } cleanup: {
            await busy.stop()
            try? await kit.stop()
        }
    }

    @Test func temporaryFailuresFailTheEntryOnceTheTriesAreUsedUp() async throws {
        let busy = try await SMTPSink.start(options: ["-r", "RCPT"])
        let kit = try await SegmentKit.start { $0.delivery = Self.configuration(port: busy.port) }
        try await withCleanup {
            try await Self.massContacts(kit, count: 2)
            _ = try await Self.logSegment(kit, contacts: "M*", queued: 2)
            var configuration = Self.configuration(port: busy.port)
            configuration.maximumAttempts = 2
            let worker = Self.worker(kit, configuration)
            try await Self.drain(worker)
            try await Self.retryNow(kit)
            try await Self.drain(worker)
            #expect(
                try await kit.sql(
                    "SELECT DISTINCT o.status, o.attempts::text, right(o.last_error, 23), e.delivery_status FROM delivery_outbox o JOIN interaction_log_entries e USING (entry_no)"
                ) == [["failed", "2", "(gave up after 2 tries)", "error"]]
            )
        } cleanup: {
            await busy.stop()
            try? await kit.stop()
        }
    }

    @Test func aServerThatIsDownAndComesBackLosesNothingAndSendsNothingTwice() async throws {
        let port = try Toolbox.freePort()
        let kit = try await SegmentKit.start { $0.delivery = Self.configuration(port: port) }
        var configuration = Self.configuration(port: port)
        configuration.maximumAttempts = 10
        configuration.batchSize = 4
        let worker = Self.worker(kit, configuration)
        try await withCleanup {
            try await Self.massContacts(kit, count: 10)
            _ = try await Self.logSegment(kit, contacts: "M*", queued: 10)
            // Down: connection refused, batch after batch; everything stays queued, once tried.
            try await Self.drain(worker)
            #expect(
                try await kit.sql("SELECT DISTINCT attempts::text, (retry_at > now())::text FROM delivery_outbox")
                    == [["1", "true"]]
            )
            #expect(
                try await kit.sql("SELECT status, count(*)::text FROM delivery_outbox GROUP BY status")
                    == [["pending", "10"]]
            )
            #expect(
                try await kit.scalar("SELECT min(last_error) FROM delivery_outbox")?.contains("cannot connect") == true
            )
            // Back up: each message arrives once.
            let sink = try await SMTPSink.start(port: port)
            try await Self.retryNow(kit)
            try await Self.drain(worker)
            await sink.stop()
            let entries = sink.messages().compactMap { SMTPSink.header($0, "X-Rapport-Entry") }
            #expect(entries.count == 10)
            #expect(Set(entries).count == 10)
            #expect(
                try await kit.sql("SELECT status, count(*)::text FROM delivery_outbox GROUP BY status")
                    == [["delivered", "10"]]
            )
        } cleanup: {
            try? await kit.stop()
        }
    }

    @Test func aSlowRelayKeepsTheClaimSoNoOtherWorkerSendsTheBatchAgain() async throws {
        // One second before each DATA reply; six messages and a 4-second lease: the batch outlives its
        // first lease. (The worker renews its claim every third of the lease while it sends.)
        let sink = try await SMTPSink.start(options: ["-W", "DATA:1"])
        let kit = try await SegmentKit.start { $0.delivery = Self.configuration(port: sink.port) }
        try await withCleanup {
            try await Self.massContacts(kit, count: 6)
            _ = try await Self.logSegment(kit, contacts: "M*", queued: 6)
            var configuration = Self.configuration(port: sink.port)
            configuration.leaseSeconds = 4
            let slow = Self.worker(kit, configuration)
            let sending = Task { try await slow.runOnce(worker: "slow") }
            // Another worker keeps looking for expired claims meanwhile.
            let other = Self.worker(kit, configuration)
            var stolen = 0
            while try await kit.scalar("SELECT count(*)::text FROM delivery_outbox WHERE status = 'delivered'") != "6" {
                if try await other.runOnce(worker: "other") { stolen += 1 }
                try await Task.sleep(for: .milliseconds(200))
            }
            _ = try await sending.value
            #expect(stolen == 0)
            let entries = sink.messages().compactMap { SMTPSink.header($0, "X-Rapport-Entry") }
            #expect(entries.count == 6)
            #expect(Set(entries).count == 6)
        } cleanup: {
            await sink.stop()
            try? await kit.stop()
        }
    }

    @Test func twoReplicasSendingOneQueueSendEachMessageOnce() async throws {
        let sink = try await SMTPSink.start()
        let kit = try await SegmentKit.start { $0.delivery = Self.configuration(port: sink.port) }
        try await withCleanup {
            try await Self.massContacts(kit, count: 120)
            _ = try await Self.logSegment(kit, contacts: "M*", queued: 120)
            var configuration = Self.configuration(port: sink.port)
            configuration.batchSize = 5
            configuration.concurrency = 2
            configuration.pollInterval = .milliseconds(20)
            var logger = Logger(label: "delivery.test")
            logger.logLevel = .warning
            // Two replicas: each its own pool and worker name, one database.
            var replicas: [(PGPool, Task<Void, Never>)] = []
            for name in ["replica-a", "replica-b"] {
                let pool = PGPool(
                    configuration: .init(connection: kit.server.database.configuration(), size: 3),
                    logger: logger
                )
                configuration.workerName = name
                let worker = DeliveryWorker(pool: pool, configuration: configuration, logger: logger)
                replicas.append((pool, Task { await worker.run() }))
            }
            let deadline = ContinuousClock.now + .seconds(60)
            while try await kit.scalar("SELECT count(*)::text FROM delivery_outbox WHERE status <> 'delivered'") != "0",
                ContinuousClock.now < deadline
            {
                try await Task.sleep(for: .milliseconds(50))
            }
            for (pool, task) in replicas {
                task.cancel()
                await task.value
                await pool.shutdown()
            }
            let entries = sink.messages().compactMap { SMTPSink.header($0, "X-Rapport-Entry") }
            #expect(entries.count == 120)
            #expect(Set(entries).count == 120)
            // Both took part.
            #expect(
                try await kit.sql(
                    "SELECT DISTINCT split_part(claimed_by, '/', 1) FROM delivery_outbox ORDER BY 1"
                ).count == 2
            )
        } cleanup: {
            await sink.stop()
            try? await kit.stop()
        }
    }

    /// `rapportd deliver`: only the worker, configured by flags and environment (the password never as
    /// a flag); it sends the queue and stops on SIGTERM.
    @Test func rapportdDeliverSendsTheQueueAndStopsOnSIGTERM() async throws {
        let sink = try await SMTPSink.start()
        let kit = try await SegmentKit.start { $0.delivery = Self.configuration(port: sink.port) }
        let logs = try Toolbox.scratchDirectory("rapportd-deliver")
        var child: ChildProcess?
        try await withCleanup {
            try await Self.massContacts(kit, count: 5)
            _ = try await Self.logSegment(kit, contacts: "M*", queued: 5)
            let url = Toolbox.databaseURL(
                kit.server.database.cluster.connectionParameters(database: kit.server.database.name)
            )
            let process = try ChildProcess.spawn(
                name: "rapportd-deliver",
                try Toolbox.rapportd(),
                [
                    "deliver", "--database-url", url, "--smtp-host", "127.0.0.1", "--smtp-port", String(sink.port),
                    "--smtp-starttls", "off", "--hard-copy-folder", logs, "--metrics-port", "0",
                ],
                environment: Toolbox.environment([
                    "RAPPORT_MAIL_FROM": "crm@rapport.example", "RAPPORT_DELIVERY_CONCURRENCY": "1",
                ]),
                logDirectory: logs
            )
            child = process
            _ = try await process.waitFor("the worker's start line") {
                $0.contains("rapportd: delivering as") ? true : nil
            }
            let metricsPort = try await process.waitFor("the metrics line") { output -> Int? in
                guard let line = output.split(separator: "\n").first(where: { $0.contains("rapportd: metrics on") }),
                    let port = line.split(separator: ":").last?.split(separator: "/").first
                else { return nil }
                return Int(port)
            }
            let deadline = ContinuousClock.now + .seconds(30)
            while try await kit.scalar("SELECT count(*)::text FROM delivery_outbox WHERE status = 'delivered'") != "5",
                ContinuousClock.now < deadline
            {
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(sink.messages().count == 5)
            // The worker's counters are scraped from the deliver-only process too.
            let metrics = try await Toolbox.httpGet("/metrics", port: metricsPort)
            #expect(metrics.contains("rapport_delivery_sent_total{channel=\"email\"} 5"))
            #expect(try await Toolbox.httpGet("/health", port: metricsPort).contains("ready"))
            process.signal(SIGTERM)
            #expect(await process.waitForExit(timeout: .seconds(10)) == 0)
        } cleanup: {
            await child?.stop()
            await sink.stop()
            try? await kit.stop()
        }
    }

    @Test func hardCopiesAreWrittenAsFilesInPrintOrder() async throws {
        let folder = try Toolbox.scratchDirectory("hard-copy")
        // No relay: hard copies still go.
        let kit = try await SegmentKit.start { $0.delivery = Self.configuration(port: nil, folder: folder) }
        try await withCleanup {
            try await kit.script(
                "UPDATE attachments SET content = convert_to('Spring offer letter', 'UTF8'), size_bytes = 19 WHERE no = 1"
            )
            // C1 prefers hard copy; C2 and P0 have none, so the template's (hard copy) applies.
            _ = try await Self.logSegment(kit, contacts: "C1|C2|P0", queued: 3)
            try await Self.drain(Self.worker(kit, Self.configuration(port: nil, folder: folder)))
            let files = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
            let entries = try await kit.sql(
                "SELECT lpad(entry_no::text, 10, '0') || '-' || lower(contact_no) || '-spring-offer.docx' FROM interaction_log_entries ORDER BY entry_no"
            ).map { $0[0] ?? "" }
            #expect(files == entries)
            for file in files {
                let data = try Data(contentsOf: URL(fileURLWithPath: folder).appendingPathComponent(file))
                #expect(String(decoding: data, as: UTF8.self) == "Spring offer letter")
            }
            #expect(
                try await kit.sql(
                    "SELECT DISTINCT o.status, e.delivery_status FROM delivery_outbox o JOIN interaction_log_entries e USING (entry_no)"
                )
                    == [["delivered", nil]]
            )
        } cleanup: {
            try? await kit.stop()
        }
    }

    @Test func loggingAnEmailForDeliveryWithoutARelayIsRefusedAndWritesNothing() async throws {
        let kit = try await SegmentKit.start { $0.delivery = Self.configuration(port: nil) }
        try await withCleanup {
            try await Self.massContacts(kit, count: 3)
            let seg = try await kit.segment([.named("description", "Spring offer"), .named("template", "BUSLETTER")])
            try await kit.ok("SEGMENT-ADD-CONTACTS", [.positional(seg), .named("contact", "M*")])
            let refused = try await kit.send("LOG-SEGMENT", [.positional(seg), .named("deliver", "true")])
            #expect(SegmentKit.error(refused, .invalid) == InteractionValidation.noEmailRelay)
            let dry = try await kit.ok(
                "LOG-SEGMENT",
                [.positional(seg), .named("deliver", "true"), .named("dry-run", "true")]
            )
            #expect(SegmentKit.values(dry, "error").contains(InteractionValidation.noEmailRelay))
            #expect(
                try await kit.sql(
                    "SELECT (SELECT count(*) FROM interaction_log_entries)::text, (SELECT count(*) FROM logged_segments)::text, (SELECT count(*) FROM segment_lines)::text"
                ) == [["0", "0", "3"]]
            )
            // Without delivery it logs.
            try await kit.ok("LOG-SEGMENT", [.positional(seg), .named("deliver", "false")])
            // A single interaction too.
            let single = try await kit.send(
                "INTERACTION-CREATE",
                [
                    .named("contact", "M0001"), .named("template", "BUSLETTER"),
                    .named("correspondence-type", "email"), .named("deliver", "true"),
                ]
            )
            #expect(SegmentKit.error(single, .invalid) == InteractionValidation.noEmailRelay)
        } cleanup: {
            try? await kit.stop()
        }
    }
}
