import RapportModel
import RapportProtocol

/// The one paging convention of every list command (docs/PROTOCOL.md, "Lists and paging").
///
/// - Request: `limit=<1..1000>` (default 100) and `next=<cursor>`, the opaque text a previous page
///   printed, given back unchanged.
/// - Final line: `OK <n> <plural noun>`, then ` total=<t>` where counting is cheap (lists of small
///   tables: the count of the whole filtered list, not of the page, never of contacts or the log),
///   and only when more rows follow ` next=<cursor>` as the last token.
/// - Keyset pages: `WHERE key > cursor ORDER BY key LIMIT limit + 1` (never OFFSET); the extra row
///   only says that more follow.
///
/// A list command is one whose name ends in `-LIST`, plus
/// `SEGMENT-CRITERIA` (`Paging.listCommands`); every one declares `limit` and `next`.
enum Paging {
    static let defaultLimit = 100
    static let maximumLimit = 1000

    /// The commands that list rows without `-LIST` in their name.
    static let otherListCommands: Set<String> = ["SEGMENT-CRITERIA"]

    static func isListCommand(_ name: String) -> Bool {
        name.hasSuffix("-LIST") || Self.otherListCommands.contains(name)
    }

    static func arguments(_ rows: String) -> [ArgumentSpec] {
        [
            ArgumentSpec(
                "limit",
                kind: .named,
                valueType: .integer(Int.min...Int.max),
                help: "\(rows.prefix(1).uppercased() + rows.dropFirst()) per page, 1 to \(Self.maximumLimit) "
                    + "(default \(Self.defaultLimit))."
            ),
            ArgumentSpec(
                "next",
                kind: .named,
                valueType: .text(maxLength: 200),
                help: "The next= cursor of the previous page's final line, unchanged."
            ),
        ]
    }

    /// What one cursor component holds, for validation.
    enum Key {
        case code(maxLength: Int)
        case integer
        case date
        /// One of these words.
        case oneOf([String])
        /// A code or NULL (written as an empty component).
        case optionalCode(maxLength: Int)
    }

    /// A validated `limit` and `next`.
    struct Request: Sendable {
        var limit: Int
        /// The cursor's components, nil on the first page.
        var after: [String]?

        /// The number of rows to fetch: one more than the page, to know whether more follow.
        var fetch: Int { self.limit + 1 }

        func code(_ index: Int) -> String? { self.after.map { $0[index] } }
        func integer(_ index: Int) -> Int64? { self.after.flatMap { Int64($0[index]) } }
        /// An `.optionalCode` component: nil = first page, `.some(nil)` = after the NULL key.
        func optionalCode(_ index: Int) -> String?? { self.after.map { $0[index].isEmpty ? nil : $0[index] } }
    }

    /// Reads and checks `limit` and `next` (`ERR INVALID` naming the argument when wrong).
    static func request(_ arguments: BoundArguments, keys: [Key]) throws -> Request {
        let limit = arguments.integer("limit") ?? Self.defaultLimit
        guard (1...Self.maximumLimit).contains(limit) else {
            throw CommandError(.invalid, "limit must be from 1 to \(Self.maximumLimit)")
        }
        guard let text = arguments.text("next") else { return Request(limit: limit, after: nil) }
        guard let components = Self.decode(text), components.count == keys.count,
            zip(components, keys).allSatisfy(Self.fits)
        else {
            throw CommandError(.invalid, "next must be the next= cursor of a previous page of this list, unchanged")
        }
        return Request(limit: limit, after: components)
    }

    /// Cuts the fetched rows (up to `limit + 1`) to the page and makes the cursor of the next one.
    static func page<Row>(_ fetched: [Row], _ request: Request, key: (Row) -> [String]) -> (rows: [Row], next: String?)
    {
        guard fetched.count > request.limit else { return (fetched, nil) }
        let rows = Array(fetched.prefix(request.limit))
        return (rows, rows.last.map { Self.encode(key($0)) })
    }

    /// `OK 100 segments total=250 next=SEG00100`.
    static func final(
        _ count: Int,
        _ noun: String,
        plural: String? = nil,
        total: Int? = nil,
        next: String?
    ) -> FinalLine {
        var text = "\(count) \(count == 1 ? noun : (plural ?? noun + "s"))"
        if let total { text += " " + WireEncoding.named("total", String(total)) }
        if let next { text += " " + WireEncoding.named("next", next) }
        return .ok(text)
    }

    /// Fetched rows to a streamed page reply.
    static func reply<Row: Sendable>(
        _ fetched: [Row],
        _ request: Request,
        noun: String,
        plural: String? = nil,
        total: Int? = nil,
        header: [DataLine] = [],
        key: (Row) -> [String],
        line: @escaping @Sendable (Row) -> DataLine
    ) -> Reply {
        let (rows, next) = Self.page(fetched, request, key: key)
        let final = Self.final(rows.count, noun, plural: plural, total: total, next: next)
        return .page(rows, final: final, header: header, line: line)
    }

    // MARK: Cursor text

    /// Components joined by `/`; `%` and `/` inside a component are written `%25` and `%2F`.
    static func encode(_ components: [String]) -> String {
        components.map { component in
            var escaped = ""
            for character in component {
                switch character {
                case "%": escaped += "%25"
                case "/": escaped += "%2F"
                default: escaped.append(character)
                }
            }
            return escaped
        }.joined(separator: "/")
    }

    static func decode(_ text: String) -> [String]? {
        var components: [String] = []
        for part in text.split(separator: "/", omittingEmptySubsequences: false) {
            var result = ""
            var rest = Substring(part)
            while let index = rest.firstIndex(of: "%") {
                result += rest[..<index]
                let escape = rest[index...].prefix(3)
                switch escape {
                case "%25": result += "%"
                case "%2F": result += "/"
                default: return nil
                }
                rest = rest[index...].dropFirst(3)
            }
            components.append(result + rest)
        }
        return components
    }

    private static func fits(_ component: String, _ key: Key) -> Bool {
        switch key {
        case .code(let maxLength):
            return !component.isEmpty && component.count <= maxLength && Code.normalize(component) == component
        case .optionalCode(let maxLength):
            return component.isEmpty || (component.count <= maxLength && Code.normalize(component) == component)
        case .oneOf(let words):
            return words.contains(component)
        case .integer:
            return Int64(component) != nil && component.allSatisfy(\.isASCII)
        case .date:
            return CalendarDate(component) != nil
        }
    }
}
