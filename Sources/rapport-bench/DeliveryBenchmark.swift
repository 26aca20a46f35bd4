import Foundation
import LibPQ
import Logging
import RapportServer
import RapportStore
import SMTPClient

/// Issue 15: `messages` queued e-mails delivered by the delivery worker through postfix's `smtp-sink`,
/// beside `smtp-source` (postfix's load generator) sending as many messages of the same size over as many
/// connections, reusing them (`-d`), to the same sink in the same run; rounds alternate which goes first.
struct DeliveryBenchmark {
    var messages: Int
    var connections: Int
    var rounds: Int
    var batch: Int = 100

    func run() async throws {
        let sinkTool = try Self.tool("smtp-sink")
        let sourceTool = try Self.tool("smtp-source")
        let cluster = try BenchCluster()
        defer { cluster.stop() }
        try cluster.start()
        print(
            "rapport-bench delivery: \(self.messages) messages, \(self.connections) SMTP connections, batches of \(self.batch), \(self.rounds) rounds"
        )
        try self.loadFixtures(cluster)

        let port = try Self.freePort()
        // The sink discards messages (no -d): both senders pay the same for the server side.
        var sinkArguments = ["-c", "127.0.0.1:\(port)", "256"]
        if getuid() == 0 { sinkArguments = ["-u", "nobody"] + sinkArguments }
        let sink = Process()
        sink.executableURL = URL(fileURLWithPath: sinkTool)
        sink.arguments = sinkArguments
        sink.standardOutput = FileHandle.nullDevice
        try sink.run()
        defer {
            // smtp-sink does not stop on SIGTERM while serving.
            kill(sink.processIdentifier, SIGKILL)
            sink.waitUntilExit()
        }
        try await Task.sleep(for: .milliseconds(300))

        var logger = Logger(label: "rapport-bench.delivery")
        logger.logLevel = .warning
        var configuration = DeliveryConfiguration()
        configuration.relay = SMTPConfiguration(host: "127.0.0.1", port: port, tls: .off)
        configuration.sender = MailAddress("crm@rapport.example", name: "Rapport")
        configuration.concurrency = self.connections
        configuration.batchSize = self.batch
        configuration.pollInterval = .milliseconds(5)
        let pool = PGPool(
            configuration: .init(connection: cluster.configuration(), size: configuration.databaseConnections),
            logger: logger
        )
        defer { Task { await pool.shutdown() } }
        let message = try self.firstMessage(cluster)
        let size = message.count
        print("message size \(size) bytes (headers, plain body, base64 attachment); smtp-source -l \(size)")
        print("")
        print("round  delivery worker (msg/s)   smtp-source (msg/s)   ratio   (SMTP client alone, msg/s)")
        var ours: [Double] = []
        var theirs: [Double] = []
        var alone: [Double] = []
        for round in 1...self.rounds {
            var workerRate = 0.0
            var sourceRate = 0.0
            let workerFirst = round % 2 == 1
            for turn in 0..<2 {
                if (turn == 0) == workerFirst {
                    try self.requeue(cluster)
                    workerRate = try await self.deliver(pool, configuration, logger, cluster)
                } else {
                    sourceRate = try self.smtpSource(sourceTool, port: port, size: size)
                }
            }
            let aloneRate = try await self.smtpClientAlone(port: port, message: message)
            ours.append(workerRate)
            theirs.append(sourceRate)
            alone.append(aloneRate)
            print(
                Self.column(String(round), 7) + Self.column(String(format: "%.0f", workerRate), 26)
                    + Self.column(String(format: "%.0f", sourceRate), 22)
                    + String(format: "%.2f×", workerRate / sourceRate)
                    + String(format: "   (%.0f)", aloneRate)
                    + (workerFirst ? "   worker first" : "   smtp-source first")
            )
        }
        let (worker, source) = (Self.median(ours), Self.median(theirs))
        // The ratio of each round (both sides measured seconds apart), then their median.
        let ratio = Self.median(zip(ours, theirs).map { $0 / $1 })
        print(
            Self.column("median", 7) + Self.column(String(format: "%.0f", worker), 26)
                + Self.column(String(format: "%.0f", source), 22) + String(format: "%.2f×", ratio)
                + String(format: "   (%.0f)", Self.median(alone)) + "   (median of the rounds' ratios)"
        )
        print("")
        print("goal ≥ 0.5× smtp-source: \(ratio >= 0.5 ? "met" : "NOT met") (\(String(format: "%.2f×", ratio)))")
    }

