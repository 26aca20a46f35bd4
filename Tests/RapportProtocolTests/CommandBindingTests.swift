import RapportProtocol
import Testing

@Suite struct CommandBindingTests {
    static let log = CommandSpec(
        name: "log",
        summary: "Log an interaction.",
        arguments: [
            ArgumentSpec(
                "template",
                kind: .positional,
                required: true,
                valueType: .code(maxLength: 10),
                help: "The template."
            ),
            ArgumentSpec("contact", kind: .positional, valueType: .code(maxLength: 20), help: "The contact."),
            ArgumentSpec("description", kind: .named, valueType: .text(maxLength: 20), help: "What happened."),
            ArgumentSpec("cost", kind: .named, valueType: .decimal, help: "Cost in LCY."),
            ArgumentSpec("balance", kind: .named, valueType: .signedDecimal, help: "A balance."),
            ArgumentSpec("duration", kind: .named, valueType: .integer(0...1440), help: "Minutes."),
            ArgumentSpec("count", kind: .named, valueType: .integer(1...Int.max), help: "How many."),
            ArgumentSpec("follow-up", kind: .named, valueType: .bool, help: "Create a follow-up."),
            ArgumentSpec("date", kind: .named, valueType: .date, help: "The date."),
            ArgumentSpec("time", kind: .named, valueType: .time, help: "The time."),
            ArgumentSpec("flow", kind: .named, valueType: .enumeration(["Inbound", "Outbound"]), help: "Direction."),
            ArgumentSpec("segments", kind: .named, valueType: .list, help: "Segment numbers."),
        ],
        requiredRole: .salesperson
    )

    private func bind(_ line: String) throws -> BoundArguments {
        let request = try #require(try Tokenizer.parse(line))
        return try Self.log.bind(request)
    }

    private func bindingError(_ line: String) -> String? {
        do {
            _ = try self.bind(line)
            return nil
        } catch let error as ArgumentError {
            return error.message
        } catch {
            return "unexpected \(error)"
        }
    }

    @Test func bindsTypedValues() throws {
        let bound = try self.bind(
            "LOG \" call \" c0001 description=\"Met at fair\" cost=007.50 balance=-12 duration=30 count=3"
                + " follow-up=YES date=2024-02-29 time=09:30 flow=OUTBOUND segments=\" 1, 2,,3 \""
        )
        #expect(bound.code("template") == "CALL")
        #expect(bound.code("contact") == "C0001")
        #expect(bound.text("description") == "Met at fair")
        #expect(bound.decimal("cost") == "7.50")
        #expect(bound.decimal("balance") == "-12")
        #expect(bound.integer("duration") == 30)
        #expect(bound.integer("count") == 3)
        #expect(bound.bool("follow-up") == true)
        #expect(bound.date("date") == CalendarDate(year: 2024, month: 2, day: 29))
        #expect(bound.time("time") == TimeOfDay(hour: 9, minute: 30))
        #expect(bound.enumeration("flow") == "Outbound")
        #expect(bound.list("segments") == ["1", "2", "3"])
    }

    @Test func leavesOptionalArgumentsAbsent() throws {
        let bound = try self.bind("LOG call")
        #expect(bound.code("template") == "CALL")
        #expect(bound.code("contact") == nil)
        #expect(!bound.contains("cost"))
        #expect(bound.payload == nil)
    }

    @Test func acceptsPositionalArgumentsByName() throws {
        let bound = try self.bind("LOG contact=C1 template=T1")
        #expect(bound.code("template") == "T1")
        #expect(bound.code("contact") == "C1")
        #expect(try self.bind("LOG T1 contact=C1").code("contact") == "C1")
    }

    @Test func passesThePayloadOn() throws {
        var request = try #require(try Tokenizer.parse("LOG T"))
        request.payload = [1, 2, 3]
        #expect(try Self.log.bind(request).payload == [1, 2, 3])
    }

