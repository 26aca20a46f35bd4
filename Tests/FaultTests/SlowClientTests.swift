import Foundation
import NIOCore
import NIOPosix
import RapportClient
import RapportProtocol
import RapportTestSupport
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

extension FaultSuite {
    /// QUALITY R5: slow and flooding clients against a rapportd process. Legitimate clients keep their latency,
    /// drippers are cut by the request deadline, and a busy pipelining client that completes its lines is never cut.
    @Suite("Slow and flooding clients", .serialized, .timeLimit(.minutes(4)))
    struct SlowClientTests {
        /// What the attackers saw.
        final class Attack: Sendable {
            struct State {
                var opened = 0
                var failedConnects = 0
                var cutByDeadline = 0
                var cutOtherwise: [String: Int] = [:]
                var secondsToCut: [Double] = []
                var peakOpen = 0
                var floods = 0
                var floodFailures = 0
            }
            let state = Mutex(State())
            let stopping = Atomic<Bool>(false)
        }

        @Test func drippersAreCutAndALegitimateClientKeepsItsLatency() async throws {
            let drippers = Fault.setting("FAULT_DRIPPERS", 1000)
            let seconds = Fault.setting("FAULT_ATTACK_SECONDS", 15)
            let deadline = 3
            let boundP99 = Double(Fault.setting("FAULT_P99_MS", 200))
            let limit = Fault.raiseDescriptorLimit(to: 8192)
            try #require(limit >= drippers + 200, "the descriptor limit (\(limit)) is too low for \(drippers) drippers")
            let database = try await Fault.database()
            let runner = try RapportdRunner(
                databaseURL: Fault.databaseURL(database),
                label: "slowloris",
                arguments: ["--request-timeout", String(deadline), "--max-connections", "4096"]
            )
            try await withCleanup {
                let port = try await runner.start()
                let client = try await Fault.login(port: port)
                let baseline = try await Self.measure(client, for: .seconds(3))

                let attack = Attack()
                let dripping = Task {
                    try await TestPostgres.blocking { Self.drip(port: port, count: drippers, attack: attack) }
                }
                let flooding = Task { try await TestPostgres.blocking { Self.flood(port: port, attack: attack) } }
                // Let the drippers connect and start, then measure while they are cut and come back.
                try await Task.sleep(for: .seconds(2))
                let underAttack = try await Self.measure(client, for: .seconds(seconds))
                attack.stopping.store(true, ordering: .relaxed)
                try await dripping.value
                try await flooding.value
                try await Task.sleep(for: .seconds(1))
                let after = try await Self.measure(client, for: .seconds(1))
                await client.close()

                let state = attack.state.withLock { $0 }
                let cutP50 = Fault.quantile(state.secondsToCut, 0.5)
                let cutMax = state.secondsToCut.max() ?? .nan
                print(
                    """
                    slowloris and floods: \(drippers) drippers (1 byte/s, request deadline \(deadline) s) and a \
                    connect/close flood for \(seconds) s, descriptor limit \(limit)
                      drippers: opened \(state.opened) (peak open \(state.peakOpen), connect failures \
                    \(state.failedConnects)), cut by the deadline \(state.cutByDeadline), cut otherwise \
                    \(state.cutOtherwise); seconds from first byte to cut p50 \(Fault.format(cutP50)) max \(Fault.format(cutMax))
                      flood: \(state.floods) connect/close (\(state.floodFailures) failed)
                      legitimate client, PING / INTERACTION-CREATE ms (n, p50, p99, max):
                        before  \(baseline.summary)
                        attack  \(underAttack.summary)
                        after   \(after.summary)
                    """
                )
                #expect(state.peakOpen >= drippers * 9 / 10, "the drippers were connected at once")
                #expect(state.cutByDeadline >= drippers, "every dripper is cut by the deadline (and again)")
                #expect(state.cutOtherwise.isEmpty, "\(state.cutOtherwise)")
                #expect(cutMax <= Double(deadline) + 2.5, "cut within the deadline (plus the drip interval)")
                #expect(underAttack.failures.isEmpty, "\(underAttack.failures.prefix(3))")
                #expect(underAttack.p99(ping: true) < boundP99 && underAttack.p99(ping: false) < boundP99)
                #expect(runner.process?.exitStatus() == nil)
            } cleanup: {
                await runner.stopAll()
            }
        }

        struct Latencies {
            var ping: [Double] = []
            var create: [Double] = []
            var failures: [String] = []
            /// (seconds into the measurement, milliseconds, verb) of every request over 100 ms.
            var slow: [(at: Double, milliseconds: Double, verb: String)] = []

            func p99(ping: Bool) -> Double { Fault.quantile(ping ? self.ping : self.create, 0.99) }

