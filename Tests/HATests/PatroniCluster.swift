import Foundation
import LibPQ
import RapportTestSupport
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The HA suite (`make test-ha`, which sets `RAPPORT_HA_TESTS=1`): its tests run one after the
/// other, each with a cluster of its own. Without the variable the suite is skipped, so that the
/// quick suite (`--skip FaultTests`) does not start Patroni clusters.
@Suite(
    "High availability (Patroni)",
    .serialized,
    .enabled(
        if: ProcessInfo.processInfo.environment["RAPPORT_HA_TESTS"] == "1",
        "set RAPPORT_HA_TESTS=1 (make test-ha)"
    )
)
struct HASuite {}

/// A Patroni cluster on loopback, started by the test from the Debian packages: one etcd, `nodes`
/// PostgreSQL servers each run by its own Patroni (as the `postgres` user when we are root), and
/// an HAProxy whose write port follows Patroni's `/primary` check and read port its `/replica` one.
///
/// The timings are the test cluster's (deploy/patroni/patroni.yml keeps Patroni's defaults):
/// `ttl` 10 s, `loop_wait` 1 s, `retry_timeout` 4 s (Patroni wants loop_wait + 2 × retry_timeout
/// ≤ ttl), and `primary_start_timeout` 0, so that a primary whose postmaster died fails over at
/// once instead of being restarted in place.
final class PatroniCluster: Sendable {
    struct Node: Sendable {
        var name: String
        var restPort: Int
        var postgresPort: Int
        var directory: String
        var configuration: String
        var dataDirectory: String { (self.directory as NSString).appendingPathComponent("data") }
    }

    let scratch: String
    let nodes: [Node]
    let etcdPort: Int
    let writePort: Int
    let readPort: Int
    let haproxySocket: String
    let processes = ProcessGroup()
    private let patronis = Mutex<[String: ChildProcess]>([:])
    let binDirectory: String
    /// The program that runs a command as the `postgres` user with the same process id (nil: we are not root).
    let asPostgres: [String]

    static let database = "rapport"
    static let superuser = "postgres"

    private init(
        scratch: String,
        nodes: [Node],
        etcdPort: Int,
        writePort: Int,
        readPort: Int,
        binDirectory: String,
        asPostgres: [String]
    ) {
        self.scratch = scratch
        self.nodes = nodes
        self.etcdPort = etcdPort
        self.writePort = writePort
        self.readPort = readPort
        self.haproxySocket = (scratch as NSString).appendingPathComponent("haproxy.sock")
        self.binDirectory = binDirectory
        self.asPostgres = asPostgres
    }

    /// Starts etcd, the Patroni nodes and HAProxy; returns once there is a leader with a synchronous
    /// standby and HAProxy sees both, and the `rapport` database exists.
    static func start(label: String, nodes count: Int = 2) async throws -> PatroniCluster {
        let patroni = try Toolbox.tool("patroni", package: "patroni")
        let etcd = try Toolbox.tool("etcd", package: "etcd-server")
        let haproxy = try Toolbox.tool("haproxy", package: "haproxy")
        let binDirectory = try Self.postgresBinDirectory()
        let scratch = try Toolbox.scratchDirectory(label)
        let asPostgres =
            geteuid() == 0
            ? [
                try Toolbox.tool("setpriv", package: "util-linux"), "--reuid=postgres",
                "--regid=postgres", "--init-groups",
            ] : []
        let etcdPort = try Toolbox.freePort()
        var nodes: [Node] = []
        for index in 1...count {
            let name = "n\(index)"
            let directory = (scratch as NSString).appendingPathComponent(name)
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            nodes.append(
                Node(
                    name: name,
                    restPort: try Toolbox.freePort(),
                    postgresPort: try Toolbox.freePort(),
                    directory: directory,
                    configuration: (directory as NSString).appendingPathComponent("patroni.yml")
                )
            )
        }
        let cluster = PatroniCluster(
            scratch: scratch,
            nodes: nodes,
            etcdPort: etcdPort,
            writePort: try Toolbox.freePort(),
            readPort: try Toolbox.freePort(),
            binDirectory: binDirectory,
            asPostgres: asPostgres
        )
        do {
            try await cluster.startAll(patroni: patroni, etcd: etcd, haproxy: haproxy)
        } catch {
            print("Patroni cluster did not start:\n\(cluster.logs())")
            await cluster.stop()
            throw error
        }
        return cluster
    }

