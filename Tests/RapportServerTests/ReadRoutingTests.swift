import RapportProtocol
import Testing

@testable import RapportServer

/// Read routing to a hot standby (issue 16): which commands may go there, and the read-your-writes
/// rule. The routing through real servers is tested in Tests/HATests (Patroni).
@Suite struct ReadRoutingTests {
    @Test func standbyCommandsExistAndOnlyRead() {
        let routed = CommandSpecs.all.filter { ReadRouting.servedByStandby($0.name) }
        #expect(routed.count >= 30, "lists, shows and statistics: \(routed.map(\.name))")
        for verb in ReadRouting.otherReads {
            #expect(CommandSpecs.all.contains { $0.name == verb }, "\(verb) is not a command")
        }
        for spec in routed {
            // `idem=` marks a write: none of these may take one.
            #expect(spec.argument(named: "idem") == nil, "\(spec.name) takes idem= but is routed to the standby")
        }
        for verb in ["INTERACTION-CREATE", "LOGIN", "LOG-CANCEL", "CONTACT-ADD", "DELIVERY-CLAIM", "LOG-EVALUATE"] {
            #expect(!ReadRouting.servedByStandby(verb), "\(verb)")
        }
    }

    @Test func noSampleYetMeansThePrimary() {
        let tracker = ReadRouting.Tracker()
        #expect(!tracker.useStandby(lastWrite: nil, now: .now, maximumLag: .seconds(5)))
    }

    @Test func aWriteIsReadOnTheStandbyOnlyOnceAPrimarySampleTakenAfterItIsReplayed() {
        let start = ContinuousClock.now
        var tracker = ReadRouting.Tracker()
        tracker.primary(100, startedAt: start)
        tracker.standby(100)
        let write = start + .milliseconds(50)
        #expect(tracker.useStandby(lastWrite: nil, now: start + .milliseconds(60), maximumLag: .seconds(5)))
        // Caught up only through a sample taken before the write: the session reads from the primary.
        #expect(!tracker.useStandby(lastWrite: write, now: start + .milliseconds(60), maximumLag: .seconds(5)))
        // A later sample (position 180, which holds the write's commit) not replayed yet: still the primary.
        tracker.primary(180, startedAt: start + .milliseconds(100))
        tracker.standby(150)
        #expect(!tracker.useStandby(lastWrite: write, now: start + .milliseconds(110), maximumLag: .seconds(5)))
        tracker.standby(180)
        #expect(tracker.useStandby(lastWrite: write, now: start + .milliseconds(120), maximumLag: .seconds(5)))
    }

    @Test func aStandbyBehindTheBoundSendsEveryReadToThePrimary() {
        let start = ContinuousClock.now
        var tracker = ReadRouting.Tracker()
        tracker.primary(100, startedAt: start)
        tracker.standby(100)
        // Replay stopped (or the standby is down): newer primary positions are never reached.
        tracker.primary(200, startedAt: start + .seconds(1))
        tracker.standby(100)
        #expect(tracker.useStandby(lastWrite: nil, now: start + .seconds(1), maximumLag: .seconds(2)))
        #expect(!tracker.useStandby(lastWrite: nil, now: start + .seconds(3), maximumLag: .seconds(2)))
    }

    @Test func aServerThatIsNotInRecoverySeesEverything() {
        let start = ContinuousClock.now
        var tracker = ReadRouting.Tracker()
        tracker.primary(500, startedAt: start)
        tracker.standby(nil)
        #expect(tracker.useStandby(lastWrite: start - .milliseconds(1), now: start, maximumLag: .seconds(1)))
    }
}
