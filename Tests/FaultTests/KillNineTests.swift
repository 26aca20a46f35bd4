import Foundation
import RapportClient
import RapportProtocol
import RapportTestSupport
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

extension FaultSuite {
    /// QUALITY R1: `kill -9` of rapportd under load. Every acknowledged write is in the database, nothing is
    /// half-written, and clients that retry with their idempotency keys create no duplicates.
    @Suite("kill -9 of rapportd", .serialized, .timeLimit(.minutes(4)))
    struct KillNineTests {
        /// What the clients sent: every key issued, the entry each acknowledged key got, retries.
        final class Ledger: Sendable {
            struct State {
                var issued: Set<String> = []
                var acknowledged: [String: String] = [:]
                var attempts = 0
                var retried: Set<String> = []
                var failures: [String] = []
            }
            let state = Mutex(State())
            let stopping = Atomic<Bool>(false)
        }

        @Test func killedUnderInteractionLoadLosesNothingAndDuplicatesNothing() async throws {
            let clients = Fault.setting("FAULT_KILL_CLIENTS", 8)
            let kills = Fault.setting("FAULT_KILLS", 3)
            let database = try await Fault.database()
            let runner = try RapportdRunner(databaseURL: Fault.databaseURL(database), label: "kill9-load")
            let started = ContinuousClock.now
            try await withCleanup {
                try await runner.start()
                let ledger = Ledger()
                var killTimes: [String] = []
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for client in 0..<clients {
                        group.addTask { await Self.client(client, runner: runner, ledger: ledger) }
                    }
                    for kill in 1...kills {
                        // A random moment of steady load (the clients reconnect within milliseconds).
                        try await Task.sleep(for: .milliseconds(Int.random(in: 800...2500)))
                        let before = ledger.state.withLock { $0.acknowledged.count }
                        await runner.kill9()
                        // Requests in flight at the kill: how many had committed without their OK reaching the client.
                        let inFlight = ledger.state.withLock { state in
                            state.issued.filter { state.acknowledged[$0] == nil }
                        }
                        _ = try await database.waitForOtherSessionsToEnd()
                        let list = inFlight.map { "'\($0)'" }.joined(separator: ",")
                        let committed =
                            inFlight.isEmpty
                            ? 0
                            : try await database.count(
                                "SELECT count(*) FROM idempotency_keys WHERE idempotency_key IN (\(list))"
                            )
                        killTimes.append(
                            "kill \(kill) at \(Fault.format(Fault.milliseconds(ContinuousClock.now - started) / 1000)) s "
                                + "after \(before) OKs, \(inFlight.count) in flight of which \(committed) committed"
                        )
                        try await runner.start()
                    }
                    try await Task.sleep(for: .seconds(1))
                    ledger.stopping.store(true, ordering: .relaxed)
                    try await group.waitForAll()
                }
                let state = ledger.state.withLock { $0 }
                for failure in state.failures.prefix(5) { Issue.record("\(failure)") }
                #expect(state.acknowledged.count == state.issued.count, "every key is acknowledged after retries")

                // The database: one entry per key (description = key), each with its comment and idempotency row.
                let entries = try await database.rows(
                    "SELECT description, count(*)::text, min(entry_no)::text FROM interaction_log_entries GROUP BY description"
                )
                var byKey: [String: (count: Int, entry: String)] = [:]
                for row in entries { byKey[row[0] ?? ""] = (Int(row[1] ?? "") ?? 0, row[2] ?? "") }
                let duplicates = byKey.filter { $0.value.count > 1 }
                let missing = state.acknowledged.filter { byKey[$0.key]?.entry != $0.value }
                let strangers = byKey.keys.filter { !state.issued.contains($0) }
                let total = try await database.count("SELECT count(*) FROM interaction_log_entries")
                let comments = try await database.count(
                    """
                    SELECT count(*) FROM interaction_log_entries e
                    WHERE (SELECT count(*) FROM interaction_log_entry_comments c WHERE c.entry_no = e.entry_no) <> 1
                    """
                )
                let keys = try await database.count(
                    "SELECT count(*) FROM idempotency_keys WHERE command = 'INTERACTION-CREATE' AND response IS NOT NULL"
                )
                let openKeys = try await database.count("SELECT count(*) FROM idempotency_keys WHERE response IS NULL")
                // The running totals commit with the entries (sql/0016): no kill leaves them apart.
                let totalsDifferences = try await database.count("SELECT count(*) FROM rapport_totals_differences()")
                print(
                    """
                    kill -9 under load: \(clients) clients, \(kills) kills (\(killTimes.joined(separator: "; ")))
                      keys issued \(state.issued.count), acknowledged \(state.acknowledged.count), requests sent \
                    \(state.attempts), keys retried \(state.retried.count)
                      entries \(total), distinct keys in the ledger \(byKey.count), duplicates \(duplicates.count), \
                    acknowledged but missing \(missing.count), unknown \(strangers.count), entries without exactly one \
                    comment \(comments), idempotency rows \(keys) (open \(openKeys)), \
                    totals differing from the ledger \(totalsDifferences), \
                    \(Fault.format(Fault.milliseconds(ContinuousClock.now - started) / 1000)) s
                    """
                )
                #expect(state.issued.count > 100, "the load ran")
                #expect(state.retried.count > 0, "some keys were in flight at a kill")
                #expect(duplicates.isEmpty, "duplicates: \(duplicates.prefix(5))")
                #expect(missing.isEmpty, "acknowledged but missing or different: \(missing.prefix(5))")
                #expect(strangers.isEmpty)
                #expect(total == state.issued.count && byKey.count == state.issued.count)
                #expect(comments == 0, "nothing half-written")
                #expect(keys == state.issued.count && openKeys == 0)
                #expect(totalsDifferences == 0, "running totals agree with the ledger")
            } cleanup: {
                await runner.stopAll()
            }
        }

