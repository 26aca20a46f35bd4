import Foundation
import RapportProtocol
import Testing

@testable import RapportServer

/// The conventions at the top of docs/PROTOCOL.md, checked over the whole command table: a new
/// command that breaks one fails here, not in a client.
@Suite struct ProtocolConventionsTests {
    /// Commands not yet brought onto the conventions (the list only shrinks; empty when done).
    static let pending: Set<String> = []

    /// One name per concept: the spellings on the left are retired in favour of the right.
    static let retiredNames: [String: String] = [
        "contact-no": "contact", "send": "deliver", "code": "the concept's name (group, template, …)",
        "no": "the concept's name (contact, campaign, segment, …)", "clear": "an empty value",
        "entry-no": "entry",
    ]

    static var converted: [CommandSpec] {
        RapportServer.commandSpecs.filter { !Self.pending.contains($0.name) }
    }

    @Test func pendingNamesAreRealCommands() {
        let names = Set(RapportServer.commandSpecs.map(\.name))
        #expect(Self.pending.subtracting(names).isEmpty)
    }

    /// An empty value blanks a field: no `clear=`, no enumeration word `blank`.
    @Test func blankIsSpelledAsAnEmptyValue() {
        for spec in Self.converted {
            for argument in spec.arguments {
                #expect(argument.name != "clear", "\(spec.name) has clear=")
                if case .enumeration(let words) = argument.valueType {
                    #expect(!words.contains { $0.lowercased() == "blank" }, "\(spec.name) \(argument.name)")
                }
            }
        }
    }

    @Test func oneNamePerConcept() {
        for spec in Self.converted {
            for argument in spec.arguments {
                if let better = Self.retiredNames[argument.name] {
                    Issue.record("\(spec.name): argument \(argument.name) is spelled \(better)")
                }
            }
            for column in spec.results {
                if let better = Self.retiredNames[column.name] {
                    Issue.record("\(spec.name): result key \(column.name) is spelled \(better)")
                }
            }
        }
    }

    /// Every data line of a command carries the declared keys in the declared order, blanks as
    /// `key=`: checked on the examples, which the documentation shows.
    @Test func examplesShowTheDeclaredResultKeys() throws {
        // HELP's lines are the command table itself, in a format of their own (PROTOCOL.md, HELP).
        for spec in Self.converted where spec.name != "HELP" {
            let dataLines = spec.example.filter { $0.hasPrefix("* ") }
            if dataLines.isEmpty { continue }
            #expect(!spec.results.isEmpty, "\(spec.name) sends data lines but declares no result columns")
            for line in dataLines where !spec.results.isEmpty {
                // A literal at the end ({12}, then the bytes on the next line) is a payload, not a key.
                let keysOnly = line.replacing(/\s\{\d+\}$/, with: "")
                let request = try #require(try Tokenizer.parse("X " + keysOnly.dropFirst(2)))
                let keys = request.arguments.map { argument -> String in
                    if case .named(let key, _) = argument { return key }
                    return "(positional)"
                }
                #expect(keys == spec.results.map(\.name), "\(spec.name) example: \(line)")
            }
        }
    }

    /// A SHOW and the LIST of the same thing print the same keys.
    @Test func showAndListPrintTheSameKeys() {
        let specs = Dictionary(uniqueKeysWithValues: Self.converted.map { ($0.name, $0) })
        for (name, show) in specs where name.hasSuffix("-SHOW") {
            let noun = name.dropLast("-SHOW".count)
            guard let list = specs[noun + "-LIST"] else { continue }
            #expect(show.results == list.results, "\(name) and \(noun)-LIST")
        }
    }

    /// Help is in the product's words: no internal reference numbers.
    @Test func helpCitesNoReferenceNumbers() throws {
        let referenceNumber = try Regex(#"\b(R\d+|reference|quirk|§)"#).ignoresCase()
        for spec in Self.converted {
            let texts = [spec.summary, spec.help] + spec.arguments.map(\.help)
            for text in texts where text.contains(referenceNumber) {
                Issue.record("\(spec.name): \"\(text.prefix(80))\" cites the reference")
            }
        }
    }

    /// A required argument is never shown as optional.
    @Test func requiredArgumentsAreNotBracketed() {
        for spec in RapportServer.commandSpecs {
            for argument in spec.arguments where argument.required {
                let form = argument.kind == .positional ? "<\(argument.name)>" : "\(argument.name)="
                #expect(spec.synopsis.contains(form), "\(spec.name) synopsis lacks \(form)")
                #expect(!spec.synopsis.contains("[" + form), "\(spec.name) shows \(argument.name) as optional")
            }
        }
    }

    /// Every write takes `idem=`: a command that is not a read declares it.
    @Test func writesTakeAnIdempotencyKey() {
        let reads = [
            "-LIST", "-SHOW", "STATS", "HELP", "PING", "HEALTH", "WHOAMI", "QUIT", "LOGIN", "LOGOUT",
            "PASSWORD", "SEGMENT-CRITERIA", "ATTACHMENT-DOWNLOAD", "LOG-ATTACHMENT", "SETUP-MARKETING",
            "DELIVERY-CLAIM", "-LAYOUT-DOWNLOAD", "ATTACHMENT-GET",
        ]
        for spec in Self.converted where !reads.contains(where: { spec.name.hasSuffix($0) || spec.name == $0 }) {
            #expect(spec.argument(named: "idem") != nil, "\(spec.name) takes no idem=")
        }
    }
}