    /// One salesperson, `messages` contacts with e-mail, one 2 KiB attachment, and an e-mail entry per
    /// contact, queued as LOG-SEGMENT queues (delivery_status in_progress, one outbox row).
    private func loadFixtures(_ cluster: BenchCluster) throws {
        let connection = try cluster.connect()
        defer { connection.close() }
        try connection.executeScript(
            """
            INSERT INTO salespeople (code, name, email) VALUES ('AH', 'Annette Hill', 'ah@rapport.example');
            INSERT INTO users (user_id, role, password_hash, salesperson_code) VALUES ('BENCH', 'manager', '$bench$none', 'AH');
            INSERT INTO interaction_groups (code, description) VALUES ('LETTER', 'Letters');
            INSERT INTO interaction_templates (code, interaction_group_code, description, correspondence_type)
                VALUES ('MAIL', 'LETTER', 'Offer by e-mail', 'email');
            INSERT INTO attachments (file_name, file_extension, content_type, size_bytes, content)
                VALUES ('offer.pdf', 'pdf', 'application/pdf', 2048, decode(repeat('25504446', 512), 'hex'));
            INSERT INTO contacts (no, type, name, email, correspondence_type, salesperson_code)
            SELECT 'B' || lpad(i::text, 7, '0'), 'person', 'Bench Contact ' || i, 'c' || i || '@example.test',
                   'email', 'AH'
            FROM generate_series(1, \(self.messages)) AS i;
            INSERT INTO interaction_log_entries (contact_no, date, description, information_flow, initiated_by,
                attachment_no, user_id, interaction_group_code, interaction_template_code, salesperson_code,
                delivery_status, correspondence_type, subject)
            SELECT no, CURRENT_DATE, 'Spring offer', 'outbound', 'us', 1, 'BENCH', 'LETTER', 'MAIL', 'AH',
                   'in_progress', 'email', 'Our spring offer'
            FROM contacts ORDER BY no;
            INSERT INTO delivery_outbox (entry_no) SELECT entry_no FROM interaction_log_entries ORDER BY entry_no;
            """
        )
        try connection.execute("VACUUM ANALYZE")
    }

    /// Every item pending again (the previous round delivered them).
    private func requeue(_ cluster: BenchCluster) throws {
        let connection = try cluster.connect()
        defer { connection.close() }
        try connection.executeScript(
            """
            UPDATE delivery_outbox SET status = 'pending', attempts = 0, claimed_by = NULL, claimed_until = NULL,
                last_error = NULL, retry_at = NULL;
            UPDATE interaction_log_entries SET delivery_status = 'in_progress';
            """
        )
        try connection.execute("VACUUM ANALYZE delivery_outbox")
        try connection.execute("VACUUM ANALYZE interaction_log_entries")
        try connection.execute("CHECKPOINT")
    }

