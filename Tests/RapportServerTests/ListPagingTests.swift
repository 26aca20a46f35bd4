import Foundation
import NIOCore
import RapportClient
import RapportModel
import RapportProtocol
import RapportTestSupport
import Testing

@testable import RapportServer

/// Lists and paging (docs/PROTOCOL.md): every list command takes `limit` and `next`, pages by keyset and
/// streams its page in chunks.
@Suite struct ListPagingTests {
    /// The rule: a list command is one whose name ends in `-LIST`, plus
    /// SEGMENT-CRITERIA. Every one must declare `limit` and `next`, and none the old `after`/`before`.
    @Test func everyListCommandDeclaresLimitAndNext() {
        let lists = RapportServer.commandSpecs.filter { Paging.isListCommand($0.name) }
        #expect(lists.count >= 18)
        for spec in lists {
            let names = Set(spec.arguments.map(\.name))
            #expect(names.contains("limit") && names.contains("next"), "\(spec.name) must declare limit and next")
        }
        for spec in RapportServer.commandSpecs {
            let names = Set(spec.arguments.map(\.name))
            #expect(!names.contains("after") && !names.contains("before"), "\(spec.name) uses an old cursor")
        }
    }

    @Test func cursorTextRoundTrips() {
        for components in [["SEG00100"], ["2025-03-02", "1002"], ["A/B%C", ""], [""]] {
            #expect(Paging.decode(Paging.encode(components)) == components)
        }
        #expect(Paging.decode("A%2") == nil)
    }

    /// 1000 lines go out in several writes of at most 64 lines; only the last write ends the reply.
    @Test func aLongReplyIsWrittenInChunks() async throws {
        let collected = Collected()
        let sink = ReplySink(tag: "#7") { part in collected.parts.append(part) }
        for index in 1...1000 { try await sink.write(DataLine.named(["n": String(index)])) }
        try await sink.finish(.ok("1000 rows"))
        let parts = collected.parts
        #expect(parts.count == 1000 / ReplySink.linesPerWrite + 1)
        var text = ""
        for (index, part) in parts.enumerated() {
            switch part {
            case .partial(var bytes):
                #expect(index < parts.count - 1)
                text += bytes.readString(length: bytes.readableBytes)!
            case .final(var bytes):
                #expect(index == parts.count - 1)
                text += bytes.readString(length: bytes.readableBytes)!
            }
        }
        let lines = text.split(separator: "\r\n")
        #expect(lines.count == 1001)
        #expect(lines.allSatisfy { $0.hasPrefix("#7 ") })
        #expect(lines.last == "#7 OK 1000 rows")
    }

    /// An error before any line reached the socket is a plain ERR, without the lines still buffered.
    @Test func anEarlyErrorIsAPlainErr() async throws {
        let collected = Collected()
        let sink = ReplySink(tag: nil) { part in collected.parts.append(part) }
        try await sink.write(DataLine.named(["n": "1"]))
        try await sink.fail(.error(.internal, "internal error"))
        guard case .final(var bytes) = collected.parts.first, collected.parts.count == 1 else {
            Issue.record("one final write expected")
            return
        }
        #expect(bytes.readString(length: bytes.readableBytes) == "ERR INTERNAL internal error\r\n")
    }

