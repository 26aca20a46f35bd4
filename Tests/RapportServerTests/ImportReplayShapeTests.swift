import RapportProtocol
import Testing

@testable import RapportServer

/// CONTACT-IMPORT's replay mark keeps the declared shape: the `replayed` column is set in place.
@Suite("Contact import: replay shape")
struct ImportReplayShapeTests {
    static let first = Response(
        dataLines: [DataLine(tokens: [.named("imported", "3"), .named("replayed", "false")])],
        final: .ok("3 contacts imported")
    )
    static let replayed = Response(
        dataLines: [DataLine(tokens: [.named("imported", "3"), .named("replayed", "true")])],
        final: .ok("3 contacts imported")
    )

    @Test func aReplayIsMarkedInItsDeclaredColumn() {
        #expect(Self.first.markedReplayed() == Self.replayed)
    }

    @Test func aReplyWithoutTheColumnIsNotChangedByTheMark() {
        let other = Response(dataLines: [DataLine(tokens: [.named("group", "LETTER")])], final: .ok(""))
        #expect(other.markedReplayed() == other)
    }
}
