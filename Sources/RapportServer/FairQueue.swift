/// The order in which password hashes run: the pure part of the hashing scheduler (no threads, no
/// clock of its own), so that its decisions can be tested step by step.
///
/// Why: scrypt costs a core for a tenth of a second or more on purpose, so hashing capacity is
/// small, and whoever can queue the most hashes would otherwise decide everyone's waiting time.
/// Here each client address gets its own lane:
/// - jobs are served by rank (the throttle's `rank`), lanes round-robin within a rank: checks from
///   addresses without recent failures first, then a colleague behind a guesser's NAT, then the
///   guesses, then suspect addresses, so an address with 64 queued guesses, or many such
///   addresses, delay another address's login by about the hash in progress;
/// - jobs ranked below the first may run on at most `demotedThreads` threads (one less than the
///   hashing threads): the last thread is kept for clean logins, so a flood of failing checks
///   never makes a clean login wait for a thread;
/// - at most `runningPerAddress` hashes of one address and `runningPerUser` of one user name run at
///   once, so one address or one user can never occupy more than that many threads;
/// - within a lane, the user served least recently goes first (colleagues behind one NAT);
/// - queues are bounded per (address, user), per address and overall: beyond, `admit` refuses at
///   once (the caller answers `ERR BUSY`), so memory and waiting times stay bounded;
/// - a job may also be held back until an instant the caller's gate names (the throttle's delays).
struct FairQueue<Work> {
    typealias Limits = HashQueueLimits

    struct Job {
        let id: Int
        let address: String
        /// The user name the hash is for, as given (upper-cased by the caller).
        let user: String
        /// Whether the throttle's gate applies (password checks; not hashes of new passwords).
        let gated: Bool
        let arrived: ContinuousClock.Instant
        /// Nil while reserved: the job counts against the bounds but is not ready to run.
        var work: Work?
        /// Running on a thread that clean logins do not need (ranked below the first).
        var demoted = false
    }

    enum Refusal: Error, Equatable {
        case addressAndUser, address, everyone
    }

    enum Decision {
        case run(Job)
        /// Nothing can run before this instant (a gate), unless something finishes meanwhile.
        case wait(until: ContinuousClock.Instant)
        /// Nothing can run until something is submitted or finishes.
        case idle
    }

    private struct Lane {
        var jobs: [Job] = []
        var running = 0
        /// Users served last in this lane, most recent last (a few: enough to tell a newcomer).
        var served: [String] = []
    }

    static var rememberedUsersPerLane: Int { 16 }

    let limits: Limits
    /// How many threads jobs ranked below the first may occupy at once.
    let demotedThreads: Int
    private var runningDemoted = 0
    private var lanes: [String: Lane] = [:]
    /// Addresses with a lane, in round-robin order: a lane goes to the back when it is served.
    private var order: [String] = []
    private var runningUsers: [String: Int] = [:]
    private(set) var queuedCount = 0
    private var nextID = 0

    init(limits: Limits, threads: Int = 2) {
        self.limits = limits
        self.demotedThreads = max(1, threads - 1)
    }

    /// Takes a place in the queue (counted against the bounds) before the work is known, so a
    /// refused attempt costs nothing, not even the database lookup of the stored hash.
    /// `exempt`: a user who has not failed from an address that has (a NAT colleague) is not
    /// refused because the guessers filled the address's queue (still one per user, and the
    /// overall bound).
    mutating func admit(
        address: String,
        user: String,
        gated: Bool,
        exempt: Bool = false,
        now: ContinuousClock.Instant
    ) throws(Refusal) -> Int {
        guard self.queuedCount < self.limits.queued else { throw .everyone }
        let lane = self.lanes[address] ?? Lane()
        guard exempt || lane.jobs.count < self.limits.queuedPerAddress else { throw .address }
        guard lane.jobs.filter({ $0.user == user }).count < self.limits.queuedPerAddressAndUser else {
            throw .addressAndUser
        }
        self.nextID += 1
        if self.lanes[address] == nil { self.order.append(address) }
        self.lanes[address, default: Lane()].jobs.append(
            Job(id: self.nextID, address: address, user: user, gated: gated, arrived: now, work: nil)
        )
        self.queuedCount += 1
        return self.nextID
    }

