import NIOCore
import RapportStore

/// Every setting of the protocol server, with its default.
public struct ServerConfiguration: Sendable {
    public var host: String = "127.0.0.1"
    public var port: Int = 7878
    /// Connections above this are greeted with `BYE` and closed.
    public var maximumConnections: Int = 4096
    public var maximumLineLength: Int = 8192
    public var maximumPayloadLength: Int = 16 * 1024 * 1024
    public var idleTimeout: TimeAmount = .minutes(5)
    public var loginTimeout: TimeAmount = .seconds(30)
    /// How long an unfinished request line (or payload) may take to arrive.
    public var partialRequestTimeout: TimeAmount = .seconds(10)
    /// How long one command may run (from its dispatch to its final line being ready); past it the
    /// command is cancelled (its statement too, its transaction rolls back) and answered
    /// `ERR TIMEOUT`. nil = no deadline. The default leaves a wide margin over the longest
    /// legitimate commands (an 8 MiB `CONTACT-IMPORT` part, a 100,000-line `LOG-SEGMENT`: seconds).
    public var commandTimeout: TimeAmount? = .seconds(60)
    /// Socket peers (IP addresses) that are load balancers: they must send a PROXY header, nobody else may.
    public var trustedProxies: Set<String> = []
    /// After SIGTERM: how long HEALTH fails while new work is still served, so balancers notice first.
    public var drainDelay: Duration = .seconds(5)
    /// After the drain delay: how long sessions get to finish their current reply before the process exits.
    public var shutdownGrace: Duration = .seconds(20)
    /// Port of the HTTP endpoint for `/metrics` and `/health`; nil = no endpoint.
    public var metricsPort: Int?
    public var metricsHost: String = "127.0.0.1"
    /// Threads that compute password hashes (scrypt): one per core by default, so logins use the
    /// whole machine but never the event loops.
    public var hashThreads: Int = max(1, System.coreCount)
    /// How many hashes one client address and one user may have running and waiting (beyond:
    /// `ERR BUSY` at once). See `FairQueue`.
    public var hashQueueLimits = HashQueueLimits()
    /// Group commit of the short write commands (INTERACTION-CREATE, POSTPONED-RESUME, DOCUMENT-LOG,
    /// LOG-CANCEL, …): batches in flight, commands per batch, wait for company.
    public var groupCommit = GroupCommit.Configuration()
    /// How long a session ticket (`LOGIN … issue-ticket=true`) logs its user in again without the
    /// password: a working day by default, so a drain or failover during the day costs no password.
    public var ticketLifetime: Duration = .seconds(10 * 3600)

    /// The delivery worker of this process (Sources/RapportServer/Delivery); nil = none here: the queue is
    /// left to other replicas or to DELIVERY-CLAIM clients, and logging does not check the relay.
    /// `rapportd serve` turns it on unless `--no-delivery-worker`.
    public var delivery: DeliveryConfiguration?

    public init() {}
}

/// Bounds of the fair hashing queue.
public struct HashQueueLimits: Sendable, Equatable {
    /// Hashes running at once for one client address (all users behind one NAT share these).
    public var runningPerAddress = 1
    /// Hashes running at once for one user name (from all addresses).
    public var runningPerUser = 1
    /// A few, not one: a client that opens several sessions for one user at once (a reconnect
    /// after a restart) must not be refused; guesses stay bounded by `runningPerUser` and the gates.
    public var queuedPerAddressAndUser = 8
    public var queuedPerAddress = 16
    public var queued = 1024

    public init() {}
}
