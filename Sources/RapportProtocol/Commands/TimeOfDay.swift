/// A wall-clock time, as given by `HH:MM` or `HH:MM:SS`.
public struct TimeOfDay: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var hour: Int
    public var minute: Int
    public var second: Int

    /// Creates a time; nil when out of range.
    public init?(hour: Int, minute: Int, second: Int = 0) {
        guard (0...23).contains(hour), (0...59).contains(minute), (0...59).contains(second) else { return nil }
        self.hour = hour
        self.minute = minute
        self.second = second
    }

    /// Parses exactly `HH:MM` or `HH:MM:SS`.
    public init?(_ text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard (2...3).contains(parts.count), parts.allSatisfy({ $0.count == 2 }) else { return nil }
        let values = parts.compactMap { FixedDigits.value($0) }
        guard values.count == parts.count else { return nil }
        self.init(hour: values[0], minute: values[1], second: values.count == 3 ? values[2] : 0)
    }

    public static func < (lhs: TimeOfDay, rhs: TimeOfDay) -> Bool {
        (lhs.hour, lhs.minute, lhs.second) < (rhs.hour, rhs.minute, rhs.second)
    }

    /// `HH:MM:SS`.
    public var description: String {
        [self.hour, self.minute, self.second].map { FixedDigits.padded($0, 2) }.joined(separator: ":")
    }
}

/// Fixed-width ASCII digit fields of dates and times.
enum FixedDigits {
    /// The value of a field made only of ASCII digits (no sign, no spaces).
    static func value(_ text: Substring) -> Int? {
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return Int(text)
    }

    static func padded(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
