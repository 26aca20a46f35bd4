/// A one-line progress display for long operations: `[#####.....] 52% 520000/1000000`.
///
/// ``update(completed:)`` redraws the line in place (carriage return, no line feed) when the output is a
/// terminal, and only when the text changes; ``finish()`` ends the line. On a pipe or file nothing is drawn, so
/// logs stay clean.
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
    private let output: Output
    private var lastDrawn: String?

    /// Creates a bar.
    public init(total: Int, width: Int = 30, output: Output = .standardError) {
        self.total = total
        self.width = max(1, width)
        self.output = output
    }

    /// The bar for `completed` units, without carriage return: `[#####.....] 52% 520000/1000000`.
    ///
    /// Cells and percentage round down, so 100% means done; `completed` is clamped to `0...total`, and a total of
    /// zero or less shows as done.
    public func render(completed: Int) -> String {
        let done = self.total > 0 ? min(max(completed, 0), self.total) : 0
        // Integer arithmetic where it fits keeps 52% at exactly 520000/1000000.
        let filled = self.total > 0 ? Self.scaled(done, by: self.width, of: self.total) : self.width
        let percent = self.total > 0 ? Self.scaled(done, by: 100, of: self.total) : 100
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: self.width - filled)
        return "[\(bar)] \(percent)% \(done)/\(max(self.total, 0))"
    }

    /// Redraws the bar for `completed` units if its text changed.
    public mutating func update(completed: Int) {
        guard self.output.isTerminal else { return }
        let text = self.render(completed: completed)
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