    @Test(
        arguments: [
            ("LOG", "missing argument template"),
            ("LOG contact=C1", "missing argument template"),
            ("LOG T colour=red", "unknown argument colour"),
            ("LOG T1 template=T2", "argument template given twice"),
            ("LOG T cost=1 cost=2", "argument cost given twice"),
            ("LOG T1 C1 extra", "unexpected argument \"extra\""),
            (
                "LOG T1 C1 " + String(repeating: "x", count: 50),
                "unexpected argument \"" + String(repeating: "x", count: 40) + "…\""
            ),
            ("LOG \"  \"", "argument template must be a code of 1 to 10 characters"),
            ("LOG ABCDEFGHIJK", "argument template must be a code of 1 to 10 characters"),
            (
                "LOG T description=\"" + String(repeating: "é", count: 21) + "\"",
                "argument description must be at most 20 characters"
            ),
            ("LOG T cost=-1", "argument cost must be a decimal number ≥ 0"),
            ("LOG T cost=1e3", "argument cost must be a decimal number ≥ 0"),
            ("LOG T cost=1.", "argument cost must be a decimal number ≥ 0"),
            ("LOG T cost=.5", "argument cost must be a decimal number ≥ 0"),
            ("LOG T cost=", "argument cost must be a decimal number ≥ 0"),
            ("LOG T balance=--1", "argument balance must be a decimal number"),
            ("LOG T duration=abc", "argument duration must be an integer from 0 to 1440"),
            ("LOG T duration=1441", "argument duration must be an integer from 0 to 1440"),
            ("LOG T duration=\" 5\"", "argument duration must be an integer from 0 to 1440"),
            ("LOG T count=0", "argument count must be an integer ≥ 1"),
            ("LOG T follow-up=maybe", "argument follow-up must be true or false"),
            ("LOG T date=2023-02-29", "argument date must be a date YYYY-MM-DD"),
            ("LOG T date=2024-1-01", "argument date must be a date YYYY-MM-DD"),
            ("LOG T date=+024-01-01", "argument date must be a date YYYY-MM-DD"),
            ("LOG T time=24:00", "argument time must be a time HH:MM[:SS]"),
            ("LOG T time=9:30", "argument time must be a time HH:MM[:SS]"),
            ("LOG T flow=sideways", "argument flow must be one of Inbound, Outbound"),
        ]
    )
    func reportsArgumentErrors(line: String, message: String) {
        #expect(self.bindingError(line) == message)
    }

    @Test(
        arguments: [
            ("0", "0"), ("-0.00", "0.00"), ("000", "0"), ("0012.340", "12.340"), ("-7", "-7"), ("-0.5", "-0.5"),
        ]
    )
    func normalisesDecimals(given: String, canonical: String) throws {
        #expect(try self.bind("LOG T balance=\(given)").decimal("balance") == canonical)
    }

    @Test func acceptsBooleanSpellings() throws {
        for (word, value) in [("true", true), ("No", false), ("1", true), ("0", false), ("FALSE", false)] {
            #expect(try self.bind("LOG T follow-up=\(word)").bool("follow-up") == value)
        }
    }

    @Test func readsTimesWithSeconds() throws {
        #expect(try self.bind("LOG T time=23:59:59").time("time") == TimeOfDay(hour: 23, minute: 59, second: 59))
        #expect(TimeOfDay(hour: 7, minute: 5)?.description == "07:05:00")
        #expect(CalendarDate("0999-12-31")?.description == "0999-12-31")
        #expect(CalendarDate("1900-02-29") == nil)
        #expect(CalendarDate("2000-02-29") != nil)
    }

    @Test func looksUpCommandsCaseInsensitively() {
        let table = CommandTable([Self.log, CommandSpec(name: "PING", summary: "Check.", requiredRole: .anyone)])
        #expect(table.spec(for: "log")?.name == "LOG")
        #expect(table.spec(for: "Ping")?.requiredRole == .anyone)
        #expect(table.spec(for: "nope") == nil)
    }

    @Test func ordersAccessLevels() {
        #expect(AccessLevel.anyone < .salesperson && AccessLevel.salesperson < .manager)
        #expect(AccessLevel.manager < .administrator)
        #expect(AccessLevel.allCases.max() == .administrator)
    }
}
