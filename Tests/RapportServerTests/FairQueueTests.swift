import Testing

@testable import RapportServer

/// The hashing scheduler's ordering, step by step with an injected clock: no threads, no sleeps.
@Suite("Fair hashing queue")
struct FairQueueTests {
    typealias Queue = FairQueue<String>
    let now = ContinuousClock.now

    /// Admits and submits a job whose work is its label.
    func add(_ queue: inout Queue, _ address: String, _ user: String, _ label: String, gated: Bool = true) throws {
        let id = try queue.admit(address: address, user: user, gated: gated, now: self.now)
        queue.submit(id, address: address, work: label)
    }

    /// Runs and finishes jobs one at a time (one thread), returning their labels in order.
    func drain(
        _ queue: inout Queue,
        suspect: Set<String> = [],
        gate: (Queue.Job) -> ContinuousClock.Instant? = { _ in nil }
    ) -> [String] {
        var order: [String] = []
        while case .run(let job) = queue.next(
            now: self.now,
            notBefore: gate,
            rank: { suspect.contains($0.address) ? 2 : 0 }
        ) {
            order.append(job.work!)
            queue.finish(job)
        }
        return order
    }

    @Test func addressesAreServedRoundRobinNotInArrivalOrder() throws {
        var queue = Queue(limits: .init())
        for index in 0..<5 { try self.add(&queue, "attacker", "U\(index)", "a\(index)") }
        try self.add(&queue, "office", "ALICE", "alice")
        try self.add(&queue, "home", "BOB", "bob")
        #expect(self.drain(&queue) == ["a0", "alice", "bob", "a1", "a2", "a3", "a4"])
    }

    @Test func suspectAddressesWaitUntilNobodyElseIsReady() throws {
        var queue = Queue(limits: .init())
        for index in 0..<3 { try self.add(&queue, "attacker", "U\(index)", "a\(index)") }
        try self.add(&queue, "office", "ALICE", "alice")
        #expect(self.drain(&queue, suspect: ["attacker"]) == ["alice", "a0", "a1", "a2"])
    }

    @Test func theLastThreadIsKeptForCleanLogins() throws {
        var queue = Queue(limits: .init(), threads: 2)
        for index in 0..<3 { try self.add(&queue, "guesser\(index)", "ROOT\(index)", "g\(index)") }
        let failing: (Queue.Job) -> Int = { $0.address.hasPrefix("guesser") ? 1 : 0 }
        // Two threads free, only failing checks waiting: they get one thread, not both.
        guard case .run(let first) = queue.next(now: self.now, notBefore: { _ in nil }, rank: failing) else {
            Issue.record("a failing check should run on the first thread")
            return
        }
        #expect(queue.next(now: self.now, notBefore: { _ in nil }, rank: failing).isIdle)
        // A clean login takes the kept thread at once.
        try self.add(&queue, "office", "ALICE", "alice")
        guard case .run(let clean) = queue.next(now: self.now, notBefore: { _ in nil }, rank: failing) else {
            Issue.record("the clean login should run at once")
            return
        }
        #expect(clean.work == "alice")
        queue.finish(first)
        queue.finish(clean)
        #expect(self.drain(&queue).count == 2)
    }

    @Test func oneHashAtATimePerAddressAndPerUser() throws {
        var queue = Queue(limits: .init())
        try self.add(&queue, "attacker", "ROOT", "a1")
        try self.add(&queue, "attacker", "ADMIN", "a2")
        try self.add(&queue, "elsewhere", "ROOT", "e1")
        try self.add(&queue, "office", "ALICE", "alice")
        // Three threads free: the attacker gets one, ROOT from elsewhere waits for ROOT's hash.
        var running: [Queue.Job] = []
        while case .run(let job) = queue.next(now: self.now, notBefore: { _ in nil }, rank: { _ in 0 }) {
            running.append(job)
        }
        #expect(running.map { $0.work! } == ["a1", "alice"])
        queue.finish(running[0])
        #expect(self.drain(&queue) == ["e1", "a2"])
    }

    @Test func aColleagueBehindTheSameAddressGoesBeforeTheUserServedLast() throws {
        var limits = HashQueueLimits()
        limits.queuedPerAddressAndUser = 2
        var queue = Queue(limits: limits)
        try self.add(&queue, "nat", "ROOT", "r1")
        try self.add(&queue, "nat", "ROOT", "r2")
        try self.add(&queue, "nat", "BOB", "bob")
        #expect(self.drain(&queue) == ["r1", "bob", "r2"])
    }

    @Test func gatedJobsWaitForTheirInstantOthersPassThem() throws {
        var queue = Queue(limits: .init())
        try self.add(&queue, "nat", "ROOT", "root")
        try self.add(&queue, "nat", "BOB", "bob")
        try self.add(&queue, "nat", "NEW", "hash", gated: false)
        let opens = self.now + .milliseconds(250)
        let gate: (Queue.Job) -> ContinuousClock.Instant? = { $0.user == "BOB" ? nil : opens }
        #expect(self.drain(&queue, gate: gate) == ["bob", "hash"])
        guard case .wait(let until) = queue.next(now: self.now, notBefore: gate, rank: { _ in 0 }) else {
            Issue.record("expected a wait")
            return
        }
        #expect(until == opens)
        guard case .run(let job) = queue.next(now: opens, notBefore: gate, rank: { _ in 0 }) else {
            Issue.record("expected the gated job")
            return
        }
        #expect(job.work == "root")
    }

    @Test func queuesAreBoundedPerAddressAndUserPerAddressAndOverall() throws {
        var limits = HashQueueLimits()
        limits.queuedPerAddressAndUser = 2
        limits.queuedPerAddress = 3
        limits.queued = 4
        var queue = Queue(limits: limits)
        try self.add(&queue, "a", "ROOT", "1")
        try self.add(&queue, "a", "ROOT", "2")
        #expect(throws: Queue.Refusal.addressAndUser) { try self.add(&queue, "a", "ROOT", "3") }
        try self.add(&queue, "a", "BOB", "3")
        #expect(throws: Queue.Refusal.address) { try self.add(&queue, "a", "CAROL", "4") }
        try self.add(&queue, "b", "DAVE", "4")
        #expect(throws: Queue.Refusal.everyone) { try self.add(&queue, "c", "ERIN", "5") }
        // Reserved and withdrawn: the place is free again.
        #expect(queue.queuedCount == 4)
        _ = self.drain(&queue)
        let id = try queue.admit(address: "c", user: "ERIN", gated: true, now: self.now)
        #expect(queue.next(now: self.now, notBefore: { _ in nil }, rank: { _ in 0 }).isIdle)
        queue.withdraw(id, address: "c")
        #expect(queue.queuedCount == 0)
    }
}

extension FairQueue.Decision {
    var isIdle: Bool {
        if case .idle = self { return true }
        return false
    }
}