            var summary: String {
                func line(_ values: [Double]) -> String {
                    "\(values.count), \(Fault.format(Fault.quantile(values, 0.5))), "
                        + "\(Fault.format(Fault.quantile(values, 0.99))), \(Fault.format(values.max() ?? .nan))"
                }
                let slowest = self.slow.sorted { $0.milliseconds > $1.milliseconds }.prefix(5)
                    .map { "\($0.verb) \(Fault.format($0.milliseconds)) ms at \(Fault.format($0.at)) s" }
                return "PING (\(line(self.ping)))  CREATE (\(line(self.create)))"
                    + (self.failures.isEmpty ? "" : "  failures \(self.failures.count)")
                    + (slowest.isEmpty ? "" : "\n        slowest: " + slowest.joined(separator: ", "))
            }
        }

        /// One request at a time, paced at ~50 pairs a second: the latency a person at the CLI would see.
        private static func measure(_ client: RapportConnection, for duration: Duration) async throws -> Latencies {
            var result = Latencies()
            let begin = ContinuousClock.now
            let end = begin + duration
            var number = 0
            while ContinuousClock.now < end {
                number += 1
                var started = ContinuousClock.now
                let pong = try await client.send("PING")
                result.ping.append(Fault.milliseconds(ContinuousClock.now - started))
                if result.ping.last! > 100 {
                    result.slow.append((Fault.milliseconds(started - begin) / 1000, result.ping.last!, "PING"))
                }
                if pong.final != .ok("PONG") { result.failures.append("PING: \(pong.final)") }
                started = ContinuousClock.now
                let created = try await client.send(
                    "INTERACTION-CREATE",
                    [.named("contact", "CO1"), .named("template", "CALL"), .named("idem", "lat-\(UUID().uuidString)")]
                )
                result.create.append(Fault.milliseconds(ContinuousClock.now - started))
                if result.create.last! > 100 {
                    result.slow.append((Fault.milliseconds(started - begin) / 1000, result.create.last!, "CREATE"))
                }
                if case .ok = created.final {} else { result.failures.append("INTERACTION-CREATE: \(created.final)") }
                try await Task.sleep(for: .milliseconds(20))
            }
            return result
        }

        /// Keeps `count` connections open, each sending one byte a second (at its own moment within the second)
        /// of a line that never ends; a connection the server cuts is replaced at once.
        private static func drip(port: Int, count: Int, attack: Attack) {
            struct Dripper {
                var descriptor: Int32
                var firstByte: ContinuousClock.Instant?
                /// Each dripper keeps its own second: 1,000 independent attackers, not one metronome.
                var nextDrip = ContinuousClock.now + .milliseconds(Int.random(in: 0..<1000))
                var received: [UInt8] = []
            }
            var drippers: [Dripper] = []
            func open() -> Dripper? {
                guard let descriptor = RawSocket.connect(port: port) else {
                    attack.state.withLock { $0.failedConnects += 1 }
                    return nil
                }
                attack.state.withLock { $0.opened += 1 }
                return Dripper(descriptor: descriptor)
            }
            for _ in 0..<count { if let dripper = open() { drippers.append(dripper) } }
            attack.state.withLock { $0.peakOpen = max($0.peakOpen, drippers.count) }
            while !attack.stopping.load(ordering: .relaxed) {
                let now = ContinuousClock.now
                var index = 0
                while index < drippers.count {
                    let (bytes, closed) = RawSocket.drain(drippers[index].descriptor)
                    drippers[index].received += bytes
                    if closed {
                        let text = String(decoding: drippers[index].received, as: UTF8.self)
                        let elapsed = drippers[index].firstByte.map { Fault.milliseconds(now - $0) / 1000 }
                        attack.state.withLock {
                            if text.contains("BYE request not completed in time") {
                                $0.cutByDeadline += 1
                                if let elapsed { $0.secondsToCut.append(elapsed) }
                            } else {
                                let last = text.split(separator: "\r\n").last.map(String.init) ?? "(nothing)"
                                $0.cutOtherwise[last, default: 0] += 1
                            }
                        }
                        close(drippers[index].descriptor)
                        if let fresh = open() {
                            drippers[index] = fresh
                        } else {
                            drippers.remove(at: index)
                            continue
                        }
                    } else if now >= drippers[index].nextDrip {
                        drippers[index].nextDrip = now + .seconds(1)
                        if drippers[index].firstByte == nil { drippers[index].firstByte = now }
                        _ = RawSocket.send(drippers[index].descriptor, [UInt8(ascii: "X")])
                    }
                    index += 1
                }
                attack.state.withLock { $0.peakOpen = max($0.peakOpen, drippers.count) }
                usleep(50_000)
            }
            for dripper in drippers { close(dripper.descriptor) }
        }

        /// Connects and closes at once, about 200 times a second.
        private static func flood(port: Int, attack: Attack) {
            while !attack.stopping.load(ordering: .relaxed) {
                for _ in 0..<10 {
                    if let descriptor = RawSocket.connect(port: port) {
                        close(descriptor)
                        attack.state.withLock { $0.floods += 1 }
                    } else {
                        attack.state.withLock { $0.floodFailures += 1 }
                    }
                }
                usleep(50_000)
            }
        }

        final class Counters: Sendable {
            let sent = Atomic<Int>(0)
            let answered = Atomic<Int>(0)
            let writes = Atomic<Int>(0)
            let failures = Mutex<[String]>([])
        }