    private func startAll(patroni: String, etcd: String, haproxy: String) async throws {
        try await Self.startEtcd(program: etcd, port: self.etcdPort, scratch: self.scratch, group: self.processes)

        for node in self.nodes {
            try self.configurationText(node).write(toFile: node.configuration, atomically: true, encoding: .utf8)
            if !self.asPostgres.isEmpty {
                try FileManager.default.setAttributes(
                    [.ownerAccountName: "postgres", .posixPermissions: 0o700],
                    ofItemAtPath: node.directory
                )
                try FileManager.default.setAttributes(
                    [.ownerAccountName: "postgres"],
                    ofItemAtPath: node.configuration
                )
            }
        }
        for node in self.nodes {
            try self.startPatroni(node, program: patroni)
        }
        let leader = try await self.waitForLeaderAndSynchronousStandby(timeout: .seconds(90))

        let configuration = self.haproxyConfiguration()
        let path = (self.scratch as NSString).appendingPathComponent("haproxy.cfg")
        try configuration.write(toFile: path, atomically: true, encoding: .utf8)
        let balancer = try ChildProcess.spawn(
            name: "haproxy",
            haproxy,
            ["-f", path, "-db"],
            environment: Toolbox.environment(),
            logDirectory: self.scratch
        )
        self.processes.add(balancer)
        try await self.waitUntil("HAProxy sees the primary and the replica", timeout: .seconds(20)) {
            let writes =
                (try? Toolbox.haproxyServerStatus(backend: "postgres-write", socket: self.haproxySocket)) ?? [:]
            let reads = (try? Toolbox.haproxyServerStatus(backend: "postgres-read", socket: self.haproxySocket)) ?? [:]
            return writes.values.filter { $0.hasPrefix("UP") }.count == 1
                && reads.values.filter { $0.hasPrefix("UP") }.count == self.nodes.count - 1
        }

        try await TestPostgres.blocking {
            let admin = try PGConnection.connect(
                ConnectionConfiguration(url: self.nodeURL(leader, database: "postgres"))
            )
            defer { admin.close() }
            try admin.execute(PGQuery(sql: "CREATE DATABASE \(Self.database)"))
        }
        // libpq tries the next host of a multi-host URL only when a connection cannot be made, not
        // when a server refuses it (no such database yet): wait until every standby has replayed it.
        try await self.waitUntil("the standbys replay CREATE DATABASE", timeout: .seconds(20)) {
            self.nodes.allSatisfy { node in
                guard let connection = try? PGConnection.connect(ConnectionConfiguration(url: self.nodeURL(node)))
                else { return false }
                connection.close()
                return true
            }
        }
    }

    /// One etcd member on 127.0.0.1:`port`, data in the scratch folder; returns once it is healthy.
    static func startEtcd(program: String, port: Int, scratch: String, group: ProcessGroup) async throws {
        let etcdData = (scratch as NSString).appendingPathComponent("etcd")
        let peerPort = try Toolbox.freePort()
        let etcdProcess = try ChildProcess.spawn(
            name: "etcd",
            program,
            [
                "--name", "e1", "--data-dir", etcdData,
                "--listen-client-urls", "http://127.0.0.1:\(port)",
                "--advertise-client-urls", "http://127.0.0.1:\(port)",
                "--listen-peer-urls", "http://127.0.0.1:\(peerPort)",
                "--initial-advertise-peer-urls", "http://127.0.0.1:\(peerPort)",
                "--initial-cluster", "e1=http://127.0.0.1:\(peerPort)",
            ],
            environment: Toolbox.environment(),
            logDirectory: scratch
        )
        group.add(etcdProcess)
        let deadline = ContinuousClock.now + .seconds(20)
        while true {
            let healthy = try await TestPostgres.blocking {
                (try? HTTP.request("GET", port: port, path: "/health"))?.body.contains("true") == true
            }
            if healthy { return }
            if ContinuousClock.now > deadline {
                throw ChildProcess.SpawnError(
                    description: "etcd is not healthy after 20 s:\n\(etcdProcess.errors.suffix(2000))"
                )
            }
            try await Task.sleep(for: .milliseconds(200))
        }
    }

