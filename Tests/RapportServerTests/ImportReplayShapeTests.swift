import RapportProtocol
import Testing

@testable import RapportServer

/// CONTACT-IMPORT's replay mark keeps the declared shape whichever way the idempotency layer marks a
/// replay: by an appended `* replayed=true` line (today) or in place (``Response/markedReplayed()``).
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

    @Test func aFirstImportIsLeftAsItIs() {
        #expect(ContactImportCommand.declaredShape(Self.first) == Self.first)
    }

    @Test func anAppendedMarkerLineBecomesTheDeclaredColumn() {
        var marked = Self.first
        marked.dataLines.append(DataLine(tokens: [.named("replayed", "true")]))
        #expect(ContactImportCommand.declaredShape(marked) == Self.replayed)
    }

    @Test func aReplayMarkedInPlaceIsLeftAsItIs() {
        #expect(Self.first.markedReplayed() == Self.replayed)
        #expect(ContactImportCommand.declaredShape(Self.first.markedReplayed()) == Self.replayed)
    }

    @Test func aReplyWithoutTheColumnIsNotChangedByTheMark() {
        let other = Response(dataLines: [DataLine(tokens: [.named("group", "LETTER")])], final: .ok(""))
        #expect(other.markedReplayed() == other)
    }
}
