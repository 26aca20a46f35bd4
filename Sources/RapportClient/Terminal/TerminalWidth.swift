#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The width to lay text out in: `COLUMNS` when set, else the terminal's width (`TIOCGWINSZ`) when the stream is
/// a terminal, else 80.
public enum TerminalWidth {
    public static let fallback = 80

    /// The width for text written to `stream`.
    public static func of(_ stream: StandardStream, environment: [String: String]) -> Int {
        if let text = environment["COLUMNS"], let columns = Int(text), columns > 0 { return columns }
        return Self.terminalColumns(stream) ?? Self.fallback
    }

    /// The terminal's width, or nil when `stream` is not a terminal.
    public static func terminalColumns(_ stream: StandardStream) -> Int? {
        guard stream.isTerminal else { return nil }
        var size = winsize()
        guard ioctl(stream.fileDescriptor, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return nil }
        return Int(size.ws_col)
    }
}

/// Wraps text at word boundaries to a width, with a hanging indent for continuation lines.
public enum TextWrap {
    /// `text` broken into lines of at most `width` cells (a longer word stands alone on its line); continuation
    /// lines start with `indent` spaces, and so does the first line when `indentFirst`.
    public static func wrap(_ text: String, width: Int, indent: Int = 0, indentFirst: Bool = false) -> [String] {
        let pad = String(repeating: " ", count: indent)
        var lines: [String] = []
        var current = indentFirst ? pad : ""
        var currentHasWord = false
        for word in text.split(separator: " ", omittingEmptySubsequences: true) {
            let candidate = currentHasWord ? current + " " + word : current + word
            if currentHasWord, DisplayWidth.of(candidate) > width {
                lines.append(current)
                current = pad + word
            } else {
                current = candidate
            }
            currentHasWord = true
        }
        lines.append(current)
        return lines
    }
}
