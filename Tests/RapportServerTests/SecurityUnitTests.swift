import Testing

@testable import RapportServer

@Suite("Password hashes and login throttle")
struct SecurityUnitTests {
    @Test func hashesAreSaltedAndVerify() async throws {
        let hasher = PasswordHasher(parameters: .init(logRounds: 4))
        let first = try await hasher.hash("correct horse")
        let second = try await hasher.hash("correct horse")
        #expect(first.hasPrefix("$scrypt$ln=4,r=8,p=1$"))
        #expect(first != second, "each hash has its own salt")
        #expect(!first.contains("correct horse"))
        #expect(await hasher.verify("correct horse", against: first))
        #expect(await !hasher.verify("correct horsE", against: first))
        #expect(await !hasher.verify("correct horse", against: nil))
        #expect(await !hasher.verify("x", against: "$scrypt$garbage"))
        await hasher.shutdown()
    }

    @Test func defaultParametersAreTheSlowOnes() {
        #expect(PasswordHasher.Parameters() == .init(logRounds: 15, blockSize: 8, parallelism: 1))
    }

    @Test func delayDoublesAfterTheFreeAttemptsUpToTheCap() {
        let policy = LoginThrottle.Policy()
        let delays = (0...10).map { LoginThrottle.delay(afterFailures: $0, policy: policy, cap: .seconds(8)) }
        #expect(delays[0..<3].allSatisfy { $0 == .zero })
        #expect(delays[3] == .milliseconds(250))
        #expect(delays[4] == .milliseconds(500))
        #expect(delays[8] == .seconds(8))
        #expect(delays[10] == .seconds(8))
        #expect(LoginThrottle.delay(afterFailures: 1000, policy: policy, cap: .seconds(2)) == .seconds(2))
    }

    @Test func addressIgnoresThePort() {
        #expect(LoginThrottle.address(of: "10.0.0.1:5000") == "10.0.0.1")
        #expect(LoginThrottle.address(of: "[2001:db8::1]:5000") == "[2001:db8::1]")
        #expect(LoginThrottle.address(of: "unknown") == "unknown")
    }

    @Test func pairAndUserAreDelayedButNotTheAddressesOtherUsers() {
        let throttle = LoginThrottle()
        let now = ContinuousClock.now
        for _ in 0..<3 { throttle.recordFailure(address: "10.0.0.1", user: "alice", now: now) }
        let later = now + .seconds(1)
        #expect(
            throttle.earliestStart(address: "10.0.0.1", user: "ALICE", arrived: later, now: later)
                == later + .milliseconds(250),
            "the pair: from its arrival"
        )
        #expect(
            throttle.earliestStart(address: "10.0.0.2", user: "alice", arrived: later, now: later)
                == later + .milliseconds(250),
            "the user, from another address"
        )
        #expect(
            throttle.earliestStart(address: "10.0.0.1", user: "bob", arrived: later, now: later) == later,
            "a colleague behind the same address"
        )
        // A check queued before the last failure waits from that failure, not from its arrival.
        #expect(
            throttle.earliestStart(address: "10.0.0.1", user: "alice", arrived: now - .seconds(5), now: now)
                == now + .milliseconds(250)
        )
        for _ in 0..<20 { throttle.recordFailure(address: "10.0.0.3", user: "alice", now: now) }
        #expect(
            throttle.earliestStart(address: "10.0.0.9", user: "alice", arrived: now, now: now) == now + .seconds(2),
            "the user's cap"
        )
        #expect(
            throttle.earliestStart(address: "10.0.0.3", user: "alice", arrived: now, now: now) == now + .seconds(8),
            "the pair's cap"
        )
        #expect(
            throttle.earliestStart(address: "10.0.0.3", user: "alice", arrived: now, now: now + .seconds(901))
                == now,
            "forgotten after the window"
        )
        for _ in 0..<20 { throttle.recordFailure(address: "10.0.0.4", user: "carol", now: now) }
        throttle.recordSuccess(address: "10.0.0.4", user: "carol")
        #expect(throttle.earliestStart(address: "10.0.0.4", user: "carol", arrived: now, now: now) == now)
    }

    @Test func aSuspectAddressIsRateLimitedNotDelayed() {
        let throttle = LoginThrottle()
        let now = ContinuousClock.now
        let users = (0..<10).map { "user\($0)" }
        for user in users { throttle.recordFailure(address: "10.0.0.1", user: user, now: now) }
        #expect(throttle.isSuspect(address: "10.0.0.1", now: now))
        throttle.recordFailure(address: "10.0.0.5", user: "x", now: now)
        #expect(
            ["10.0.0.2", "10.0.0.5", "10.0.0.1"].map { throttle.rank(address: $0, user: "x", now: now) } == [0, 2, 3],
            "clean addresses are served first, suspect ones last"
        )
        // A colleague behind 10.0.0.5 whose own logins have not failed comes before the guesses.
        #expect(throttle.rank(address: "10.0.0.5", user: "colleague", now: now) == 1)
        #expect(throttle.rank(address: "10.0.0.2", user: "x", now: now) == 0, "the user's failures elsewhere")
        #expect(!throttle.isSuspect(address: "10.0.0.2", now: now))
        let start = now + .seconds(10)
        #expect(
            throttle.earliestStart(address: "10.0.0.1", user: "bob", arrived: start, now: start) == start,
            "no attempt started yet: no wait"
        )
        throttle.recordAttempt(address: "10.0.0.1", now: start)
        #expect(
            throttle.earliestStart(address: "10.0.0.1", user: "bob", arrived: start, now: start)
                == start + .milliseconds(250),
            "at most one check per interval from the address, whoever it is for"
        )
        // Addresses without failures are not remembered at all.
        throttle.recordAttempt(address: "10.0.0.2", now: start)
        #expect(throttle.earliestStart(address: "10.0.0.2", user: "bob", arrived: start, now: start) == start)
        #expect(!throttle.isSuspect(address: "10.0.0.1", now: now + .seconds(901)), "forgotten after the window")
    }

    @Test func madeUpUserNamesDoNotGrowMemoryWithoutBound() {
        var policy = LoginThrottle.Policy()
        policy.maximumRecords = 100
        let throttle = LoginThrottle(policy: policy)
        let now = ContinuousClock.now
        for index in 0..<1000 {
            throttle.recordFailure(address: "10.0.0.1", user: "made-up-\(index)", now: now + .milliseconds(index))
        }
        #expect(throttle.recordCount <= 100)
        #expect(throttle.isSuspect(address: "10.0.0.1", now: now + .seconds(1)), "the address is recent")
    }
}