    /// Every list command over TCP: pages of 2 give exactly the rows of one big page, each once, in order;
    /// every page but the last ends in next=, the last does not. The lists of small tables print total=
    /// before next=, on every page the count of the whole (filtered) list; contacts and segment lines none.
    @Test func everyListWalksPageByPage() async throws {
        let kit = try await SegmentKit.start()
        try await kit.script(
            """
            INSERT INTO languages (code, name) VALUES ('FRA', 'French');
            INSERT INTO interaction_groups (code, description) VALUES ('MEET', 'Meetings');
            INSERT INTO campaigns (no, description) VALUES ('CP3', 'Winter fair');
            INSERT INTO salespeople (code, name) VALUES ('CD', 'Cleo Dane');
            INSERT INTO number_series (code, description, starting_no) VALUES ('S2', 'Two', 'A1'), ('S3', 'Three', 'B1');
            INSERT INTO interaction_templates (code, interaction_group_code, description, unit_cost, unit_duration,
                    information_flow, initiated_by)
                VALUES ('MEETING', 'MEET', 'Meeting', 0, 60, 'outbound', 'us');
            INSERT INTO interaction_template_languages (template_code, language_code, description)
                VALUES ('BUSLETTER', NULL, 'Letter'), ('BUSLETTER', 'FRA', 'Letter (French)');
            """
        )
        try await kit.server.createUser("U1", role: .salesperson)
        try await kit.server.createUser("ADMIN", role: .administrator)
        let admin = try await SegmentKit.connect(kit.server)
        try await admin.login(user: "admin", secret: TestServer.defaultPassword)
        var segments: [String] = []
        for _ in 0..<3 { segments.append(try await kit.segment([.named("description", "Paging")])) }
        let segment = segments[0]
        try await kit.ok("SEGMENT-ADD-CONTACTS", [.positional(segment), .named("type", "person")])
        try await kit.ok("SEGMENT-ADD-CONTACTS", [.positional(segment), .named("type", "company")])
        for code in ["CA", "CB", "CC"] {
            try await kit.ok("CRITERIA-SAVE", [.positional(segment), .named("criteria", code)])
        }
        let uncounted: Set<String> = ["CONTACT-LIST", "SEGMENT-LINE-LIST"]
        let lists: [(String, [Argument], header: Int)] = [
            ("LANGUAGE-LIST", [], 0), ("GROUP-LIST", [], 0), ("CAMPAIGN-LIST", [], 0),
            ("SALESPERSON-LIST", [], 0), ("SERIES-LIST", [], 0), ("TEMPLATE-LIST", [], 0),
            ("TEMPLATE-LANGUAGE-LIST", [.positional("BUSLETTER")], 0), ("CONTACT-LIST", [], 0),
            ("USER-LIST", [], 0), ("SETUP-LIST", [], 0), ("SEGMENT-LIST", [], 0),
            ("SEGMENT-LINE-LIST", [.positional(segment)], 0), ("SEGMENT-CRITERIA", [.positional(segment)], 0),
            ("CRITERIA-LIST", [], 0),
        ]
        for (verb, arguments, header) in lists {
            let connection = verb == "USER-LIST" ? admin : kit.manager
            let whole = try await connection.send(verb, arguments + [.named("limit", "1000")])
            let all = Array(whole.dataLines.dropFirst(header))
            #expect(all.count >= 3, "\(verb) needs more than one page of 2")
            #expect(Self.next(whole) == nil, "\(verb): one page holds all")
            let total = uncounted.contains(verb) ? nil : all.count
            #expect(Self.total(whole) == total, "\(verb): total=")
            var seen: [DataLine] = []
            var cursor: String?
            var pages = 0
            repeat {
                var page = arguments + [.named("limit", "2")]
                if let cursor { page.append(.named("next", cursor)) }
                let reply = try await connection.send(verb, page)
                let rows = Array(reply.dataLines.dropFirst(header))
                seen += rows
                cursor = Self.next(reply)
                pages += 1
                #expect(Self.total(reply) == total, "\(verb): total= of the whole list on every page")
                if case .ok(let text) = reply.final, let cursor, total != nil {
                    #expect(text.hasSuffix(" total=\(all.count) next=\(cursor)"), "\(verb): total= before next=")
                }
                if cursor != nil { #expect(rows.count == 2, "\(verb): a page with next= is full") }
            } while cursor != nil && pages < 100
            #expect(seen == all, "\(verb): every row once, in order")
            #expect(pages == (all.count + 1) / 2, "\(verb): the last page has no next=")
        }
        // A filter counts: the total is of the filtered list, not of the table.
        let letters = try await kit.manager.send("TEMPLATE-LIST", [.named("group", "MEET"), .named("limit", "1000")])
        #expect(Self.total(letters) == 1 && letters.dataLines.count == 1)
        let mine = try await kit.manager.send("SEGMENT-LIST", [.named("mine", "true")])
        #expect(Self.total(mine) == mine.dataLines.count)
        await admin.close()
        try await kit.stop()
    }

    @Test func limitAndNextAreChecked() async throws {
        let kit = try await SegmentKit.start()
        for verb in ["LANGUAGE-LIST", "SEGMENT-LIST", "LOG-LIST", "CRITERIA-LIST"] {
            for limit in ["1001", "0"] {
                let refused = try await kit.send(verb, [.named("limit", limit)])
                #expect(SegmentKit.error(refused, .invalid)?.contains("limit") == true, "\(verb) limit=\(limit)")
            }
        }
        for (verb, cursor) in [("LOG-LIST", "yesterday"), ("SEGMENT-CRITERIA", "x"), ("CRITERIA-LIST", "a/b")] {
            let arguments: [Argument] = verb == "SEGMENT-CRITERIA" ? [.positional("SEG00001")] : []
            let refused = try await kit.send(verb, arguments + [.named("next", cursor)])
            #expect(SegmentKit.error(refused, .invalid)?.contains("next") == true, "\(verb) next=\(cursor)")
        }
        try await kit.stop()
    }

    /// A full page of 1000 rows, pipelined with a PING: both replies arrive whole, in order, tagged.
    @Test func aPipelinedRequestAfterALongListKeepsItsTag() async throws {
        let kit = try await SegmentKit.start()
        try await kit.script(
            "INSERT INTO languages (code) SELECT 'L' || lpad(n::text, 4, '0') FROM generate_series(1, 1200) n"
        )
        let replies = try await RawConnection.with(port: kit.server.port) { connection in
            _ = try await connection.reply()
            try await connection.send(
                "#1 LOGIN manager \"\(TestServer.defaultPassword)\"\r\n#2 LANGUAGE-LIST limit=1000\r\n#3 PING\r\n"
                    + "#4 LANGUAGE-LIST limit=1000 next=L0998\r\n"
            )
            var replies: [TaggedResponse] = []
            for _ in 0..<4 { replies.append(try #require(try await connection.reply())) }
            return replies
        }
        #expect(replies.map(\.tag) == ["#1", "#2", "#3", "#4"])
        #expect(replies[1].response.dataLines.count == 1000)
        // DEU, ENU, then L0001…: the 1000th is L0998.
        #expect(replies[1].response.final == .ok("1000 languages total=1202 next=L0998"))
        #expect(replies[2].response.final == .ok("PONG"))
        #expect(replies[3].response.dataLines.count == 202)
        #expect(replies[3].response.final == .ok("202 languages total=1202"))
        try await kit.stop()
    }

    static func total(_ response: Response) -> Int? {
        guard case .ok(let text) = response.final else { return nil }
        let token = text.split(separator: " ").first { $0.hasPrefix("total=") }
        return token.flatMap { Int($0.dropFirst("total=".count)) }
    }

    static func next(_ response: Response) -> String? {
        guard case .ok(let text) = response.final, let range = text.range(of: " next=") else { return nil }
        return String(text[range.upperBound...])
    }
}

private final class Collected: @unchecked Sendable {
    var parts: [ReplyPart] = []
}
