import RapportClient
import Synchronization
import Testing

@Suite struct ProgressBarTests {
    /// Collects what a bar writes.
    private final class Capture: Sendable {
        let text = Mutex("")

        func output(isTerminal: Bool) -> ProgressBar.Output {
            ProgressBar.Output(isTerminal: isTerminal) { written in self.text.withLock { $0 += written } }
        }
    }

    @Test(arguments: [
        (0, "[..........] 0% 0/1000000"),
        (520_000, "[#####.....] 52% 520000/1000000"),
        (999_999, "[#########.] 99% 999999/1000000"),
        (1_000_000, "[##########] 100% 1000000/1000000"),
        (2_000_000, "[##########] 100% 1000000/1000000"),
        (-5, "[..........] 0% 0/1000000"),
    ])
    func renders(completed: Int, expected: String) {
        let bar = ProgressBar(total: 1_000_000, width: 10, output: Capture().output(isTerminal: true))
        #expect(bar.render(completed: completed) == expected)
    }

    @Test func rendersAnEmptyJobAsDone() {
        let bar = ProgressBar(total: 0, width: 4, output: Capture().output(isTerminal: true))
        #expect(bar.render(completed: 0) == "[####] 100% 0/0")
    }

    @Test func redrawsInPlaceOnlyWhenTheTextChanges() {
        let capture = Capture()
        var bar = ProgressBar(total: 200, width: 4, output: capture.output(isTerminal: true))
        bar.update(completed: 0)
        bar.update(completed: 0)
        bar.update(completed: 100)
        bar.update(completed: 200)
        bar.finish()
        let expected = "\r[....] 0% 0/200" + "\r[##..] 50% 100/200" + "\r[####] 100% 200/200" + "\n"
        #expect(capture.text.withLock { $0 } == expected)
    }

    @Test func staysSilentWhenNotATerminal() {
        let capture = Capture()
        var bar = ProgressBar(total: 10, output: capture.output(isTerminal: false))
        bar.update(completed: 5)
        bar.finish()
        #expect(capture.text.withLock { $0 }.isEmpty)
    }
}

extension ProgressBarTests {
    /// A clock the test moves by hand.
    private final class ManualClock: Sendable {
        let now = Mutex(Duration.zero)
        var read: @Sendable () -> Duration { { self.now.withLock { $0 } } }
        func advance(_ by: Duration) { self.now.withLock { $0 += by } }
    }

    @Test func showsRowsRateAndTimeLeft() {
        let bar = ProgressBar(total: 1_000_000, width: 10, unit: "rows", output: Capture().output(isTerminal: true))
        #expect(bar.render(completed: 0, elapsed: .seconds(1)) == "[..........] 0% 0/1000000 rows")
        #expect(
            bar.render(completed: 250_000, elapsed: .seconds(5))
                == "[##........] 25% 250000/1000000 rows  50000 rows/s  15 s left"
        )
        #expect(
            bar.render(completed: 100_000, elapsed: .seconds(10))
                == "[#.........] 10% 100000/1000000 rows  10000 rows/s  1 min 30 s left"
        )
        #expect(
            bar.render(completed: 1_000_000, elapsed: .seconds(20))
                == "[##########] 100% 1000000/1000000 rows  50000 rows/s"
        )
        #expect(ProgressBar.duration(3725) == "1 h 02 min")
    }

    @Test func measuresTheRateFromWhenItWasMade() {
        let capture = Capture()
        let clock = ManualClock()
        clock.advance(.seconds(100))
        var bar = ProgressBar(
            total: 300,
            width: 3,
            unit: "rows",
            output: capture.output(isTerminal: true),
            clock: clock.read
        )
        bar.update(completed: 0)
        clock.advance(.seconds(2))
        bar.update(completed: 100)
        bar.finish()
        #expect(
            capture.text.withLock { $0 }
                == "\r[...] 0% 0/300 rows" + "\r[#..] 33% 100/300 rows  50 rows/s  4 s left" + "\n"
        )
    }
}
