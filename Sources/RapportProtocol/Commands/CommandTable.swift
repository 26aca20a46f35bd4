/// The set of commands a server offers, looked up by verb.
public struct CommandTable: Sendable {
    /// The commands in the order given (which HELP and the documentation keep).
    public let specs: [CommandSpec]
    private let indexByName: [String: Int]

    /// Creates a table.
    /// - Precondition: no two commands share a name.
    public init(_ specs: [CommandSpec]) {
        self.specs = specs
        var index: [String: Int] = [:]
        for (position, spec) in specs.enumerated() {
            let previous = index.updateValue(position, forKey: spec.name)
            precondition(previous == nil, "duplicate command \(spec.name)")
        }
        self.indexByName = index
    }

    /// The command for `verb` (any letter case).
    public func spec(for verb: String) -> CommandSpec? {
        self.indexByName[verb.uppercased()].map { self.specs[$0] }
    }
}
