import ArgumentParser
import Foundation
import NIOCore
import RapportServer
import RapportStore

/// Command-line options of `rapportd serve`, each also settable by an environment variable.
struct ServerOptions: ParsableArguments {
    @Option(help: "Address to listen on (RAPPORT_HOST; default 127.0.0.1).")
    var host: String?

    @Option(help: "Port to listen on; 0 picks a free one (RAPPORT_PORT; default 7878).")
    var port: Int?

    @Option(name: .customLong("pool-size"), help: "Database connections per replica (RAPPORT_POOL_SIZE; default 8).")
    var poolSize: Int?

    @Option(
        name: .customLong("max-connections"),
        help: "Client connections accepted at once (RAPPORT_MAX_CONNECTIONS; default 4096)."
    )
    var maximumConnections: Int?

    @Option(
        name: .customLong("idle-timeout"),
        help: "Seconds an idle session is kept (RAPPORT_IDLE_TIMEOUT; default 300)."
    )
    var idleTimeout: Int?

    @Option(
        name: .customLong("login-timeout"),
        help: "Seconds a new connection has to LOGIN (RAPPORT_LOGIN_TIMEOUT; default 30)."
    )
    var loginTimeout: Int?

    @Option(
        name: .customLong("request-timeout"),
        help: "Seconds one request line (or literal) may take to arrive (RAPPORT_REQUEST_TIMEOUT; default 10)."
    )
    var requestTimeout: Int?

    @Option(
        name: .customLong("command-timeout"),
        help:
            "Seconds one command may run before it is cancelled and answered ERR TIMEOUT; 0 = no limit (RAPPORT_COMMAND_TIMEOUT; default 60)."
    )
    var commandTimeout: Int?

    @Option(
        name: .customLong("trusted-proxy"),
        help:
            "IP address of a load balancer that sends the PROXY protocol header; repeatable (RAPPORT_TRUSTED_PROXIES, comma-separated; default none)."
    )
    var trustedProxies: [String] = []

    @Option(
        name: .customLong("drain-delay"),
        help: "Seconds HEALTH fails before the listener closes on SIGTERM (RAPPORT_DRAIN_DELAY; default 5)."
    )
    var drainDelay: Int?

    @Option(
        name: .customLong("metrics-port"),
        help: "Port of the HTTP /metrics and /health endpoint (RAPPORT_METRICS_PORT); off by default."
    )
    var metricsPort: Int?

    @Option(
        name: .customLong("hash-threads"),
        help: "Threads computing password hashes; default one per core (RAPPORT_HASH_THREADS)."
    )
    var hashThreads: Int?

    @Option(
        name: .customLong("ticket-lifetime"),
        help: "Seconds a session ticket stays valid (RAPPORT_TICKET_LIFETIME; default 36000, 10 hours)."
    )
    var ticketLifetime: Int?

    @Option(
        name: .customLong("group-commit-lanes"),
        help:
            "Batches of short writes committed at once, each on its own database connection; below the pool size (RAPPORT_GROUP_COMMIT_LANES; default 2)."
    )
    var groupCommitLanes: Int?

    @Option(
        name: .customLong("group-commit-batch"),
        help: "Most write commands committed together in one batch, 1 to 60 (RAPPORT_GROUP_COMMIT_BATCH; default 32)."
    )
    var groupCommitBatch: Int?

    @Option(
        name: .customLong("group-commit-wait"),
        help:
            "Microseconds a batch may wait for more commands while another batch commits; 0 starts at once (RAPPORT_GROUP_COMMIT_WAIT; default 0)."
    )
    var groupCommitWait: Int?

    func configuration(environment: [String: String] = ProcessInfo.processInfo.environment) throws
        -> ServerConfiguration
    {
        func setting(_ option: Int?, _ name: String) throws -> Int? {
            if let option { return option }
            guard let text = environment[name], !text.isEmpty else { return nil }
            guard let value = Int(text) else { throw ValidationError("\(name) must be a whole number, not \(text)") }
            return value
        }
        var configuration = ServerConfiguration()
        configuration.host = self.host ?? environment["RAPPORT_HOST"] ?? configuration.host
        configuration.port = try setting(self.port, "RAPPORT_PORT") ?? configuration.port
        configuration.maximumConnections =
            try setting(self.maximumConnections, "RAPPORT_MAX_CONNECTIONS") ?? configuration.maximumConnections
        if let seconds = try setting(self.idleTimeout, "RAPPORT_IDLE_TIMEOUT") {
            configuration.idleTimeout = .seconds(Int64(seconds))
        }
        if let seconds = try setting(self.loginTimeout, "RAPPORT_LOGIN_TIMEOUT") {
            configuration.loginTimeout = .seconds(Int64(seconds))
        }
        if let seconds = try setting(self.requestTimeout, "RAPPORT_REQUEST_TIMEOUT") {
            guard seconds > 0 else { throw ValidationError("the request timeout must be at least 1 second") }
            configuration.partialRequestTimeout = .seconds(Int64(seconds))
        }
        if let seconds = try setting(self.commandTimeout, "RAPPORT_COMMAND_TIMEOUT") {
            guard seconds >= 0 else { throw ValidationError("the command timeout must be 0 (none) or more seconds") }
            configuration.commandTimeout = seconds == 0 ? nil : .seconds(Int64(seconds))
        }
        if let seconds = try setting(self.drainDelay, "RAPPORT_DRAIN_DELAY") {
            configuration.drainDelay = .seconds(seconds)
        }
        configuration.metricsPort = try setting(self.metricsPort, "RAPPORT_METRICS_PORT")
        if let threads = try setting(self.hashThreads, "RAPPORT_HASH_THREADS") {
            guard threads > 0 else { throw ValidationError("the hash threads need to be at least 1") }
            configuration.hashThreads = threads
        }
        if let seconds = try setting(self.ticketLifetime, "RAPPORT_TICKET_LIFETIME") {
            guard seconds > 0 else { throw ValidationError("the ticket lifetime must be at least 1 second") }
            configuration.ticketLifetime = .seconds(seconds)
        }
        var groupCommit = configuration.groupCommit
        if let lanes = try setting(self.groupCommitLanes, "RAPPORT_GROUP_COMMIT_LANES") {
            guard lanes > 0 else { throw ValidationError("the group commit lanes need to be at least 1") }
            groupCommit.lanes = lanes
        }
        if let batch = try setting(self.groupCommitBatch, "RAPPORT_GROUP_COMMIT_BATCH") {
            guard (1...60).contains(batch) else { throw ValidationError("the group commit batch must be 1 to 60") }
            groupCommit.maximumBatch = batch
        }
        if let wait = try setting(self.groupCommitWait, "RAPPORT_GROUP_COMMIT_WAIT") {
            guard (0...100_000).contains(wait) else {
                throw ValidationError("the group commit wait must be 0 to 100000 microseconds")
            }
            groupCommit.maximumWait = .microseconds(wait)
        }
        configuration.groupCommit = groupCommit
        var proxies = self.trustedProxies
        if proxies.isEmpty, let list = environment["RAPPORT_TRUSTED_PROXIES"] {
            proxies = list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        }
        configuration.trustedProxies = Set(proxies.filter { !$0.isEmpty })
        return configuration
    }

    func poolSize(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Int {
        if let size = self.poolSize ?? environment["RAPPORT_POOL_SIZE"].flatMap(Int.init) {
            guard size > 0 else { throw ValidationError("the pool size must be at least 1") }
            return size
        }
        return 8
    }
}
