import Foundation
import RapportProtocol
import Testing

/// Arguments declared once and read back typed: required ones as values, optional ones as
/// optionals, fields of changing commands as keep / blank / set.
@Suite struct TypedArgumentTests {
    enum Flow: String, CaseIterable, Sendable { case inbound, outbound }

    static let contact = RequiredArgument.positional("contact", .code(maxLength: 20), "The contact.")
    static let cost = OptionalArgument.named("cost", .amount, "Cost.")
    static let date = ChangeArgument.named("date", .date, "The date.")
    static let flow = ChangeArgument.named("flow", .oneOf(Flow.self), "Direction.")
    static let note = ChangeArgument.named("note", .text(maxLength: 10), "A note.")
    static let spec = CommandSpec(
        name: "SET",
        summary: "Change something.",
        arguments: [contact.spec, cost.spec, date.spec, flow.spec, note.spec],
        requiredRole: .salesperson
    )

    private func bind(_ line: String) throws -> BoundArguments {
        try Self.spec.bind(try #require(try Tokenizer.parse(line)))
    }

    @Test func requiredAndOptionalValuesComeTyped() throws {
        let arguments = try self.bind("SET ct01 cost=12.50")
        #expect(arguments[Self.contact] == "CT01")
        #expect(arguments[Self.cost] == Decimal(string: "12.5"))
        #expect(try self.bind("SET CT01")[Self.cost] == nil)
    }

    @Test func anEmptyValueBlanksAFieldOfAnyType() throws {
        let arguments = try self.bind("SET CT01 date= flow= note=\"\"")
        #expect(arguments[Self.date] == .blank)
        #expect(arguments[Self.flow] == .blank)
        #expect(arguments[Self.note] == .blank)
        #expect(arguments[Self.date].update == .some(nil))
    }

    @Test func absentFieldsAreKeptAndGivenOnesSet() throws {
        let arguments = try self.bind("SET CT01 date=2025-03-14 flow=INBOUND")
        #expect(arguments[Self.date] == .set(CalendarDate(year: 2025, month: 3, day: 14)!))
        #expect(arguments[Self.flow] == .set(.inbound))
        #expect(arguments[Self.note] == .keep)
        #expect(arguments[Self.note].update == nil)
    }

    @Test func anEmptyValueIsRefusedWhereItCannotBlank() {
        #expect(throws: ArgumentError.self) { try self.bind("SET CT01 cost=") }
        #expect(throws: ArgumentError.self) { try self.bind("SET CT01 date=yesterday") }
    }

    @Test func helpSaysHowToBlank() {
        #expect(Self.note.spec.help == "A note. An empty value blanks it.")
        #expect(Self.note.spec.blankable && !Self.contact.spec.blankable)
    }
}

/// Data lines built from declared result columns: every key, in order, blanks as `key=`.
@Suite struct ResultColumnTests {
    static let columns = [ResultColumn("no", .code), ResultColumn("name", .text), ResultColumn("cost", .decimal)]

    @Test func everyColumnInOrderWithBlanks() {
        let line = DataLine.shaped(Self.columns, ["cost": "1.50", "no": "CT1", "name": nil])
        #expect(line.tokens == [.named("no", "CT1"), .named("name", ""), .named("cost", "1.50")])
        #expect(
            DataLine.shaped(Self.columns, [:]).tokens == [.named("no", ""), .named("name", ""), .named("cost", "")]
        )
    }

    @Test func helpServesTheColumns() {
        let spec = CommandSpec(name: "X-SHOW", summary: "Show.", requiredRole: .salesperson, results: Self.columns)
        let results = HelpRenderer.helpText(for: spec).filter { $0.tokens.first == .positional("result") }
        #expect(
            results == [
                DataLine("result", "no", "code"), DataLine("result", "name", "text"),
                DataLine("result", "cost", "decimal"),
            ]
        )
    }
}
