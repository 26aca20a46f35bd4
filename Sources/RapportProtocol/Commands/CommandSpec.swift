/// The declaration of one command: what HELP shows, what the documentation lists, and what binding checks.
public struct CommandSpec: Sendable, Equatable {
    /// The verb, upper-case.
    public var name: String
    /// One line of usage, e.g. `LOG <template> [contact=<code>]`.
    public var synopsis: String
    /// One sentence saying what the command does.
    public var summary: String
    /// The arguments, positional ones in their order.
    public var arguments: [ArgumentSpec]
    /// The lowest role that may run the command.
    public var requiredRole: AccessLevel
    /// Longer explanation; may hold several lines separated by LF.
    public var help: String
    /// Example request lines.
    public var example: [String]
    /// The keys of the command's data lines, in order (empty: the command sends none, or has not
    /// declared them).
    public var results: [ResultColumn]

    /// Creates a command declaration; without a `synopsis`, one is derived from the arguments.
    public init(
        name: String,
        synopsis: String? = nil,
        summary: String,
        arguments: [ArgumentSpec] = [],
        requiredRole: AccessLevel,
        help: String = "",
        example: [String] = [],
        results: [ResultColumn] = []
    ) {
        self.name = name.uppercased()
        self.summary = summary
        self.arguments = arguments
        self.requiredRole = requiredRole
        self.help = help
        self.example = example
        self.results = results
        self.synopsis = synopsis ?? Self.derivedSynopsis(name: self.name, arguments: arguments)
    }

    /// The argument declared under `name`, if any.
    public func argument(named name: String) -> ArgumentSpec? {
        self.arguments.first { $0.name == name }
    }

    /// `NAME <a> [<b>] key=<type> [flag=<type>]`.
    static func derivedSynopsis(name: String, arguments: [ArgumentSpec]) -> String {
        let parts = arguments.map { argument -> String in
            let form =
                switch argument.kind {
                case .positional: "<\(argument.name)>"
                case .named: "\(argument.name)=<\(argument.valueType.placeholder)>"
                }
            return argument.required ? form : "[\(form)]"
        }
        return ([name] + parts).joined(separator: " ")
    }
}
