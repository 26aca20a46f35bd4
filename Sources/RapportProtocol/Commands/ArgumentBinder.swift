extension CommandSpec {
    /// Checks `request`'s arguments against this declaration and converts them to typed values.
    ///
    /// Positional values fill the positional arguments in declaration order; then named values bind by key. A
    /// positional argument may also be given by name, but not both ways at once.
    ///
    /// - Throws: ``ArgumentError`` for a surplus, unknown, repeated, missing or ill-typed argument.
    public func bind(_ request: Request) throws(ArgumentError) -> BoundArguments {
        var values: [String: BoundValue] = [:]
        var positionals = self.arguments.lazy.filter { $0.kind == .positional }.makeIterator()
        for case .positional(let raw) in request.arguments {
            guard let argument = positionals.next() else {
                throw ArgumentError("unexpected argument \(Self.quotedForMessage(raw))")
            }
            values[argument.name] = try ValueConversion.convert(raw, for: argument)
        }
        for case .named(let key, let raw) in request.arguments {
            guard let argument = self.argument(named: key) else { throw ArgumentError("unknown argument \(key)") }
            guard values[key] == nil else { throw ArgumentError("argument \(key) given twice") }
            values[key] = try ValueConversion.convert(raw, for: argument)
        }
        if let missing = self.arguments.first(where: { $0.required && values[$0.name] == nil }) {
            throw ArgumentError("missing argument \(missing.name)")
        }
        return BoundArguments(values: values, payload: request.payload)
    }

    /// A value quoted for an error message, shortened so that a huge argument does not flood the reply.
    private static func quotedForMessage(_ value: String) -> String {
        let limit = 40
        return value.count <= limit ? WireEncoding.quoted(value) : WireEncoding.quoted(value.prefix(limit) + "…")
    }
}