        /// One client in a closed loop: a new key after each OK, the same key again after any failure.
        private static func client(_ number: Int, runner: RapportdRunner, ledger: Ledger) async {
            var connection: RapportConnection?
            var sequence = 0
            var pending: String?
            let giveUp = ContinuousClock.now + .seconds(150)
            while ContinuousClock.now < giveUp {
                if pending == nil {
                    if ledger.stopping.load(ordering: .relaxed) { break }
                    sequence += 1
                    pending = "k\(number)-\(sequence)"
                    ledger.state.withLock { _ = $0.issued.insert(pending!) }
                }
                let key = pending!
                do {
                    if connection == nil || connection?.isOpen == false {
                        await connection?.close()
                        connection = nil
                        let port = runner.port
                        guard port != 0 else {
                            try await Task.sleep(for: .milliseconds(20))
                            continue
                        }
                        connection = try await Fault.login(port: port, timeout: .seconds(2))
                    }
                    ledger.state.withLock { $0.attempts += 1 }
                    let reply = try await connection!.send(
                        "INTERACTION-CREATE",
                        [
                            .named("contact", "CO1"), .named("template", "LETTER"), .named("description", key),
                            .named("comment", key), .named("idem", key),
                        ]
                    )
                    switch reply.final {
                    case .ok:
                        let entry = Fault.value(reply, "entry") ?? "?"
                        ledger.state.withLock { $0.acknowledged[key] = entry }
                        pending = nil
                    case .error(let code, let text) where code.isRetryable:
                        ledger.state.withLock { _ = $0.retried.insert(key) }
                        _ = text
                        try await Task.sleep(for: .milliseconds(20))
                    case .error(let code, let text):
                        ledger.state.withLock { $0.failures.append("\(key): ERR \(code.rawValue) \(text)") }
                        pending = nil
                    case .bye:
                        ledger.state.withLock { _ = $0.retried.insert(key) }
                        await connection?.close()
                        connection = nil
                    }
                } catch {
                    // The server died under the request (or refused the connection): retry the same key.
                    ledger.state.withLock { _ = $0.retried.insert(key) }
                    await connection?.close()
                    connection = nil
                    try? await Task.sleep(for: .milliseconds(20))
                }
            }
            if let pending { ledger.state.withLock { $0.failures.append("\(pending): never acknowledged") } }
            await connection?.close()
        }

