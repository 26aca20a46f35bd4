import Foundation
import PostgresLauncher
import RapportClient
import RapportProtocol
import RapportTestSupport
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The fault suite (`make test-faults`): its suites run one after the other, never beside each other, since
/// each loads the machine on purpose and measures what it does.
@Suite("Fault suite", .serialized) struct FaultSuite {}

/// Shared fixtures and helpers of the fault suite.
enum Fault {
    /// Master data for INTERACTION-CREATE (contact CO1, templates CALL and LETTER with campaign CP01) and
    /// LOG-SEGMENT (Segment Nos., `contacts` companies BULK0000001…).
    static func masterData(contacts: Int = 0) -> String {
        """
        INSERT INTO salespeople (code, name, email) VALUES ('AH', 'Annette Hill', 'ah@rapport.example');
        INSERT INTO number_series (code, description, starting_no, allow_manual)
            VALUES ('SEG', 'Segments', 'SEG00001', true);
        UPDATE marketing_setup SET segment_nos = 'SEG';
        INSERT INTO languages (code, name) VALUES ('ENU', 'English');
        INSERT INTO interaction_groups (code, description) VALUES ('PHONE', 'Phone calls'), ('LETTER', 'Letters');
        INSERT INTO campaigns (no, description) VALUES ('CP01', 'Spring fair');
        INSERT INTO contacts (no, type, name, salesperson_code) VALUES ('CO1', 'company', 'Lee & Co', 'AH');
        INSERT INTO interaction_templates (code, interaction_group_code, description, unit_cost, unit_duration,
                information_flow, initiated_by, correspondence_type) VALUES
            ('CALL', 'PHONE', 'Phone call', 1, 15, 'outbound', 'us', NULL);
        INSERT INTO interaction_templates (code, interaction_group_code, description, unit_cost, unit_duration,
                information_flow, initiated_by, correspondence_type, campaign_no, campaign_target,
                campaign_response) VALUES
            ('LETTER', 'PHONE', 'Letter', 8, 30, 'outbound', 'us', NULL, 'CP01', true, true);
        INSERT INTO contacts (no, type, name, salesperson_code)
            SELECT 'BULK' || lpad(i::text, 7, '0'), 'company', 'Bulk ' || i, 'AH'
            FROM generate_series(1, \(contacts)) i;
        ANALYZE;
        """
    }

    static let password = TestServer.defaultPassword

    /// A fresh migrated database with the master data, a salesperson ALICE (AH) and a manager MANAGER (AH).
    static func database(contacts: Int = 0) async throws -> TestDatabase {
        let database = try await TestPostgres.freshDatabase(migrated: true)
        try await database.script(self.masterData(contacts: contacts))
        try await database.createUsers([("ALICE", "salesperson", "AH"), ("MANAGER", "manager", "AH")])
        return database
    }

    static func databaseURL(_ database: TestDatabase) -> String {
        Toolbox.databaseURL(database.cluster.connectionParameters(database: database.name))
    }

    /// A logged-in client connection.
    static func login(port: Int, user: String = "alice", timeout: Duration = .seconds(5)) async throws
        -> RapportConnection
    {
        let connection = try await RapportConnection.connect(host: "127.0.0.1", port: port, timeout: timeout)
        do {
            try await connection.login(user: user, secret: self.password)
        } catch {
            await connection.close()
            throw error
        }
        return connection
    }

    /// The value of `key=` on the first data line that has it.
    static func value(_ response: Response, _ key: String) -> String? {
        for line in response.dataLines {
            for case .named(let name, let value) in line.tokens where name == key { return value }
        }
        return nil
    }

    static func milliseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
    }

    /// The `q`-quantile (0…1) of values, nearest rank.
    static func quantile(_ values: [Double], _ q: Double) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return .nan }
        let rank = Int((q * Double(sorted.count)).rounded(.up)) - 1
        return sorted[min(max(rank, 0), sorted.count - 1)]
    }

    static func format(_ value: Double) -> String { String(format: "%.1f", value) }

    /// Raises the soft limit on open descriptors towards `wanted` (at most the hard limit); children
    /// started afterwards inherit it. Returns the soft limit in force.
    @discardableResult
    static func raiseDescriptorLimit(to wanted: Int) -> Int {
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        if limit.rlim_cur < rlim_t(wanted) {
            var raised = limit
            raised.rlim_cur = min(rlim_t(wanted), limit.rlim_max)
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
        }
        return Int(limit.rlim_cur)
    }

    /// An environment variable as a number, else `fallback`.
    static func setting(_ name: String, _ fallback: Int) -> Int {
        ProcessInfo.processInfo.environment[name].flatMap { Int($0) } ?? fallback
    }
}

/// `rapportd serve` as child processes over one database, started again after each kill: the current port.
final class RapportdRunner: Sendable {
    let binary: String
    let databaseURL: String
    let scratch: String
    let arguments: [String]
    let group = ProcessGroup()
    private let state = Mutex<(count: Int, current: ChildProcess?, port: Int)>((0, nil, 0))

    init(databaseURL: String, label: String, arguments: [String] = []) throws {
        self.binary = try Toolbox.rapportd()
        self.databaseURL = databaseURL
        self.scratch = try Toolbox.scratchDirectory(label)
        self.arguments = arguments
    }

    /// The port of the running server; 0 while none runs.
    var port: Int { self.state.withLock { $0.port } }
    var process: ChildProcess? { self.state.withLock { $0.current } }

    @discardableResult
    func start() async throws -> Int {
        let number = self.state.withLock {
            $0.count += 1
            return $0.count
        }
        let (process, port) = try await startReplica(
            name: "rapportd-\(number)",
            binary: self.binary,
            databaseURL: self.databaseURL,
            arguments: self.arguments,
            logDirectory: self.scratch,
            group: self.group
        )
        self.state.withLock {
            $0.current = process
            $0.port = port
        }
        return port
    }

    /// `kill -9` of the running server; returns once it has exited.
    func kill9() async {
        let process = self.state.withLock {
            $0.port = 0
            return $0.current
        }
        process?.signal(SIGKILL)
        _ = await process?.waitForExit(timeout: .seconds(10))
    }

    func stopAll() async {
        await self.group.stopAll()
    }

    func logs() -> String { self.group.logs() }
}

extension TestDatabase {
    /// Waits until no session but the caller's is connected to the database (a killed server's
    /// backends finish their statement first, then notice the closed socket); false after `timeout`.
    func waitForOtherSessionsToEnd(timeout: Duration = .seconds(30)) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let others = try await self.count(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            if others == 0 { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return false
    }
}
