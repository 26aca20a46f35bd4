import Foundation
import LibPQ
import Logging
import RapportClient
import RapportModel
import RapportProtocol
import RapportServer
import RapportStore
import RapportTestSupport
import Synchronization
import Testing

/// The rapportd side of the HA tests: master data, users, replicas as child processes, and sessions
/// that log interactions with `idem=` keys, retrying the same key after a retryable error or a
/// lost connection, the way a client library does.
enum HALoad {
    static let password = TestServer.defaultPassword

    static let masterData = """
        INSERT INTO salespeople (code, name, email) VALUES ('AH', 'Annette Hill', 'ah@rapport.example');
        INSERT INTO interaction_groups (code, description) VALUES ('PHONE', 'Phone calls');
        INSERT INTO contacts (no, type, name, salesperson_code) VALUES ('CO1', 'company', 'Lee & Co', 'AH');
        INSERT INTO interaction_templates (code, interaction_group_code, description, unit_cost, unit_duration,
                information_flow, initiated_by, correspondence_type) VALUES
            ('CALL', 'PHONE', 'Phone call', 1, 15, 'outbound', 'us', NULL);
        """

    /// Master data and the users ALICE (salesperson) and MANAGER on the cluster's primary (after
    /// rapportd migrated it).
    static func prepare(_ cluster: PatroniCluster) async throws {
        try await cluster.withPrimary { try $0.executeScript(Self.masterData) }
        var logger = Logger(label: "rapport.ha-tests")
        logger.logLevel = .warning
        let pool = PGPool(
            configuration: .init(connection: ConnectionConfiguration(url: cluster.multiHostURL()), size: 1),
            logger: logger
        )
        let hasher = PasswordHasher(parameters: .init(logRounds: 4))
        let store = Store(pool: pool, logger: logger)
        do {
            for (user, role) in [("ALICE", UserRole.salesperson), ("MANAGER", .manager)] {
                _ = try await store.createUser(
                    NewUser(userID: user, role: role, salespersonCode: "AH"),
                    passwordHash: try await hasher.hash(Self.password)
                )
            }
        } catch {
            await pool.shutdown()
            await hasher.shutdown()
            throw error
        }
        await pool.shutdown()
        await hasher.shutdown()
    }

    static func login(port: Int, user: String = "alice", timeout: Duration = .seconds(3)) async throws
        -> RapportConnection
    {
        let connection = try await RapportConnection.connect(host: "127.0.0.1", port: port, timeout: timeout)
        do {
            try await connection.login(user: user, secret: Self.password)
        } catch {
            await connection.close()
            throw error
        }
        return connection
    }

    static func value(_ response: Response, _ key: String) -> String? {
        for line in response.dataLines {
            for case .named(let name, let value) in line.tokens where name == key { return value }
        }
        return nil
    }

    static func seconds(_ duration: Duration) -> String {
        let value = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        return String(format: "%.2f s", value)
    }
}

/// What the sessions sent and got: every key issued, the entry each acknowledged key got, when.
final class Ledger: Sendable {
    struct State {
        var issued: Set<String> = []
        var acknowledged: [String: String] = [:]
        var attempts = 0
        var retried: Set<String> = []
        var retryableErrors = 0
        var lostConnections = 0
        var failures: [String] = []
        /// (request sent, OK received) of every acknowledged request.
        var oks: [(sent: ContinuousClock.Instant, received: ContinuousClock.Instant)] = []
    }
    let state = Mutex(State())
    let stopping = Atomic<Bool>(false)

    var acknowledgedCount: Int { self.state.withLock { $0.acknowledged.count } }

    /// The longest time without any OK in `from…to`, as (start, end): the outage the sessions saw.
    func longestGap(from: ContinuousClock.Instant, to: ContinuousClock.Instant) -> (
        ContinuousClock.Instant, ContinuousClock.Instant
    ) {
        let times = self.state.withLock { state in state.oks.map(\.received).filter { $0 >= from && $0 <= to }.sorted()
        }
        var best = (from, times.first ?? to)
        var previous = from
        for time in times + [to] {
            if time - previous > best.1 - best.0 { best = (previous, time) }
            previous = time
        }
        return best
    }

    /// The first OK of a request sent at or after `instant`, if any.
    func firstOK(sentAfter instant: ContinuousClock.Instant) -> ContinuousClock.Instant? {
        self.state.withLock { state in state.oks.filter { $0.sent >= instant }.map(\.received).min() }
    }

