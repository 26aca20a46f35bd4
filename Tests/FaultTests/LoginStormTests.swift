import RapportModel
import RapportServer
import RapportTestSupport
import Testing

/// One attacker must not delay everyone's login (quality bar S7): password-guessing storms through
/// the real server over TCP, with hashes costly enough that hashing is the bottleneck and one
/// hashing thread, so that what is measured is the scheduling, not spare cores. Client addresses
/// come from PROXY headers (the server trusts 127.0.0.1 as a balancer).
/// `Tests/FaultTests/LoginStormFaultTests.swift` runs the same storms longer at full cost.
extension FaultSuite {
    @Suite("Login storms", .serialized)
    struct LoginStormTests {
        static let attacker = "203.0.113.7"
        /// Made-up and real user names the guessers cycle through (not ALICE or BOB).
        static let guessed = ["ADMIN", "ROOT", "CAROL", "TEST", "SALES", "GUEST", "OPS", "DAVE"]

        func start() async throws -> TestServer {
            let server = try await TestServer.start(
                configure: {
                    $0.trustedProxies = ["127.0.0.1"]
                    $0.hashThreads = 1
                },
                hashing: .init(logRounds: 12)
            )
            for user in ["ALICE", "BOB", "CAROL"] { try await server.createUser(user, role: .salesperson) }
            return server
        }

        @Test func sixtyFourGuessersFromOneAddressDelayNobodyElse() async throws {
            let server = try await self.start()
            let seconds = 3.0
            let ((alice, bob), tally) = try await LoginStorm.during(
                port: server.port,
                connections: 64,
                addresses: [Self.attacker],
                users: Self.guessed
            ) { storm in
                try await storm.untilEveryAddressFailed([Self.attacker])
                // A user from elsewhere, and a colleague behind the attacker's NAT with the right password.
                let alice = try await LoginStorm.timedLogin(
                    port: server.port,
                    from: "198.51.100.1",
                    user: "alice",
                    password: TestServer.defaultPassword
                )
                let bob = try await LoginStorm.timedLogin(
                    port: server.port,
                    from: Self.attacker,
                    user: "bob",
                    password: TestServer.defaultPassword
                )
                try await Task.sleep(for: .seconds(seconds - 1))
                return (alice, bob)
            }
            let elapsed = seconds + alice.seconds + bob.seconds
            print(
                "storm from one address: alice \(alice.seconds) s, bob (same NAT) \(bob.seconds) s,"
                    + " guesses checked \(tally.totalFailed) in \(elapsed) s, busy \(tally.totalBusy)"
            )
            #expect(alice.reply.hasPrefix("OK welcome ALICE"))
            #expect(alice.seconds < 1)
            #expect(bob.reply.hasPrefix("OK welcome BOB"))
            #expect(bob.seconds < 2)
            // The address's bound: its 10 free failures, then 4 guesses per second (plus one in flight).
            #expect(Double(tally.totalFailed) <= 11 + 4 * elapsed)
            #expect(tally.other.isEmpty)
            try await server.stop()
        }

        @Test func sixtyFourGuessersFromManyAddressesDelayNobodyElse() async throws {
            let server = try await self.start()
            let addresses = (1...16).map { "203.0.113.\($0)" }
            let (alice, tally) = try await LoginStorm.during(
                port: server.port,
                connections: 64,
                addresses: addresses,
                users: Self.guessed
            ) { storm in
                // Until every guessing address has failed once (16 hashes): then theirs rank behind.
                try await storm.untilEveryAddressFailed(addresses)
                return try await LoginStorm.timedLogin(
                    port: server.port,
                    from: "198.51.100.1",
                    user: "alice",
                    password: TestServer.defaultPassword
                )
            }
            print(
                "storm from 16 addresses: alice \(alice.seconds) s, guesses checked \(tally.totalFailed),"
                    + " busy \(tally.totalBusy)"
            )
            #expect(alice.reply.hasPrefix("OK welcome ALICE"))
            #expect(alice.seconds < 1)
            #expect(tally.other.isEmpty)
            try await server.stop()
        }
    }
}