    private func startPatroni(_ node: Node, program: String) throws {
        let arguments =
            self.asPostgres.isEmpty
            ? [node.configuration] : Array(self.asPostgres.dropFirst()) + [program, node.configuration]
        let process = try ChildProcess.spawn(
            name: "patroni-\(node.name)",
            self.asPostgres.first ?? program,
            arguments,
            environment: Toolbox.environment(["HOME": node.directory]),
            logDirectory: self.scratch
        )
        self.processes.add(process)
        self.patronis.withLock { $0[node.name] = process }
    }

    /// Patroni's configuration of one node: the test timings, synchronous replication, trust on loopback.
    func configurationText(_ node: Node) -> String {
        """
        scope: rapport-test
        name: \(node.name)
        restapi:
          listen: 127.0.0.1:\(node.restPort)
          connect_address: 127.0.0.1:\(node.restPort)
        etcd3:
          hosts: 127.0.0.1:\(self.etcdPort)
        bootstrap:
          dcs:
            ttl: 10
            loop_wait: 1
            retry_timeout: 4
            maximum_lag_on_failover: 1048576
            primary_start_timeout: 0
            synchronous_mode: true
            postgresql:
              use_pg_rewind: true
              use_slots: true
              parameters:
                wal_level: replica
                hot_standby: "on"
                wal_log_hints: "on"
                max_connections: 100
                max_wal_senders: 5
                max_replication_slots: 5
                wal_keep_size: 64MB
                fsync: "off"
          initdb:
            - encoding: UTF8
            - locale: C.UTF-8
          pg_hba:
            - local all all trust
            - host replication replicator 127.0.0.1/32 trust
            - host all all 127.0.0.1/32 trust
        postgresql:
          listen: 127.0.0.1:\(node.postgresPort)
          connect_address: 127.0.0.1:\(node.postgresPort)
          data_dir: \(node.dataDirectory)
          bin_dir: \(self.binDirectory)
          pgpass: \((node.directory as NSString).appendingPathComponent("pgpass"))
          authentication:
            replication:
              username: replicator
              password: replication-secret
            superuser:
              username: \(Self.superuser)
              password: superuser-secret
          parameters:
            unix_socket_directories: \(node.directory)
          remove_data_directory_on_rewind_failure: true
          remove_data_directory_on_diverged_timelines: true
        """
    }

    /// HAProxy for PostgreSQL (deploy/haproxy-ha.cfg's `postgres-write` and `postgres-read`): Patroni's
    /// REST checks choose the server; a server marked down has its sessions cut.
    func haproxyConfiguration() -> String {
        func servers() -> String {
            self.nodes.map { "    server \($0.name) 127.0.0.1:\($0.postgresPort) check port \($0.restPort)" }
                .joined(separator: "\n")
        }
        return """
            global
                stats socket \(self.haproxySocket) mode 600 level admin
            defaults
                mode tcp
                timeout connect 2s
                timeout client 10m
                timeout server 10m
            listen postgres-write
                bind 127.0.0.1:\(self.writePort)
                option httpchk OPTIONS /primary
                http-check expect status 200
                default-server inter 500ms fall 2 rise 1 on-marked-down shutdown-sessions
            \(servers())
            listen postgres-read
                bind 127.0.0.1:\(self.readPort)
                balance leastconn
                option httpchk OPTIONS /replica
                http-check expect status 200
                default-server inter 500ms fall 2 rise 1 on-marked-down shutdown-sessions
            \(servers())

            """
    }

    // MARK: - State

    /// The role Patroni reports for `node` (`master`/`primary`, `replica`), or nil when it does not answer.
    func role(_ node: Node) -> String? {
        guard let response = try? HTTP.request("GET", port: node.restPort, path: "/patroni"),
            let object = try? JSONSerialization.jsonObject(with: Data(response.body.utf8)) as? [String: Any]
        else { return nil }
        return object["role"] as? String
    }

