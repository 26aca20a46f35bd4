import RapportProtocol

/// What `HELP <VERB>` says about one command, read from its data lines (`* usage …`, `* argument …`,
/// `* result <key> <type>`, `* help …`, `* example …`).
public struct CommandHelp: Sendable, Equatable {
    /// One argument: `* argument <name> required|optional "<type>" "<help>"`.
    public struct ArgumentInfo: Sendable, Equatable {
        public var name: String
        public var required: Bool
        public var type: String
        public var help: String

        public init(name: String, required: Bool, type: String, help: String) {
            self.name = name
            self.required = required
            self.type = type
            self.help = help
        }
    }

    public var usage: String = ""
    public var summary: String = ""
    public var role: String = ""
    public var arguments: [ArgumentInfo] = []
    /// The declared result columns, in order; empty when the command declares none.
    public var results: [ResultColumn] = []
    public var help: [String] = []
    public var examples: [String] = []

    public init() {}

    /// Reads the data lines of a `HELP <VERB>` reply; lines it does not know are skipped.
    public init(dataLines: [DataLine]) {
        for line in dataLines {
            let words = line.tokens.map { token -> String in
                switch token {
                case .positional(let text): return text
                case .named(let key, let value): return key + "=" + value
                }
            }
            guard let kind = words.first else { continue }
            let rest = Array(words.dropFirst())
            switch kind {
            case "usage": self.usage = rest.first ?? ""
            case "summary": self.summary = rest.first ?? ""
            case "role": self.role = rest.first ?? ""
            case "argument" where rest.count >= 2:
                self.arguments.append(
                    ArgumentInfo(
                        name: rest[0],
                        required: rest[1] == "required",
                        type: rest.count > 2 ? rest[2] : "",
                        help: rest.count > 3 ? rest[3] : ""
                    )
                )
            case "result" where rest.count >= 1 && Self.isKey(rest[0]):
                let type = rest.count > 1 ? ResultColumn.ValueType(rawValue: rest[1]) ?? .text : .text
                self.results.append(ResultColumn(rest[0], type))
            case "help": self.help.append(rest.first ?? "")
            case "example": self.examples.append(rest.first ?? "")
            default: continue
            }
        }
    }

    /// `[A-Za-z][A-Za-z0-9_.-]*`, as ``ResultColumn`` requires.
    static func isKey(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, first.properties.isAlphabetic, first.isASCII else { return false }
        return text.unicodeScalars.allSatisfy { scalar in
            scalar.isASCII
                && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)
                    || "_.-".unicodeScalars.contains(scalar))
        }
    }
}

/// One line of the `HELP` index: `* NAME role=ROLE "summary"`.
public struct CommandIndexEntry: Sendable, Equatable {
    public var name: String
    public var role: String
    public var summary: String

    public init(name: String, role: String, summary: String) {
        self.name = name
        self.role = role
        self.summary = summary
    }

    /// The entries of a `HELP` reply (lines that do not look like index lines are skipped).
    public static func entries(_ dataLines: [DataLine]) -> [CommandIndexEntry] {
        dataLines.compactMap { line in
            var name: String?
            var role = ""
            var summary = ""
            for token in line.tokens {
                switch token {
                case .positional(let text): if name == nil { name = text } else { summary = text }
                case .named("role", let value): role = value
                case .named: continue
                }
            }
            return name.map { CommandIndexEntry(name: $0, role: role, summary: summary) }
        }
    }
}
