import LibPQ
import RapportClient
import RapportProtocol
import RapportTestSupport
import Testing

@testable import RapportServer

/// Lengths are counted the way PostgreSQL counts them (code points), and a value the database
/// refuses anyway is reported in the product's words, never with PostgreSQL's own message.
@Suite("Text lengths and database refusals")
struct TextLengthTests {
    /// "é" as e + combining acute accent: one character on screen, two code points.
    static func decomposed(_ count: Int) -> String { String(repeating: "e\u{301}", count: count) }

    @Test func aTextOfCombiningMarksIsMeasuredAsTheDatabaseMeasuresIt() async throws {
        let kit = try await MasterDataKit.start()
        // 60 characters on screen, 120 code points: over description's 100.
        let tooLong = try await kit.send(
            "GROUP-ADD",
            [.positional("letter"), .named("description", Self.decomposed(60))]
        )
        #expect(tooLong.errorText(.badArguments) == "argument description must be at most 100 characters")
        #expect(try await kit.sql("SELECT count(*)::text FROM interaction_groups") == [["0"]])

        // Exactly 100 code points (and a ZWJ family emoji, one character of 5 code points, tips 96 letters over).
        try await kit.ok("GROUP-ADD", [.positional("letter"), .named("description", Self.decomposed(50))])
        let family = "👨‍👩‍👧"
        let overByEmoji = try await kit.send(
            "GROUP-ADD",
            [.positional("memo"), .named("description", String(repeating: "x", count: 96) + family)]
        )
        #expect(overByEmoji.errorText(.badArguments) == "argument description must be at most 100 characters")
        let stored = try await kit.sql("SELECT description FROM interaction_groups WHERE code = 'LETTER'")
        #expect(stored == [[Self.decomposed(50)]])
        try await kit.server.stop()
    }

    @Test func aDatabaseRefusalNamesTheFieldNotTheRelation() {
        let check = PGError(
            .server,
            "new row for relation \"contacts\" violates check constraint \"contacts_name_check\"",
            sqlState: "23514",
            constraint: "contacts_name_check",
            table: "contacts"
        )
        let (final, unexpected) = ErrorMapping.finalLine(for: check)
        #expect(final == .error(.invalid, "name is not allowed"))
        #expect(unexpected)

        let notNull = PGError(.server, "null value in column \"phone_no\" …", sqlState: "23502", column: "phone_no")
        #expect(ErrorMapping.finalLine(for: notNull).0 == .error(.invalid, "phone-no must have a value"))

        let domain = PGError(
            .server,
            "value for domain code20 violates …",
            sqlState: "23514",
            constraint: "code20_check"
        )
        #expect(ErrorMapping.finalLine(for: domain).0 == .error(.invalid, "a value is not allowed"))
    }
}
