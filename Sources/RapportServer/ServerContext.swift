import Logging
import NIOConcurrencyHelpers
import RapportProtocol
import RapportStore

/// Everything the command handlers share: the store, password hashing, login throttling and the
/// server's readiness.
final class ServerContext: Sendable {
    let store: Store
    let hasher: PasswordHasher
    let throttle: LoginThrottle
    /// Where every password hash of the server runs (LOGIN, PASSWORD, USER-ADD, USER-PASSWD).
    let hashing: HashingThreads
    let metrics: ServerMetrics
    /// Where the short write commands are committed together.
    let groupCommit: GroupCommit
    /// How long a new session ticket is valid.
    let ticketLifetime: Duration
    private let draining: NIOLockedValueBox<Bool>
    /// True when this server's delivery worker has no SMTP relay: logging an e-mail with deliver=true is
    /// refused (issue 15).
    let emailRelayMissing: Bool

    /// Reads from a hot standby (`--read-database-url`); nil: every command uses the primary.
    let reads: ReadRouting?
    /// This context with the standby's store: what a read routed to the standby gets (nil without one).
    let standbyView: ServerContext?

    convenience init(
        store: Store,
        hasher: PasswordHasher,
        throttle: LoginThrottle,
        hashing: HashingThreads,
        metrics: ServerMetrics,
        groupCommit: GroupCommit.Configuration,
        reads: ReadRouting? = nil,
        ticketLifetime: Duration = .seconds(10 * 3600),
        emailRelayMissing: Bool = false
    ) {
        let commit = GroupCommit(pool: store.pool, configuration: groupCommit) { size in
            metrics.batchCommitted(size: size)
        }
        let draining = NIOLockedValueBox(false)
        reads?.attach(metrics.registry)
        let standbyView = reads.map { reads in
            ServerContext(
                store: reads.standby,
                hasher: hasher,
                throttle: throttle,
                hashing: hashing,
                metrics: metrics,
                groupCommit: commit,
                draining: draining,
                reads: nil,
                standbyView: nil,
                ticketLifetime: ticketLifetime,
                emailRelayMissing: emailRelayMissing
            )
        }
        self.init(
            store: store,
            hasher: hasher,
            throttle: throttle,
            hashing: hashing,
            metrics: metrics,
            groupCommit: commit,
            draining: draining,
            reads: reads,
            standbyView: standbyView,
            ticketLifetime: ticketLifetime,
            emailRelayMissing: emailRelayMissing
        )
    }

    private init(
        store: Store,
        hasher: PasswordHasher,
        throttle: LoginThrottle,
        hashing: HashingThreads,
        metrics: ServerMetrics,
        groupCommit: GroupCommit,
        draining: NIOLockedValueBox<Bool>,
        reads: ReadRouting?,
        standbyView: ServerContext?,
        ticketLifetime: Duration,
        emailRelayMissing: Bool
    ) {
        self.store = store
        self.ticketLifetime = ticketLifetime
        self.emailRelayMissing = emailRelayMissing
        self.groupCommit = groupCommit
        self.hasher = hasher
        self.throttle = throttle
        self.hashing = hashing
        self.metrics = metrics
        self.draining = draining
        self.reads = reads
        self.standbyView = standbyView
    }

    var isDraining: Bool { self.draining.withLockedValue { $0 } }

    func startDraining() {
        self.draining.withLockedValue { $0 = true }
    }

    /// A place in the hashing queue, or `ERR BUSY` at once when the address, the user or the
    /// server already has as many hashes waiting as it may (never an unbounded queue).
    func reserveHash(address: String, user: String, gated: Bool, _ invocation: Invocation) throws
        -> HashingThreads.Reservation
    {
        do {
            return try self.hashing.reserve(address: address, user: user.uppercased(), gated: gated)
        } catch {
            let what =
                switch error {
                case .addressAndUser: "too many attempts for this user are waiting from your address"
                case .address: "too many attempts are waiting from your address"
                case .everyone: "too many logins are waiting"
                }
            // Debug only: a flood would flood the log; the metric counts them (outcome BUSY).
            invocation.logger.debug("hash refused", metadata: ["user": "\(user)", "reason": "\(what)"])
            if invocation.request.verb.uppercased() == "LOGIN" { self.metrics.login(.password, .busy) }
            let seconds = self.hashing.estimatedWaitSeconds
            throw CommandError(
                .busy,
                "\(what); try again in \(seconds) s (retry-after=\(seconds)); a LOGIN with a ticket does not wait for hashing"
            )
        }
    }

    /// A hash of a new password (USER-ADD, USER-PASSWD), in the same fair queue as the checks.
    func hashNewPassword(_ password: String, user: String, _ invocation: Invocation) async throws -> String {
        let address = LoginThrottle.address(of: invocation.connection.clientAddress)
        let reservation = try self.reserveHash(address: address, user: user, gated: false, invocation)
        let hasher = self.hasher
        return try await self.hashing.run(reservation) { Result(catching: { try hasher.hashHere(password) }) }.get()
    }
}