        @Test func aPipeliningClientWritingAtRandomOffsetsIsNeverCut() async throws {
            let seconds = Fault.setting("FAULT_PIPELINE_SECONDS", 60)
            let window = 32
            let database = try await Fault.database()
            let runner = try RapportdRunner(
                databaseURL: Fault.databaseURL(database),
                label: "pipeline",
                arguments: ["--request-timeout", "1"]
            )
            try await withCleanup {
                let port = try await runner.start()
                let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                    .channelOption(.tcpOption(.tcp_nodelay), value: 1)
                    .connect(host: "127.0.0.1", port: port) { channel in
                        channel.eventLoop.makeCompletedFuture {
                            try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                        }
                    }
                let counters = Counters()
                let started = ContinuousClock.now
                try await channel.executeThenClose { inbound, outbound in
                    var iterator = inbound.makeAsyncIterator()
                    var parser = ResponseParser()
                    func next() async throws -> TaggedResponse? {
                        while true {
                            if let reply = try parser.next() { return reply }
                            guard var bytes = try await iterator.next() else { return nil }
                            parser.append(bytes.readBytes(length: bytes.readableBytes) ?? [])
                        }
                    }
                    _ = try await next()  // greeting
                    try await outbound.write(ByteBuffer(string: "LOGIN alice \"\(Fault.password)\"\r\n"))
                    let login = try await next()
                    try #require(
                        login?.response.final == .ok("welcome ALICE role=salesperson"),
                        "\(String(describing: login))"
                    )

                    let end = started + .seconds(seconds)
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask {
                            var number = 0
                            var generator = SystemRandomNumberGenerator()
                            while ContinuousClock.now < end {
                                // A batch of 1…8 requests, written in pieces cut at random offsets.
                                var batch: [UInt8] = []
                                for _ in 0..<Int.random(in: 1...8, using: &generator) {
                                    number += 1
                                    let line =
                                        number % 2 == 0
                                        ? "#n\(number) PING\r\n"
                                        : "#n\(number) INTERACTION-CREATE contact=CO1 template=CALL idem=p-\(number)\r\n"
                                    batch += Array(line.utf8)
                                }
                                while number - counters.answered.load(ordering: .relaxed) > window {
                                    try await Task.sleep(for: .milliseconds(1))
                                }
                                counters.sent.store(number, ordering: .relaxed)
                                var offset = 0
                                while offset < batch.count {
                                    let piece = Int.random(
                                        in: 1...max(1, min(40, batch.count - offset)),
                                        using: &generator
                                    )
                                    try await outbound.write(ByteBuffer(bytes: batch[offset..<offset + piece]))
                                    counters.writes.add(1, ordering: .relaxed)
                                    offset += piece
                                    // Mostly back to back, sometimes a pause with the line unfinished (< the 1 s deadline).
                                    if Int.random(in: 0..<40, using: &generator) == 0 {
                                        try await Task.sleep(
                                            for: .milliseconds(Int.random(in: 1...250, using: &generator))
                                        )
                                    }
                                }
                            }
                            counters.sent.store(number, ordering: .relaxed)
                            try await outbound.write(ByteBuffer(string: "#quit QUIT\r\n"))
                        }
                        var expected = 1
                        while let reply = try await next() {
                            if reply.tag == "#quit" { break }
                            guard reply.tag == "#n\(expected)" else {
                                counters.failures.withLock { $0.append("expected #n\(expected), got \(reply)") }
                                break
                            }
                            switch reply.response.final {
                            case .ok: break
                            default: counters.failures.withLock { $0.append("#n\(expected): \(reply.response.final)") }
                            }
                            if case .bye = reply.response.final { break }
                            counters.answered.store(expected, ordering: .relaxed)
                            expected += 1
                        }
                        if counters.answered.load(ordering: .relaxed) < counters.sent.load(ordering: .relaxed) {
                            counters.failures.withLock {
                                $0.append(
                                    "connection ended after \(counters.answered.load(ordering: .relaxed)) replies"
                                )
                            }
                            group.cancelAll()
                        }
                        try await group.waitForAll()
                    }
                }
                let elapsed = Fault.milliseconds(ContinuousClock.now - started) / 1000
                let total = counters.answered.load(ordering: .relaxed)
                let entries = try await database.count("SELECT count(*) FROM interaction_log_entries")
                print(
                    """
                    pipelined unaligned writes: \(Fault.format(elapsed)) s, request deadline 1 s, window \(window): \
                    \(total) requests answered in order (\(Fault.format(Double(total) / elapsed))/s) in \
                    \(counters.writes.load(ordering: .relaxed)) writes; entries \(entries); failures \(counters.failures.withLock { $0.count })
                    """
                )
                #expect(counters.failures.withLock { $0 }.isEmpty, "\(counters.failures.withLock { $0.prefix(5) })")
                #expect(total == counters.sent.load(ordering: .relaxed) && total > 100)
                #expect(entries == (total + 1) / 2)
            } cleanup: {
                await runner.stopAll()
            }
        }
    }
}
