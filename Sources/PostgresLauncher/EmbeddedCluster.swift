import Foundation
import Logging

/// A private PostgreSQL cluster in a local folder: created on first use, started, stopped.
///
/// It listens only on a Unix socket inside its own folder (no TCP port), trusts connections on that
/// socket (the folder is private to the cluster's owner), and runs as the `postgres` system user
/// when the caller is root, because `initdb` and `postgres` refuse to run as root.
public final class EmbeddedCluster: Sendable {
    public struct Options: Sendable {
        /// The folder that holds the cluster: `data/` (PGDATA), `run/` (socket) and `postgres.log`.
        public var directory: String
        /// The port number only names the socket file (`.s.PGSQL.<port>`); nothing listens on TCP.
        public var port: Int
        /// The cluster's superuser (created by initdb).
        public var superuser: String
        /// Off for throw-away test clusters: no fsync, faster; never for real data.
        public var durable: Bool
        public var maxConnections: Int

        public init(
            directory: String,
            port: Int = 5432,
            superuser: String = "rapport",
            durable: Bool = true,
            maxConnections: Int = 100
        ) {
            self.directory = directory
            self.port = port
            self.superuser = superuser
            self.durable = durable
            self.maxConnections = maxConnections
        }
    }

    public enum LaunchError: Error, CustomStringConvertible {
        case missingSystemUser(String)
        case inaccessibleDirectory(String, user: String)

        public var description: String {
            switch self {
            case .missingSystemUser(let user):
                return
                    "the \(user) system user does not exist; it comes with the postgresql package (apt-get install -y postgresql)"
            case .inaccessibleDirectory(let path, let user):
                return
                    "the \(user) system user cannot reach \(path); choose a data folder it can enter (e.g. --data-dir /var/lib/rapport)"
            }
        }
    }

    public let options: Options
    public let installation: PostgresInstallation
    /// The system user the server runs as (nil: the current user).
    public let runAsUser: String?
    private let logger: Logger

    public var dataDirectory: String { (self.options.directory as NSString).appendingPathComponent("data") }
    public var socketDirectory: String { (self.options.directory as NSString).appendingPathComponent("run") }
    public var logFile: String { (self.options.directory as NSString).appendingPathComponent("postgres.log") }

    /// libpq keyword/value pairs that reach this cluster.
    public func connectionParameters(database: String) -> [String: String] {
        [
            "host": self.socketDirectory, "port": String(self.options.port), "user": self.options.superuser,
            "dbname": database,
        ]
    }

    public init(
        options: Options,
        installation: PostgresInstallation,
        logger: Logger = Logger(label: "rapport.embedded-postgres")
    ) throws {
        self.options = options
        self.installation = installation
        self.logger = logger
        self.runAsUser = geteuid() == 0 ? "postgres" : nil
    }

    /// Creates the cluster when its folder has none, then starts it and waits until it accepts
    /// connections. Returns false when the cluster was already running (another rapportd on the same
    /// folder, or one killed before it could stop it): it is used as it is, and the caller must
    /// not stop it.
    @discardableResult
    public func start() throws -> Bool {
        try self.prepareDirectories()
        let versionFile = (self.dataDirectory as NSString).appendingPathComponent("PG_VERSION")
        if !FileManager.default.fileExists(atPath: versionFile) {
            self.logger.info("creating a private PostgreSQL cluster", metadata: ["directory": "\(self.dataDirectory)"])
            try ProcessRunner.run(
                self.installation.program("initdb"),
                [
                    "-D", self.dataDirectory, "-U", self.options.superuser, "-A", "trust", "-E", "UTF8",
                    "--locale=C.UTF-8",
                ],
                asUser: self.runAsUser
            )
        }
        let status = try ProcessRunner.runAllowingFailure(
            self.installation.program("pg_ctl"),
            ["status", "-D", self.dataDirectory],
            asUser: self.runAsUser
        )
        if status.status == 0 {
            self.logger.info(
                "using the private PostgreSQL cluster that is already running",
                metadata: ["directory": "\(self.dataDirectory)"]
            )
            return false
        }
        var settings = [
            "-k", self.socketDirectory, "-p", String(self.options.port),
            "-c", "listen_addresses=", "-c", "max_connections=\(self.options.maxConnections)",
        ]
        if !self.options.durable {
            settings += ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]
        }
        try ProcessRunner.run(
            self.installation.program("pg_ctl"),
            [
                "start", "-w", "-t", "60", "-D", self.dataDirectory, "-l", self.logFile, "-o",
                settings.map(Self.shellQuote).joined(separator: " "),
            ],
            asUser: self.runAsUser
        )
        self.logger.info("private PostgreSQL cluster started", metadata: ["socket": "\(self.socketDirectory)"])
        return true
    }

    /// Stops the cluster (fast shutdown: sessions are disconnected, data is flushed).
    public func stop() throws {
        let status = try ProcessRunner.runAllowingFailure(
            self.installation.program("pg_ctl"),
            ["status", "-D", self.dataDirectory],
            asUser: self.runAsUser
        )
        guard status.status == 0 else { return }  // already stopped (or never started)
        try ProcessRunner.run(
            self.installation.program("pg_ctl"),
            ["stop", "-w", "-m", "fast", "-D", self.dataDirectory],
            asUser: self.runAsUser
        )
        self.logger.info("private PostgreSQL cluster stopped")
    }

    private func prepareDirectories() throws {
        let fileManager = FileManager.default
        try fileManager.createDirectory(atPath: self.options.directory, withIntermediateDirectories: true)
        try fileManager.createDirectory(atPath: self.socketDirectory, withIntermediateDirectories: true)
        let socketPath = (self.socketDirectory as NSString).appendingPathComponent(".s.PGSQL.\(self.options.port)")
        if socketPath.utf8.count > 100 {
            throw LaunchError.inaccessibleDirectory(
                "\(self.socketDirectory) (its socket path is longer than Unix allows)",
                user: self.runAsUser ?? NSUserName()
            )
        }
        guard let user = self.runAsUser else {
            try fileManager.setAttributes([.posixPermissions: 0o700], ofItemAtPath: self.options.directory)
            return
        }
        guard getpwnam(user) != nil else { throw LaunchError.missingSystemUser(user) }
        for path in [self.options.directory, self.socketDirectory] {
            try fileManager.setAttributes([.ownerAccountName: user, .posixPermissions: 0o700], ofItemAtPath: path)
        }
        let probe = try ProcessRunner.runAllowingFailure(
            "test",
            ["-w", self.options.directory, "-a", "-x", self.options.directory],
            asUser: user
        )
        guard probe.status == 0 else { throw LaunchError.inaccessibleDirectory(self.options.directory, user: user) }
    }

    private static func shellQuote(_ value: String) -> String {
        "'" + value.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
