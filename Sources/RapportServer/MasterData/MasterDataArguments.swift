import LibPQ
import RapportModel
import RapportProtocol
import RapportStore

/// Declarations and readers shared by the master data commands.
///
/// Changing commands (`…-SET`) leave absent arguments alone; an empty text value blanks a text
/// field, and `clear=a,b` blanks the named fields of any type (codes, enumerations, dates).
enum MasterDataArguments {
    static func named(
        _ name: String,
        _ type: ArgumentSpec.ValueType,
        _ help: String,
        required: Bool = false
    ) -> ArgumentSpec {
        ArgumentSpec(name, kind: .named, required: required, valueType: type, help: help)
    }

    static func positional(_ name: String, _ type: ArgumentSpec.ValueType, _ help: String) -> ArgumentSpec {
        ArgumentSpec(name, kind: .positional, required: true, valueType: type, help: help)
    }

    /// `clear=` naming the fields that may be blanked.
    static func clear(_ fields: [String]) -> ArgumentSpec {
        ArgumentSpec(
            "clear",
            kind: .named,
            valueType: .list,
            help: "Fields to blank, comma-separated: " + fields.joined(separator: ", ") + "."
        )
    }

    static let correspondenceTypes = CorrespondenceType.allCases.map(\.rawValue)
}

/// A request's arguments read as changes: nil = not given, `.some(nil)` = blanked.
struct MasterDataInput {
    let arguments: BoundArguments
    let cleared: Set<String>

    /// Reads `invocation`'s arguments; `clear=` may name only `clearable` fields, each not also given.
    init(_ invocation: Invocation, clearable: [String] = []) throws {
        self.arguments = invocation.arguments
        let cleared = Set(invocation.arguments.list("clear") ?? [])
        for field in cleared.sorted() {
            guard clearable.contains(field) else {
                let allowed = clearable.isEmpty ? "nothing" : clearable.joined(separator: ", ")
                throw CommandError(.badArguments, "clear: \(field) cannot be cleared; clearable: \(allowed)")
            }
            guard !invocation.arguments.contains(field) else {
                throw CommandError(.badArguments, "argument \(field) is both given and cleared")
            }
        }
        self.cleared = cleared
    }

    /// Free text: empty blanks it.
    func text(_ name: String) -> String?? {
        if self.cleared.contains(name) { return .some(nil) }
        guard let value = self.arguments.text(name) else { return nil }
        return .some(value.isEmpty ? nil : value)
    }

    func code(_ name: String) -> String?? {
        if self.cleared.contains(name) { return .some(nil) }
        return self.arguments.code(name).map { .some($0) }
    }

    func enumeration<Value: RawRepresentable>(_ name: String, _: Value.Type) -> Value?? where Value.RawValue == String {
        if self.cleared.contains(name) { return .some(nil) }
        return self.arguments.enumeration(name).map { Value(rawValue: $0) }
    }

    func date(_ name: String) -> PGDate?? {
        if self.cleared.contains(name) { return .some(nil) }
        return self.arguments.date(name).map { PGDate(year: $0.year, month: $0.month, day: $0.day) }
    }

    func bool(_ name: String) -> Bool? { self.arguments.bool(name) }

    /// A decimal (exact text), signed or not.
    func decimal(_ name: String) -> String? { self.arguments.decimal(name) }

    /// A given value (first level of a change), for add commands.
    static func value<T>(_ change: T??) -> T? { change ?? nil }
}

/// How master data commands run: reads on a pooled connection, writes as one idempotent
/// transaction (``ServerContext/write(_:user:_:)``).
enum MasterDataCommand {
    typealias Body = @Sendable (Invocation, SessionState, PGConnection) throws -> Response

    static func read(_ context: ServerContext, _ spec: CommandSpec, _ body: @escaping Body) -> Command {
        Command(
            spec,
            reply: { invocation, session in
                try await context.store.pool.withConnection { connection in try body(invocation, session, connection) }
            }
        )
    }

    static func write(
        _ context: ServerContext,
        _ spec: CommandSpec,
        markReplays: Bool = false,
        _ body: @escaping Body
    ) -> Command {
        Command(
            spec,
            reply: { invocation, session in
                try await context.write(invocation, user: session.user!.userID, markReplays: markReplays) {
                    connection in
                    try body(invocation, session, connection)
                }
            }
        )
    }

    /// `N thing` / `N things`.
    static func count(_ n: Int, _ noun: String, plural: String? = nil) -> String {
        "\(n) \(n == 1 ? noun : (plural ?? noun + "s"))"
    }
}