    /// True when `node` answers 200 to `path` (`/primary`, `/replica`, `/sync`).
    func check(_ node: Node, _ path: String) -> Bool {
        (try? HTTP.request("OPTIONS", port: node.restPort, path: path))?.status == 200
    }

    func node(named name: String) -> Node { self.nodes.first { $0.name == name }! }

    /// Waits for one node to be primary and another to be its synchronous standby; returns the primary.
    @discardableResult
    func waitForLeaderAndSynchronousStandby(timeout: Duration, excluding: String? = nil) async throws -> Node {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let leader = try await TestPostgres.blocking { () -> Node? in
                guard let primary = self.nodes.first(where: { $0.name != excluding && self.check($0, "/primary") }),
                    self.nodes.contains(where: { $0.name != primary.name && self.check($0, "/sync") })
                else { return nil }
                return primary
            }
            if let leader { return leader }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw ChildProcess.SpawnError(description: "no primary with a synchronous standby within \(timeout)")
    }

    func primary() -> Node? { self.nodes.first { self.check($0, "/primary") } }

    /// `kill -9` of the node's postmaster (the PostgreSQL server dies; its Patroni lives on).
    func killPostmaster(_ node: Node) throws -> Int32 {
        let pidFile = (node.dataDirectory as NSString).appendingPathComponent("postmaster.pid")
        let text = try String(contentsOfFile: pidFile, encoding: .utf8)
        guard let pid = text.split(separator: "\n").first.flatMap({ Int32($0) }) else {
            throw ChildProcess.SpawnError(description: "no pid in \(pidFile)")
        }
        kill(pid, SIGKILL)
        return pid
    }

    /// `kill -9` of the node's Patroni (with the postmaster: a machine death).
    func killPatroni(_ node: Node) {
        self.patronis.withLock { $0[node.name] }?.signal(SIGKILL)
    }

    /// `patronictl switchover --force` from `leader` to `candidate`.
    func switchover(from leader: Node, to candidate: Node) async throws -> ProgramRun.Result {
        let patronictl = try Toolbox.tool("patronictl", package: "patroni")
        return try await ProgramRun.run(
            patronictl,
            [
                "-c", leader.configuration, "switchover", "--leader", leader.name, "--candidate", candidate.name,
                "--force",
            ]
        )
    }

    // MARK: - URLs

    /// A libpq URL of one node.
    func nodeURL(_ node: Node, database: String = PatroniCluster.database) -> String {
        "postgresql://\(Self.superuser)@127.0.0.1:\(node.postgresPort)/\(database)?connect_timeout=2"
    }

    /// Every node in one URL; libpq keeps the one that accepts writes.
    func multiHostURL(attributes: String = "read-write") -> String {
        let hosts = self.nodes.map { "127.0.0.1:\($0.postgresPort)" }.joined(separator: ",")
        return
            "postgresql://\(Self.superuser)@\(hosts)/\(Self.database)?target_session_attrs=\(attributes)&connect_timeout=2"
    }

    /// HAProxy's write port (the current primary) or read port (the replicas).
    func balancerURL(reads: Bool = false) -> String {
        "postgresql://\(Self.superuser)@127.0.0.1:\(reads ? self.readPort : self.writePort)/\(Self.database)?connect_timeout=2"
    }

    /// Runs `body` with a connection to the current primary.
    func withPrimary<T: Sendable>(_ body: @escaping @Sendable (PGConnection) throws -> T) async throws -> T {
        let url = self.multiHostURL()
        return try await TestPostgres.blocking {
            let connection = try PGConnection.connect(ConnectionConfiguration(url: url, applicationName: "ha-tests"))
            defer { connection.close() }
            return try body(connection)
        }
    }

    /// The rows of a query on the primary, every column as text.
    func rows(_ query: String) async throws -> [[String?]] {
        try await self.withPrimary { connection in
            try connection.query(PGQuery(sql: query)).map { row in
                try (0..<row.columnCount).map { try row.decode(String?.self, at: $0) }
            }
        }
    }

