import RapportProtocol

/// The final line of a list page: `OK <n> <plural> [total=<t>] [next=<cursor>]`.
public struct PageFinal: Sendable, Equatable {
    /// Rows on this page.
    public var count: Int
    /// The noun as sent (`language` or `languages`).
    public var noun: String
    /// The whole list's size, when the server counts it.
    public var total: String?
    /// The cursor of the next page; nil on the last page.
    public var next: String?

    public init(count: Int, noun: String, total: String? = nil, next: String? = nil) {
        self.count = count
        self.noun = noun
        self.total = total
        self.next = next
    }

    /// Reads an `OK` text; nil when it is not a page's final line.
    public init?(okText: String) {
        guard let request = try? Tokenizer.parse("X " + okText) else { return nil }
        var positional: [String] = []
        for argument in request.arguments {
            switch argument {
            case .positional(let text): positional.append(text)
            case .named("next", let value): self.next = value
            case .named("total", let value): self.total = value
            case .named: continue
            }
        }
        guard positional.count >= 2, let count = Int(positional[0]) else { return nil }
        self.count = count
        self.noun = positional[1]
    }

    /// The summary of a whole run of pages: the rows of all pages, the plural noun seen (singular when there
    /// was one row), the last page's total.
    public static func summary(rows: Int, pages: [PageFinal]) -> String {
        guard let last = pages.last else { return "\(rows) rows" }
        let plural = pages.first { $0.count != 1 }?.noun ?? last.noun + "s"
        let singular =
            pages.first { $0.count == 1 }?.noun ?? (plural.hasSuffix("s") ? String(plural.dropLast()) : plural)
        var text = "\(rows) \(rows == 1 ? singular : plural)"
        if let total = last.total { text += " total=\(total)" }
        if pages.count > 1 { text += " (\(pages.count) pages)" }
        return text
    }
}
