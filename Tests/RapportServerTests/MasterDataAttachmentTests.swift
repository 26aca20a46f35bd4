import RapportClient
import RapportProtocol
import RapportTestSupport
import Testing

/// Template attachments as binary of declared length: round trip, limits, replace and read-only.
@Suite("Master data: attachments", .serialized)
struct MasterDataAttachmentServerTests {
    static func template(_ kit: MasterDataKit) async throws {
        try await kit.ok("GROUP-ADD", [.positional("letter")])
        try await kit.ok("LANGUAGE-ADD", [.positional("enu")])
        try await kit.ok("TEMPLATE-ADD", [.positional("golf"), .named("group", "letter")])
        try await kit.ok("TEMPLATE-LANGUAGE-ADD", [.positional("golf"), .named("language", "enu")])
    }

    static let target: [Argument] = [.positional("golf"), .named("language", "enu")]

    @Test func everyByteValueRoundTrips() async throws {
        let kit = try await MasterDataKit.start()
        try await Self.template(kit)
        let bytes = (0..<1024).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 / 256) }
        #expect(Set(bytes).count == 256)
        let stored = try await kit.ok(
            "ATTACHMENT-UPLOAD",
            Self.target + [.named("file-name", "Brochure.DOCX"), .named("content-type", "application/octet-stream")],
            payload: bytes
        )
        #expect(stored.value("size") == "1024")
        #expect(stored.value("read-only") == "false")
        let no = try #require(stored.value("attachment"))
        let download = try await kit.ok("ATTACHMENT-DOWNLOAD", Self.target)
        #expect(download.dataLines.first?.payload == bytes)
        #expect(download.value("file-name") == "Brochure.DOCX")
        #expect(download.value("attachment") == no)
        #expect(
            try await kit.sql("SELECT file_extension, size_bytes::text, content_type FROM attachments")
                == [["docx", "1024", "application/octet-stream"]]
        )
        let listed = try await kit.ok("TEMPLATE-LANGUAGE-LIST", [.positional("golf")])
        #expect(listed.value("attachment") == no)
        #expect(
            try await kit.ok("TEMPLATE-SHOW", [.positional("golf")]).value("attachment") == "",
            "default language is blank"
        )
        let missing = try await kit.send("ATTACHMENT-UPLOAD", Self.target + [.named("file-name", "x")])
        #expect(
            missing.errorText(.badArguments) == "ATTACHMENT-UPLOAD needs the file as its payload: end the line with {N}"
        )
        let noRow = try await kit.send("ATTACHMENT-DOWNLOAD", [.positional("golf")])
        #expect(
            noRow.errorText(.notFound)
                == "Interaction Tmpl. Language (blank) does not exist for Interaction Template GOLF"
        )
        try await kit.stop()
    }

    @Test func replaceNeedsConsentAndSizeIsLimited() async throws {
        let kit = try await MasterDataKit.start()
        try await Self.template(kit)
        let first = try await kit.ok("ATTACHMENT-UPLOAD", Self.target + [.named("file-name", "a.txt")], payload: [1])
        let again = try await kit.send("ATTACHMENT-UPLOAD", Self.target + [.named("file-name", "b.txt")], payload: [2])
        #expect(
            again.errorText(.conflict)
                == "Interaction Tmpl. Language ENU of Interaction Template GOLF already has an attachment. Replace "
                + "existing attachment? Send replace=true to replace it."
        )
        let replaced = try await kit.ok(
            "ATTACHMENT-UPLOAD",
            Self.target + [.named("file-name", "b.txt"), .named("replace", "true")],
            payload: [2]
        )
        #expect(replaced.value("attachment") != first.value("attachment"))
        #expect(try await kit.sql("SELECT file_name, encode(content, 'hex') FROM attachments") == [["b.txt", "02"]])

        try await kit.ok("SETUP-MARKETING", [.named("max-attachment-bytes", "100")])
        let big = try await kit.send(
            "ATTACHMENT-UPLOAD",
            Self.target + [.named("file-name", "big.bin"), .named("replace", "true")],
            payload: Array(repeating: 7, count: 101)
        )
        #expect(
            big.errorText(.invalid)?.hasPrefix(
                "The attachment is 101 bytes; the marketing setup allows at most 100 bytes"
            ) == true
        )
        try await kit.ok(
            "ATTACHMENT-UPLOAD",
            Self.target + [.named("file-name", "fits.bin"), .named("replace", "true")],
            payload: Array(repeating: 7, count: 100)
        )
        #expect(try await kit.scalar("SELECT string_agg(size_bytes::text, ',') FROM attachments") == "100")
        try await kit.stop()
    }

    @Test func readOnlyAttachmentsAreNeverReplaced() async throws {
        let kit = try await MasterDataKit.start()
        try await Self.template(kit)
        let stored = try await kit.ok(
            "ATTACHMENT-UPLOAD",
            Self.target + [.named("file-name", "a.txt")],
            payload: [1, 2]
        )
        let no = try #require(stored.value("attachment"))
        // Logged: an entry refers to it and it became read-only.
        try await kit.script(
            """
            UPDATE attachments SET read_only = true;
            INSERT INTO interaction_log_entries (date, user_id, interaction_group_code, interaction_template_code,
                                                 attachment_no)
            VALUES (current_date, 'MANAGER', 'LETTER', 'GOLF', \(no))
            """
        )
        let replace = try await kit.send(
            "ATTACHMENT-UPLOAD",
            Self.target + [.named("file-name", "b.txt"), .named("replace", "true")],
            payload: [3]
        )
        #expect(
            replace.errorText(.conflict)
                == "Attachment \(no) is read-only because it has been logged; it cannot be replaced. Remove it from "
                + "the template language with ATTACHMENT-REMOVE, then upload the new file."
        )
        #expect(try await kit.ok("ATTACHMENT-REMOVE", Self.target).final == .ok("attachment \(no) removed"))
        // The logged entry keeps its content; the template language no longer has it.
        #expect(try await kit.sql("SELECT no::text, encode(content, 'hex') FROM attachments") == [[no, "0102"]])
        #expect(try await kit.scalar("SELECT attachment_no::text FROM interaction_template_languages") == nil)
        let fresh = try await kit.ok("ATTACHMENT-UPLOAD", Self.target + [.named("file-name", "b.txt")], payload: [3])
        #expect(fresh.value("attachment") != no)
        // An attachment nothing else uses is deleted on removal.
        try await kit.ok("ATTACHMENT-REMOVE", Self.target)
        #expect(try await kit.scalar("SELECT count(*)::text FROM attachments") == "1")
        #expect(try await kit.send("ATTACHMENT-REMOVE", Self.target).errorText(.notFound) != nil)
        try await kit.stop()
    }
}