    // MARK: - Stopping

    /// Stops one node's Patroni, which shuts its PostgreSQL down (a standby taken out for maintenance).
    func stopNode(_ node: Node) async throws {
        guard let process = self.patronis.withLock({ $0[node.name] }) else { return }
        await process.stop(grace: .seconds(30))
        try await self.waitUntil("\(node.name) stopped:\n\(process.errors.suffix(3000))", timeout: .seconds(20)) {
            !FileManager.default.fileExists(
                atPath: (node.dataDirectory as NSString).appendingPathComponent("postmaster.pid")
            )
        }
    }

    /// Stops HAProxy, the Patroni nodes (each stops its PostgreSQL) and etcd; then makes sure no
    /// PostgreSQL of this cluster is left running.
    func stop() async {
        await self.processes.stopAll()
        for node in self.nodes {
            let pidFile = (node.dataDirectory as NSString).appendingPathComponent("postmaster.pid")
            guard FileManager.default.fileExists(atPath: pidFile) else { continue }
            let pgctl = (self.binDirectory as NSString).appendingPathComponent("pg_ctl")
            let command = self.asPostgres + [pgctl, "stop", "-m", "immediate", "-D", node.dataDirectory]
            _ = try? await TestPostgres.blocking {
                try ChildProcess.run(
                    command[0],
                    Array(command.dropFirst()),
                    environment: Toolbox.environment(),
                    logDirectory: self.scratch,
                    name: "pg_ctl-stop-\(node.name)",
                    timeout: .seconds(20)
                )
            }
        }
    }

    func logs() -> String { self.processes.logs() }

    // MARK: - Helpers

    func waitUntil(_ what: String, timeout: Duration, _ condition: @escaping @Sendable () throws -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while true {
            if try await TestPostgres.blocking(condition) { return }
            if ContinuousClock.now > deadline {
                throw ChildProcess.SpawnError(description: "no \(what) within \(timeout)")
            }
            try await Task.sleep(for: .milliseconds(200))
        }
    }

    private static func postgresBinDirectory() throws -> String {
        if let given = ProcessInfo.processInfo.environment["RAPPORT_PG_BINDIR"], !given.isEmpty { return given }
        let base = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: base)) ?? [])
            .compactMap(Int.init).sorted()
        guard let newest = versions.last else {
            throw Toolbox.Missing(description: "PostgreSQL is not installed (apt-get install -y postgresql)")
        }
        return "\(base)/\(newest)/bin"
    }
}

/// A minimal blocking HTTP/1.0 client for Patroni's REST API and etcd's health endpoint.
enum HTTP {
    struct Response {
        var status: Int
        var body: String
    }

    static func request(_ method: String, port: Int, path: String, body: String? = nil) throws -> Response {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw Toolbox.Missing(description: "socket() failed") }
        defer { close(descriptor) }
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw Toolbox.Missing(description: "cannot connect to 127.0.0.1:\(port)") }
        var text = "\(method) \(path) HTTP/1.0\r\nHost: 127.0.0.1\r\n"
        if let body { text += "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n" }
        text += "\r\n" + (body ?? "")
        let bytes = Array(text.utf8)
        guard write(descriptor, bytes, bytes.count) == bytes.count else {
            throw Toolbox.Missing(description: "cannot write to 127.0.0.1:\(port)")
        }
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16384)
        while true {
            let count = read(descriptor, &buffer, buffer.count)
            if count <= 0 { break }
            answer.append(contentsOf: buffer[0..<count])
        }
        let response = String(decoding: answer, as: UTF8.self)
        let statusLine = response.prefix { $0 != "\r" && $0 != "\n" }
        let parts = statusLine.split(separator: " ")
        guard parts.count >= 2, let status = Int(parts[1]) else {
            throw Toolbox.Missing(description: "no HTTP answer from 127.0.0.1:\(port)\(path)")
        }
        let body = response.range(of: "\r\n\r\n").map { String(response[$0.upperBound...]) } ?? ""
        return Response(status: status, body: body)
    }
}