    /// One session in a closed loop: a new key after each OK, the same key again after a retryable
    /// error or a lost connection. `ports` gives the rapportd to (re)connect to.
    func session(_ number: Int, port: @escaping @Sendable () -> Int, giveUpAfter: Duration = .seconds(150)) async {
        var connection: RapportConnection?
        var sequence = 0
        var pending: String?
        let giveUp = ContinuousClock.now + giveUpAfter
        while ContinuousClock.now < giveUp {
            if pending == nil {
                if self.stopping.load(ordering: .relaxed) { break }
                sequence += 1
                pending = "s\(number)-\(sequence)"
                self.state.withLock { _ = $0.issued.insert(pending!) }
            }
            let key = pending!
            do {
                if connection == nil || connection?.isOpen == false {
                    await connection?.close()
                    connection = nil
                    connection = try await HALoad.login(port: port())
                }
                let sent = ContinuousClock.now
                self.state.withLock { $0.attempts += 1 }
                let reply = try await connection!.send(
                    "INTERACTION-CREATE",
                    [
                        .named("contact", "CO1"), .named("template", "CALL"), .named("description", key),
                        .named("comment", key), .named("idem", key),
                    ]
                )
                switch reply.final {
                case .ok:
                    let entry = HALoad.value(reply, "entry") ?? "?"
                    let received = ContinuousClock.now
                    self.state.withLock {
                        $0.acknowledged[key] = entry
                        $0.oks.append((sent, received))
                    }
                    pending = nil
                case .error(let code, _) where code.isRetryable:
                    self.state.withLock {
                        _ = $0.retried.insert(key)
                        $0.retryableErrors += 1
                    }
                    try await Task.sleep(for: .milliseconds(50))
                case .error(let code, let text):
                    self.state.withLock { $0.failures.append("\(key): ERR \(code.rawValue) \(text)") }
                    pending = nil
                case .bye:
                    self.state.withLock { _ = $0.retried.insert(key) }
                    await connection?.close()
                    connection = nil
                }
            } catch {
                self.state.withLock {
                    _ = $0.retried.insert(key)
                    $0.lostConnections += 1
                }
                await connection?.close()
                connection = nil
                try? await Task.sleep(for: .milliseconds(50))
            }
        }
        if let pending { self.state.withLock { $0.failures.append("\(pending): never acknowledged") } }
        await connection?.close()
    }

    /// Checks the primary's ledger against what the sessions were told: every acknowledged key has
    /// its entry, no key has two, nothing unknown. Returns a one-line summary.
    func verify(on cluster: PatroniCluster) async throws -> String {
        let state = self.state.withLock { $0 }
        let entries = try await cluster.rows(
            "SELECT description, count(*)::text, min(entry_no)::text FROM interaction_log_entries GROUP BY description"
        )
        var byKey: [String: (count: Int, entry: String)] = [:]
        for row in entries { byKey[row[0] ?? ""] = (Int(row[1] ?? "") ?? 0, row[2] ?? "") }
        let duplicates = byKey.filter { $0.value.count > 1 }
        let missing = state.acknowledged.filter { byKey[$0.key]?.entry != $0.value }
        let strangers = byKey.keys.filter { !state.issued.contains($0) }
        let openKeys = try await cluster.rows("SELECT count(*)::text FROM idempotency_keys WHERE response IS NULL")
        for failure in state.failures.prefix(5) { Issue.record("\(failure)") }
        #expect(state.failures.isEmpty, "\(state.failures.count) commands failed after their retries")
        #expect(state.acknowledged.count == state.issued.count, "every key is acknowledged after retries")
        #expect(duplicates.isEmpty, "duplicates: \(duplicates.prefix(5))")
        #expect(missing.isEmpty, "acknowledged but missing or different: \(missing.prefix(5))")
        #expect(strangers.isEmpty, "entries nobody asked for: \(strangers.prefix(5))")
        #expect(openKeys.first?.first == "0", "idempotency keys left open")
        return "keys \(state.issued.count), acknowledged \(state.acknowledged.count), requests \(state.attempts), "
            + "retryable errors \(state.retryableErrors), lost connections \(state.lostConnections), "
            + "keys retried \(state.retried.count); on the primary: entries \(entries.reduce(0) { $0 + (Int($1[1] ?? "") ?? 0) }), "
            + "duplicates \(duplicates.count), acknowledged but missing \(missing.count), unknown \(strangers.count)"
    }
}