    /// Makes an admitted job ready to run.
    mutating func submit(_ id: Int, address: String, work: Work) {
        guard let index = self.lanes[address]?.jobs.firstIndex(where: { $0.id == id }) else { return }
        self.lanes[address]!.jobs[index].work = work
    }

    /// Takes an admitted job out without running it (the request failed before its hash).
    mutating func withdraw(_ id: Int, address: String) {
        guard let index = self.lanes[address]?.jobs.firstIndex(where: { $0.id == id }) else { return }
        self.lanes[address]!.jobs.remove(at: index)
        self.queuedCount -= 1
        self.dropLaneIfUnused(address)
    }

    /// The next job to run, marked running; `notBefore` is the throttle's gate for a gated job,
    /// `rank` a job's rank (0 first): a job is served only when no job of a lower rank is ready.
    mutating func next(
        now: ContinuousClock.Instant,
        notBefore: (Job) -> ContinuousClock.Instant?,
        rank: (Job) -> Int
    ) -> Decision {
        var earliest: ContinuousClock.Instant?
        var ranks: [Int: Int] = [:]
        for lane in self.lanes.values {
            for job in lane.jobs where job.work != nil { ranks[job.id] = rank(job) }
        }
        for pass in Set(ranks.values).sorted() {
            if pass > 0, self.runningDemoted >= self.demotedThreads { break }
            for address in self.order {
                let lane = self.lanes[address]!
                guard lane.running < self.limits.runningPerAddress else { continue }
                // Within the lane, the user served least recently (never, best) goes first: a
                // colleague behind the attacker's NAT does not queue behind every guess.
                var best: (index: Int, served: Int)?
                for (index, job) in lane.jobs.enumerated() where job.work != nil && ranks[job.id] == pass {
                    guard self.runningUsers[job.user, default: 0] < self.limits.runningPerUser else { continue }
                    if job.gated, let gate = notBefore(job), gate > now {
                        earliest = min(earliest ?? gate, gate)
                        continue
                    }
                    let served = lane.served.lastIndex(of: job.user) ?? -1
                    if best == nil || served < best!.served { best = (index, served) }
                }
                guard let index = best?.index else { continue }
                var job = self.lanes[address]!.jobs.remove(at: index)
                job.demoted = pass > 0
                if job.demoted { self.runningDemoted += 1 }
                self.lanes[address]!.running += 1
                self.lanes[address]!.served.removeAll { $0 == job.user }
                self.lanes[address]!.served.append(job.user)
                if self.lanes[address]!.served.count > Self.rememberedUsersPerLane {
                    self.lanes[address]!.served.removeFirst()
                }
                self.runningUsers[job.user, default: 0] += 1
                self.queuedCount -= 1
                self.order.removeAll { $0 == address }
                self.order.append(address)
                return .run(job)
            }
        }
        return earliest.map { .wait(until: $0) } ?? .idle
    }

    /// Marks a job returned by `next` as done, freeing its address's and user's places.
    mutating func finish(_ job: Job) {
        self.lanes[job.address]?.running -= 1
        if job.demoted { self.runningDemoted -= 1 }
        self.runningUsers[job.user, default: 1] -= 1
        if self.runningUsers[job.user] == 0 { self.runningUsers[job.user] = nil }
        self.dropLaneIfUnused(job.address)
    }

    private mutating func dropLaneIfUnused(_ address: String) {
        guard let lane = self.lanes[address], lane.jobs.isEmpty, lane.running == 0 else { return }
        // A lane's round-robin position and last user are forgotten with it: nothing is waiting.
        self.lanes[address] = nil
        self.order.removeAll { $0 == address }
    }
}
