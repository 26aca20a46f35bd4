import RapportServer
import Testing

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

    @Test func throttleDelaysAfterFreeAttemptsPerClientAndPerUser() {
        let throttle = LoginThrottle()
        let now = ContinuousClock.now
        for _ in 0..<3 { throttle.recordFailure(client: "10.0.0.1:5000", user: "alice", now: now) }
        #expect(
            throttle.delay(client: "10.0.0.1:6000", user: "bob", now: now) == .milliseconds(250),
            "same address, other port"
        )
        #expect(
            throttle.delay(client: "10.0.0.2:1", user: "ALICE", now: now) == .milliseconds(250),
            "same user, other address"
        )
        #expect(throttle.delay(client: "10.0.0.2:1", user: "bob", now: now) == .zero)
        for _ in 0..<10 { throttle.recordFailure(client: "10.0.0.1:5000", user: "alice", now: now) }
        #expect(throttle.delay(client: "10.0.0.1:1", user: "x", now: now) == .seconds(8), "capped")
        #expect(
            throttle.delay(client: "10.0.0.1:1", user: "x", now: now + .seconds(901)) == .zero,
            "forgotten after the window"
        )
        throttle.recordSuccess(user: "alice")
        #expect(throttle.delay(client: "10.0.0.9:1", user: "alice", now: now) == .zero)
    }
}