    /// Runs the worker until the queue is empty; messages per second.
    private func deliver(
        _ pool: PGPool,
        _ configuration: DeliveryConfiguration,
        _ logger: Logger,
        _ cluster: BenchCluster
    ) async throws -> Double {
        let worker = DeliveryWorker(pool: pool, configuration: configuration, logger: logger)
        let started = ContinuousClock.now
        let task = Task { await worker.run() }
        // Done when nothing is open; asked with a look-up that stops at the first open item (a count of the
        // queue every 10 ms would take database time from the worker being measured).
        while try await pool.withConnection({
            try $0.query("SELECT EXISTS (SELECT 1 FROM delivery_outbox WHERE status IN ('pending', 'claimed'))")[0]
                .decode(Bool.self, at: 0)
        }) {
            try await Task.sleep(for: .milliseconds(10))
        }
        let elapsed = (ContinuousClock.now - started).seconds
        task.cancel()
        await task.value
        let delivered = try await pool.withConnection {
            try $0.query("SELECT count(*) FROM delivery_outbox WHERE status = 'delivered'")[0].decode(Int.self, at: 0)
        }
        guard delivered == self.messages else {
            throw BenchError("only \(delivered) of \(self.messages) messages were delivered")
        }
        return Double(self.messages) / elapsed
    }

    /// The worker's SMTP client alone: the same number of messages (one message, built once) over as
    /// many connections, no database. Shows what the worker's database work and message building cost.
    private func smtpClientAlone(port: Int, message: [UInt8]) async throws -> Double {
        let relay = SMTPConfiguration(host: "127.0.0.1", port: port, tls: .off)
        let envelope = SMTPEnvelope(sender: "crm@rapport.example", recipients: ["c1@example.test"], data: message)
        let (connections, messages, batch) = (self.connections, self.messages, self.batch)
        let started = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for lane in 0..<connections {
                group.addTask {
                    let share = messages / connections + (lane < messages % connections ? 1 : 0)
                    try await SMTPConnection.with(relay) { connection in
                        var left = share
                        while left > 0 {
                            let count = min(batch, left)
                            try await connection.send(Array(repeating: envelope, count: count)) { _, _ in }
                            left -= count
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        return Double(messages) / (ContinuousClock.now - started).seconds
    }

    private func smtpSource(_ tool: String, port: Int, size: Int) throws -> Double {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = [
            "-d", "-s", String(self.connections), "-m", String(self.messages), "-l", String(size),
            "-f", "crm@rapport.example", "-t", "c1@example.test", "127.0.0.1:\(port)",
        ]
        process.standardOutput = FileHandle.nullDevice
        let started = ContinuousClock.now
        try process.run()
        process.waitUntilExit()
        let elapsed = (ContinuousClock.now - started).seconds
        guard process.terminationStatus == 0 else {
            throw BenchError("smtp-source failed (\(process.terminationStatus))")
        }
        return Double(self.messages) / elapsed
    }

    /// The message the worker sends for the first entry.
    private func firstMessage(_ cluster: BenchCluster) throws -> [UInt8] {
        let connection = try cluster.connect()
        defer { connection.close() }
        let item = try DeliveryStore.claim(connection, worker: "size-probe", limit: 1, leaseSeconds: 5)[0]
        let content = try StoredAttachmentContent().content(for: item, connection: connection)
        let message = MIMEMessage(
            from: MailAddress("crm@rapport.example", name: "Rapport"),
            to: [MailAddress(item.email ?? "", name: item.contactName)],
            replyTo: MailAddress("ah@rapport.example", name: "Annette Hill"),
            subject: content.subject,
            messageID: "rapport.\(item.entryNo).\(item.id)@rapport.example",
            body: content.body,
            attachments: content.attachments,
            extraHeaders: [("X-Rapport-Entry", String(item.entryNo))]
        )
        return message.rendered()
    }

    static func tool(_ name: String) throws -> String {
        for directory in ["/usr/sbin", "/usr/bin", "/sbin", "/usr/local/sbin"] {
            let path = directory + "/" + name
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        throw BenchError("\(name) is not installed (Debian package postfix)")
    }

    static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw BenchError("socket() failed") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw -> Int32 in
                guard bind(descriptor, raw, length) == 0 else { return -1 }
                return getsockname(descriptor, raw, &length)
            }
        }
        guard bound == 0 else { throw BenchError("no free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static func column(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text.padding(toLength: width, withPad: " ", startingAt: 0)
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
    }
}
