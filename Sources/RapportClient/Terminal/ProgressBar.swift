/// A one-line progress display for long operations:
/// `[#####.....] 52% 520000/1000000 rows  41250 rows/s  12 s left`.
///
/// ``update(completed:)`` redraws the line in place (carriage return, no line feed) when the output is a
/// terminal, and only when the text changes; ``finish()`` ends the line. On a pipe or file nothing is drawn, so
/// logs stay clean (the caller prints a plain summary instead). The rate is the average since the bar was
/// made (what was really done, not a guess), and the time left is what remains at that rate.
public struct ProgressBar: Sendable {
    /// Where the bar is drawn.
    public struct Output: Sendable {
        /// Whether to draw at all.
        public var isTerminal: Bool
        /// Writes text as is.
        public var write: @Sendable (String) -> Void

        /// Creates an output.
        public init(isTerminal: Bool, write: @escaping @Sendable (String) -> Void) {
            self.isTerminal = isTerminal
            self.write = write
        }

        /// Standard error, drawn only when it is a terminal.
        public static var standardError: Output {
            Output(isTerminal: StandardStream.error.isTerminal) { StandardStream.error.write($0) }
        }
    }

    /// The amount that means done.
    public let total: Int
    /// Number of cells between the brackets.
    public let width: Int
    /// What is counted (`rows`), shown after the counts and in the rate; nil shows neither rate nor time.
    public let unit: String?
    private let output: Output
    private let clock: @Sendable () -> Duration
    private let started: Duration
    private var lastDrawn: String?

    /// Creates a bar; the rate is measured from now. `clock` gives the time (tests pass their own).
    public init(
        total: Int,
        width: Int = 30,
        unit: String? = nil,
        output: Output = .standardError,
        clock: @escaping @Sendable () -> Duration = ProgressBar.monotonic
    ) {
        self.total = total
        self.width = max(1, width)
        self.unit = unit
        self.output = output
        self.clock = clock
        self.started = clock()
    }

    /// Time since an arbitrary fixed point (the default clock).
    public static let monotonic: @Sendable () -> Duration = {
        let origin = ContinuousClock.Instant.now
        return { ContinuousClock.now - origin }
    }()

    /// Time since the bar was made.
    public var elapsed: Duration { self.clock() - self.started }

    /// The bar for `completed` units, without carriage return: `[#####.....] 52% 520000/1000000`, then with a
    /// unit ` rows`, and after `elapsed` time the rate and the time left: `  41250 rows/s  12 s left`.
    ///
    /// Cells and percentage round down, so 100% means done; `completed` is clamped to `0...total`, and a total of
    /// zero or less shows as done.
    public func render(completed: Int, elapsed: Duration? = nil) -> String {
        let done = self.total > 0 ? min(max(completed, 0), self.total) : 0
        // Integer arithmetic where it fits keeps 52% at exactly 520000/1000000.
        let filled = self.total > 0 ? Self.scaled(done, by: self.width, of: self.total) : self.width
        let percent = self.total > 0 ? Self.scaled(done, by: 100, of: self.total) : 100
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: self.width - filled)
        var text = "[\(bar)] \(percent)% \(done)/\(max(self.total, 0))"
        guard let unit = self.unit else { return text }
        text += " \(unit)"
        if let elapsed, let rate = Self.rate(done, elapsed) {
            text += "  \(Int(rate.rounded())) \(unit)/s"
            let left = Double(max(self.total, 0) - done) / rate
            if left > 0 { text += "  \(Self.duration(left)) left" }
        }
        return text
    }

    /// Units per second, once there is something to measure.
    public static func rate(_ done: Int, _ elapsed: Duration) -> Double? {
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        guard done > 0, seconds >= 0.05 else { return nil }
        return Double(done) / seconds
    }

    /// `12 s`, `2 min 05 s`, `1 h 02 min`.
    public static func duration(_ seconds: Double) -> String {
        let whole = Int(seconds.rounded(.up))
        if whole < 60 { return "\(whole) s" }
        if whole < 3600 {
            let rest = whole % 60
            return "\(whole / 60) min \(rest < 10 ? "0" : "")\(rest) s"
        }
        let minutes = (whole % 3600) / 60
        return "\(whole / 3600) h \(minutes < 10 ? "0" : "")\(minutes) min"
    }

    /// Redraws the bar for `completed` units if its text changed.
    public mutating func update(completed: Int) {
        guard self.output.isTerminal else { return }
        let text = self.render(completed: completed, elapsed: self.elapsed)
        guard text != self.lastDrawn else { return }
        // Pad with blanks so a shorter line fully covers the previous one.
        let padding = String(repeating: " ", count: max(0, (self.lastDrawn?.count ?? 0) - text.count))
        self.output.write("\r" + text + padding)
        self.lastDrawn = text
    }

    /// Ends the line the bar was drawn on, if any.
    public mutating func finish() {
        guard self.lastDrawn != nil else { return }
        self.output.write("\n")
        self.lastDrawn = nil
    }

    /// `value * factor / total` rounded down, without overflowing.
    private static func scaled(_ value: Int, by factor: Int, of total: Int) -> Int {
        let (product, overflow) = value.multipliedReportingOverflow(by: factor)
        if !overflow { return product / total }
        return Int(Double(value) / Double(total) * Double(factor))
    }
}
