/// A request's arguments checked against its ``CommandSpec``, with typed getters.
///
/// Getters return nil when an optional argument was not given. Asking for a type other than the declared one is a
/// programming error and traps.
public struct BoundArguments: Sendable, Equatable {
    /// Values by argument name.
    public let values: [String: BoundValue]
    /// The literal that came with the request.
    public let payload: [UInt8]?

    /// Creates bound arguments.
    public init(values: [String: BoundValue], payload: [UInt8]? = nil) {
        self.values = values
        self.payload = payload
    }

    /// Whether the argument was given.
    public func contains(_ name: String) -> Bool { self.values[name] != nil }

    public func text(_ name: String) -> String? {
        self.value(name) { if case .text(let value) = $0 { value } else { nil } }
    }

    public func code(_ name: String) -> String? {
        self.value(name) { if case .code(let value) = $0 { value } else { nil } }
    }

    public func integer(_ name: String) -> Int? {
        self.value(name) { if case .integer(let value) = $0 { value } else { nil } }
    }

    /// The decimal as exact text, ready for a `numeric` parameter.
    public func decimal(_ name: String) -> String? {
        self.value(name) { if case .decimal(let value) = $0 { value } else { nil } }
    }

    public func bool(_ name: String) -> Bool? {
        self.value(name) { if case .bool(let value) = $0 { value } else { nil } }
    }

    public func date(_ name: String) -> CalendarDate? {
        self.value(name) { if case .date(let value) = $0 { value } else { nil } }
    }

    public func time(_ name: String) -> TimeOfDay? {
        self.value(name) { if case .time(let value) = $0 { value } else { nil } }
    }

    public func enumeration(_ name: String) -> String? {
        self.value(name) { if case .enumeration(let value) = $0 { value } else { nil } }
    }

    public func list(_ name: String) -> [String]? {
        self.value(name) { if case .list(let value) = $0 { value } else { nil } }
    }

    private func value<T>(_ name: String, _ extract: (BoundValue) -> T?) -> T? {
        guard let bound = self.values[name] else { return nil }
        guard let value = extract(bound) else { preconditionFailure("argument \(name) is \(bound), not \(T.self)") }
        return value
    }
}