        @Test func killedWhileLoggingALargeSegmentLogsAllOrNothing() async throws {
            let lines = Fault.setting("FAULT_SEGMENT_LINES", 30_000)
            let database = try await Fault.database(contacts: lines)
            let runner = try RapportdRunner(databaseURL: Fault.databaseURL(database), label: "kill9-segment")
            let started = ContinuousClock.now
            try await withCleanup {
                try await runner.start()
                // The first logging, undisturbed: how long it takes, the kill moments are fractions of it.
                var manager = try await Fault.login(port: runner.port, user: "manager")
                let first = try await Self.segment(manager, lines: lines)
                let clock = ContinuousClock.now
                let reply = try await manager.send("LOG-SEGMENT", [.positional(first), .named("idem", "log-\(first)")])
                let full = ContinuousClock.now - clock
                #expect(reply.final == .ok("Segment \(first) has been logged."), "\(reply)")
                #expect(Fault.value(reply, "entries") == String(lines))
                print(
                    "kill -9 during LOG-SEGMENT: \(lines) lines; undisturbed logging "
                        + "\(Fault.format(Fault.milliseconds(full))) ms"
                )
                var outcomes: [String] = []
                let fractions = [0.1, 0.4, 0.7, 0.9, 1.0, 1.1, 1.25]
                for (round, fraction) in fractions.enumerated() {
                    let segment = try await Self.segment(manager, lines: lines)
                    let key = "log-\(segment)"
                    let delay = full * (fraction + Double.random(in: -0.05...0.05))
                    let logging = Task { [manager] in
                        try? await manager.send("LOG-SEGMENT", [.positional(segment), .named("idem", key)])
                    }
                    try await Task.sleep(for: delay)
                    await runner.kill9()
                    let answered = await logging.value
                    if let answered, case .ok = answered.final {
                        // The reply beat the kill: nothing to learn from this round but its consistency.
                        outcomes.append("round \(round + 1): answered before the kill")
                    }
                    #expect(
                        try await database.waitForOtherSessionsToEnd(),
                        "the killed server's database sessions end"
                    )
                    let state = try await Self.state(database, segment)
                    let logged = state == [String(lines), "1", "0", "0", "1"]
                    let untouched = state == ["0", "0", "1", String(lines), "0"]
                    #expect(logged || untouched, "round \(round + 1): half-logged segment \(segment): \(state)")
                    outcomes.append(
                        "round \(round + 1): kill after \(Fault.format(Fault.milliseconds(delay))) ms → "
                            + (logged ? "fully logged" : untouched ? "nothing logged" : "HALF-LOGGED \(state)")
                    )

                    // After the restart: the same request with the same key logs it exactly once.
                    try await runner.start()
                    await manager.close()
                    manager = try await Fault.login(port: runner.port, user: "manager")
                    let again = try await manager.send("LOG-SEGMENT", [.positional(segment), .named("idem", key)])
                    #expect(again.final == .ok("Segment \(segment) has been logged."), "\(again)")
                    #expect(Fault.value(again, "entries") == String(lines))
                    let repeated = try await manager.send("LOG-SEGMENT", [.positional(segment), .named("idem", key)])
                    #expect(repeated == again, "a repeat with the key returns the first reply")
                    let fresh = try await manager.send("LOG-SEGMENT", [.positional(segment)])
                    guard case .error = fresh.final else {
                        Issue.record("logging a logged segment again without the key: \(fresh)")
                        continue
                    }
                    #expect(try await Self.state(database, segment) == [String(lines), "1", "0", "0", "1"])
                }
                await manager.close()
                let total = try await database.count("SELECT count(*) FROM interaction_log_entries")
                #expect(total == lines * (fractions.count + 1))
                // The totals (a LOG-SEGMENT's contact rows are deltas, sql/0023) committed with the entries or not at all.
                let totalsDifferences = try await database.count("SELECT count(*) FROM rapport_totals_differences()")
                #expect(totalsDifferences == 0, "running totals against the ledger after the kills")
                print(
                    "  " + outcomes.joined(separator: "\n  ")
                        + "\n  entries \(total) = \(fractions.count + 1) × \(lines); "
                        + "\(Fault.format(Fault.milliseconds(ContinuousClock.now - started) / 1000)) s"
                )
            } cleanup: {
                await runner.stopAll()
            }
        }

        /// A new segment of every BULK contact (template CALL, campaign CP01).
        private static func segment(_ manager: RapportConnection, lines: Int) async throws -> String {
            let created = try await manager.send(
                "SEGMENT-CREATE",
                [.named("description", "Fault mailing"), .named("template", "CALL"), .named("campaign", "CP01")]
            ).checked()
            let segment = try #require(Fault.value(created, "segment"))
            let added = try await manager.send(
                "SEGMENT-ADD-CONTACTS",
                [.positional(segment), .named("contact", "BULK*")]
            )
            .checked()
            #expect(Fault.value(added, "lines") == String(lines), "\(added)")
            return segment
        }

        /// Entries, logged segments, segment headers, segment lines and idempotency rows of a segment.
        private static func state(_ database: TestDatabase, _ segment: String) async throws -> [String] {
            try await database.rows(
                """
                SELECT (SELECT count(*) FROM interaction_log_entries WHERE segment_no = '\(segment)')::text,
                       (SELECT count(*) FROM logged_segments WHERE segment_no = '\(segment)')::text,
                       (SELECT count(*) FROM segment_headers WHERE no = '\(segment)')::text,
                       (SELECT count(*) FROM segment_lines WHERE segment_no = '\(segment)')::text,
                       (SELECT count(*) FROM idempotency_keys WHERE idempotency_key = 'log-\(segment)')::text
                """
            ).first?.map { $0 ?? "" } ?? []
        }
    }
}
