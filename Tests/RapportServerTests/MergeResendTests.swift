import Foundation
import LibPQ
import RapportClient
import RapportModel
import RapportProtocol
import RapportStore
import RapportTestSupport
import Testing
import ZIPFoundation

/// Issue 15 through the real server: layouts of template languages, documents merged per contact when
/// logging from a merge template (one interaction, a segment), attachments by number with who shares them,
/// RESEND with every option and refusal, cover sheets for a segment.
@Suite("Merge, resend and cover sheets", .serialized)
struct MergeResendTests {
    /// A merge template MAILMERGE (e-mail, English row as default) and a Cover Sheets template COVER.
    static let fixtures = """
        INSERT INTO interaction_templates (code, interaction_group_code, description, correspondence_type)
            VALUES ('MAILMERGE', 'LETTER', 'Spring offer', 'email'), ('COVER', 'LETTER', 'Cover sheet', NULL);
        INSERT INTO interaction_template_languages (template_code, language_code, description)
            VALUES ('MAILMERGE', 'ENU', 'Offer (English)');
        UPDATE interaction_templates SET language_code_default = 'ENU' WHERE code = 'MAILMERGE';
        INSERT INTO contact_alt_addresses (contact_no, code, company_name, address, city, email)
            VALUES ('P0', 'HOME', 'Solo Home', 'Elm Street 1', 'Roskilde', 'otto@home.example');
        """

    /// A Word package whose document has a simple field, a complex field split over runs and a marker split
    /// over runs; the header a «Salutation» marker.
    static func offer() throws -> [UInt8] {
        try WordPackage.make(
            document: """
                <w:p><w:r><w:t xml:space="preserve">To </w:t></w:r>\
                <w:fldSimple w:instr=" MERGEFIELD ContactName \\* MERGEFORMAT "><w:r><w:t>«ContactName»</w:t></w:r>\
                </w:fldSimple></w:p>\
                <w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> MERGEFIELD </w:instrText></w:r>\
                <w:r><w:instrText>City </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r>\
                <w:r><w:t>«City»</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>\
                <w:p><w:r><w:t>From «Salesperson</w:t></w:r><w:r><w:t>Name» (entry «EntryNo»)</w:t></w:r></w:p>
                """,
            header: "<w:p><w:r><w:t>«Salutation»</w:t></w:r></w:p>"
        )
    }

    static func start() async throws -> SegmentKit {
        let kit = try await SegmentKit.start()
        try await kit.script(Self.fixtures)
        return kit
    }

    static func setLayout(
        _ kit: SegmentKit,
        template: String = "MAILMERGE",
        file: String = "offer.docx",
        _ content: [UInt8],
        extra: [Argument] = []
    ) async throws -> Response {
        try await kit.manager.send(
            "TEMPLATE-LAYOUT-SET",
            [.positional(template), .named("language", "ENU"), .named("layout", "OFFER"), .named("file-name", file)]
                + extra,
            payload: content
        )
    }

    /// The document part of an entry's attachment, downloaded with LOG-ATTACHMENT.
    static func document(_ kit: SegmentKit, entry: String) async throws -> (attachment: String, xml: String) {
        let reply = try await kit.ok("LOG-ATTACHMENT", [.positional(entry)])
        let payload = try #require(reply.dataLines.first?.payload)
        return (
            try #require(SegmentKit.value(reply, "attachment")),
            try WordPackage.part("word/document.xml", of: payload)
        )
    }

    static func noMarkers(_ xml: String) -> Bool {
        !xml.contains("MERGEFIELD") && !xml.contains("«") && !xml.contains("»") && !xml.contains("fldChar")
    }

    @Test func aWordLayoutLoggedForTwoContactsGivesEachEntryItsOwnMergedDocument() async throws {
        let kit = try await Self.start()
        let set = try await Self.setLayout(kit, try Self.offer())
        #expect(set.final == .ok("layout OFFER set"))
        #expect(SegmentKit.value(set, "wizard-action") == "merge")
        #expect(SegmentKit.value(set, "fields") == "ContactName,City,SalespersonName,EntryNo,Salutation")

        let alpha = try await kit.ok("INTERACTION-CREATE", [.named("contact", "C1"), .named("template", "MAILMERGE")])
        let otto = try await kit.ok(
            "INTERACTION-CREATE",
            [.named("contact", "P0"), .named("template", "MAILMERGE"), .named("date", "2026-01-15")]
        )
        let alphaEntry = try #require(SegmentKit.value(alpha, "entry"))
        let ottoEntry = try #require(SegmentKit.value(otto, "entry"))
        let (alphaAttachment, alphaXML) = try await Self.document(kit, entry: alphaEntry)
        let (ottoAttachment, ottoXML) = try await Self.document(kit, entry: ottoEntry)
        #expect(alphaAttachment != ottoAttachment)
        #expect(alphaXML.contains(">Alpha Ltd</w:t>") && !alphaXML.contains("Otto Solo"))
        #expect(alphaXML.contains("From Annette Hill") && alphaXML.contains("(entry \(alphaEntry))"))
        #expect(Self.noMarkers(alphaXML) && Self.noMarkers(ottoXML))
        // Otto's alternative address (active, no dates) gives the city.
        #expect(ottoXML.contains(">Otto Solo</w:t>") && ottoXML.contains(">Roskilde</w:t>"))
        #expect(
            try await kit.sql(
                """
                SELECT e.merged::text, a.read_only::text, a.file_name, a.content_type FROM interaction_log_entries e
                JOIN attachments a ON a.no = e.attachment_no WHERE e.entry_no = \(ottoEntry)
                """
            ) == [
                [
                    "true", "true", "offer-\(ottoEntry).docx",
                    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                ]
            ]
        )
        // The header was merged too.
        let download = try await kit.ok("ATTACHMENT-GET", [.positional(ottoAttachment)])
        let header = try WordPackage.part("word/header1.xml", of: try #require(download.dataLines.first?.payload))
        #expect(header.contains(">Dear Otto Solo</w:t>"))
        #expect(SegmentKit.value(download, "entries") == "1" && SegmentKit.value(download, "read-only") == "true")
        try await kit.stop()
    }

    @Test func logSegmentMergesEachLineAndLeavesOtherTemplatesAlone() async throws {
        let kit = try await Self.start()
        _ = try await Self.setLayout(kit, try Self.offer())
        let merged = try await kit.segment([.named("description", "Mailing"), .named("template", "MAILMERGE")])
        try await kit.ok("SEGMENT-ADD-CONTACTS", [.positional(merged), .named("contact", "C1|C2|P0")])
        // The layout is the lines' content: nothing fails the "Attachment No. must have a value" check.
        let dry = try await kit.ok(
            "LOG-SEGMENT",
            [.positional(merged), .named("deliver", "true"), .named("dry-run", "true")]
        )
        #expect(SegmentKit.value(dry, "failing-lines") == "0" && SegmentKit.value(dry, "queued") == "3")
        let reply = try await kit.ok("LOG-SEGMENT", [.positional(merged), .named("deliver", "true")])
        let logged = try #require(SegmentKit.value(reply, "logged-segment"))
        #expect(SegmentKit.value(reply, "queued") == "3")
        let entries = try await kit.sql(
            """
            SELECT e.entry_no::text, c.name FROM interaction_log_entries e JOIN contacts c ON c.no = e.contact_no
            WHERE logged_segment_entry_no = \(logged) ORDER BY entry_no
            """
        )
        var attachments: Set<String> = []
        for row in entries {
            let (attachment, xml) = try await Self.document(kit, entry: row[0]!)
            attachments.insert(attachment)
            #expect(xml.contains(">\(row[1]!)</w:t>"), "entry \(row[0]!)")
            #expect(Self.noMarkers(xml))
        }
        #expect(attachments.count == 3)
        // A salesperson does not see the document of another salesperson's postponed entry.
        let first = try #require(attachments.sorted().first)
        try await kit.script("UPDATE interaction_log_entries SET postponed = true WHERE attachment_no = \(first)")
        let bob = try await kit.session("BOB", role: .salesperson, salesperson: "BO")
        let hidden = try await bob.send("ATTACHMENT-SHOW", [.positional(first)])
        #expect(SegmentKit.error(hidden, .notFound) == "Attachment \(first) does not exist.")
        #expect(SegmentKit.value(try await kit.ok("ATTACHMENT-SHOW", [.positional(first)]), "entries") == "1")
        try await kit.script("UPDATE interaction_log_entries SET postponed = false WHERE attachment_no = \(first)")
        let visible = try await bob.send("ATTACHMENT-SHOW", [.positional(first)])
        #expect(SegmentKit.value(visible, "attachment") == first)
        await bob.close()
        #expect(try await kit.scalar("SELECT bool_and(merged)::text FROM interaction_log_entries") == "true")

        // A template that does not merge shares its attachment as before.
        let plain = try await kit.segment([.named("description", "Letters"), .named("template", "BUSLETTER")])
        try await kit.ok("SEGMENT-ADD-CONTACTS", [.positional(plain), .named("contact", "C1|C2")])
        try await kit.ok("LOG-SEGMENT", [.positional(plain)])
        let shared = try await kit.sql(
            """
            SELECT count(DISTINCT attachment_no)::text, bool_or(merged)::text FROM interaction_log_entries
            WHERE interaction_template_code = 'BUSLETTER'
            """
        )
        #expect(shared == [["1", "false"]])
        let attachment = try #require(
            try await kit.scalar(
                "SELECT attachment_no::text FROM interaction_log_entries WHERE interaction_template_code = 'BUSLETTER' LIMIT 1"
            )
        )
        let show = try await kit.ok("ATTACHMENT-SHOW", [.positional(attachment)])
        #expect(SegmentKit.value(show, "entries") == "2")
        #expect(SegmentKit.value(show, "template-languages") == "0")
        // The template's own attachment: one template row, no entry.
        let template = try await kit.ok("ATTACHMENT-SHOW", [.positional("1")])
        #expect(SegmentKit.value(template, "template-languages") == "1" && SegmentKit.value(template, "entries") == "0")
        // Deleted with the last entry that refers to it (reference 1.16).
        try await kit.script("DELETE FROM interaction_log_entries WHERE interaction_template_code = 'BUSLETTER'")
        let gone = try await kit.send("ATTACHMENT-SHOW", [.positional(attachment)])
        #expect(SegmentKit.error(gone, .notFound) == "Attachment \(attachment) does not exist.")
        try await kit.stop()
    }

    @Test func aLargeSegmentIsMergedInChunks() async throws {
        let kit = try await Self.start()
        _ = try await Self.setLayout(kit, try Self.offer())
        try await kit.script(
            """
            INSERT INTO contacts (no, type, name, email, city, salesperson_code)
            SELECT 'M' || lpad(n::text, 4, '0'), 'person', 'Member ' || n, 'm' || n || '@example.com', 'City ' || n, 'AH'
            FROM generate_series(1, 620) AS n;
            """
        )
        let seg = try await kit.segment([.named("description", "Members"), .named("template", "MAILMERGE")])
        try await kit.ok("SEGMENT-ADD-CONTACTS", [.positional(seg), .named("contact", "M*")])
        let reply = try await kit.ok("LOG-SEGMENT", [.positional(seg), .named("deliver", "true")])
        #expect(SegmentKit.value(reply, "entries") == "620" && SegmentKit.value(reply, "queued") == "620")
        #expect(
            try await kit.sql(
                """
                SELECT count(*)::text, count(DISTINCT attachment_no)::text, bool_and(merged)::text,
                       bool_and(a.read_only)::text, bool_and(a.file_name = 'offer-' || e.entry_no || '.docx')::text
                FROM interaction_log_entries e JOIN attachments a ON a.no = e.attachment_no
                """
            ) == [["620", "620", "true", "true", "true"]]
        )
        // Spot checks across the chunks: each document is its contact's.
        for member in ["M0001", "M0250", "M0251", "M0620"] {
            let row = try await kit.sql(
                "SELECT entry_no::text, city FROM interaction_log_entries e JOIN contacts c ON c.no = e.contact_no WHERE c.no = '\(member)'"
            )
            let (_, xml) = try await Self.document(kit, entry: row[0][0]!)
            #expect(xml.contains(">\(row[0][1]!)</w:t>") && Self.noMarkers(xml), "\(member)")
        }
        try await kit.stop()
    }

    @Test func layoutsAreSetReplacedDownloadedAndCleared() async throws {
        let kit = try await Self.start()
        let body = Array("<p>{{Salutation}}, {{ContactName}}</p>".utf8)
        var reply = try await Self.setLayout(
            kit,
            file: "offer.html",
            body,
            extra: [.named("description", "Offer mail")]
        )
        #expect(reply.final == .ok("layout OFFER set"))
        #expect(
            try await kit.scalar("SELECT wizard_action FROM interaction_templates WHERE code = 'MAILMERGE'") == "merge"
        )
        reply = try await Self.setLayout(kit, file: "offer.html", body)
        #expect(SegmentKit.error(reply, .conflict)?.hasSuffix("Replace it? Send replace=true to replace it.") == true)
        let replacement = Array("Hello {{ContactName}}".utf8)
        reply = try await Self.setLayout(kit, file: "offer.txt", replacement, extra: [.named("replace", "true")])
        #expect(SegmentKit.value(reply, "format") == "text")
        let download = try await kit.ok(
            "TEMPLATE-LAYOUT-DOWNLOAD",
            [.positional("MAILMERGE"), .named("language", "ENU")]
        )
        #expect(download.dataLines.first?.payload == replacement)
        #expect(SegmentKit.value(download, "fields") == "ContactName")
        // Refusals change nothing.
        reply = try await Self.setLayout(
            kit,
            file: "offer.txt",
            Array("{{ShoeSize}}".utf8),
            extra: [.named("replace", "true")]
        )
        #expect(
            SegmentKit.error(reply, .invalid)?.hasPrefix("The layout uses merge fields that do not exist: ShoeSize.")
                == true
        )
        reply = try await Self.setLayout(kit, file: "offer.pdf", [1, 2], extra: [.named("replace", "true")])
        #expect(SegmentKit.error(reply, .invalid)?.hasPrefix("A layout must be a Word document (.docx)") == true)
        reply = try await Self.setLayout(
            kit,
            file: "offer.docx",
            Array("not a zip".utf8),
            extra: [.named("replace", "true")]
        )
        #expect(SegmentKit.error(reply, .invalid)?.hasPrefix("The layout cannot be merged") == true)
        reply = try await Self.setLayout(kit, template: "NOPE", file: "offer.html", body)
        #expect(SegmentKit.error(reply, .notFound) == "Interaction Template NOPE does not exist", "\(reply.final)")
        #expect(
            try await kit.sql(
                "SELECT custom_layout_file_name, custom_layout_description FROM interaction_template_languages WHERE template_code = 'MAILMERGE'"
            ) == [["offer.txt", nil]]
        )
        // A text layout merges into a text body (no escaping).
        let entry = try await kit.ok("INTERACTION-CREATE", [.named("contact", "C2"), .named("template", "MAILMERGE")])
        let attachment = try await kit.ok(
            "LOG-ATTACHMENT",
            [.positional(try #require(SegmentKit.value(entry, "entry")))]
        )
        #expect(attachment.dataLines.first?.payload == Array("Hello Beta GmbH".utf8))
        // Clearing: the wizard action goes back to blank (3.1 R3b); a second clear finds nothing.
        reply = try await kit.send("TEMPLATE-LAYOUT-CLEAR", [.positional("MAILMERGE"), .named("language", "ENU")])
        #expect(reply.final == .ok("layout OFFER cleared"))
        #expect(try await kit.scalar("SELECT wizard_action FROM interaction_templates WHERE code = 'MAILMERGE'") == nil)
        reply = try await kit.send("TEMPLATE-LAYOUT-CLEAR", [.positional("MAILMERGE"), .named("language", "ENU")])
        #expect(
            SegmentKit.error(reply, .notFound)
                == "Interaction Tmpl. Language ENU of Interaction Template MAILMERGE has no layout"
        )
        // The entry merged before keeps its document.
        #expect(try await kit.scalar("SELECT count(*)::text FROM interaction_log_entries WHERE merged") == "1")
        try await kit.stop()
    }

    /// A logged segment of MAILMERGE for C1 and P0, queued by e-mail.
    static func loggedMailing(_ kit: SegmentKit) async throws -> String {
        _ = try await Self.setLayout(kit, try Self.offer())
        let seg = try await kit.segment([.named("description", "Mailing"), .named("template", "MAILMERGE")])
        try await kit.ok("SEGMENT-ADD-CONTACTS", [.positional(seg), .named("contact", "C1|P0")])
        let reply = try await kit.ok("LOG-SEGMENT", [.positional(seg), .named("deliver", "true")])
        return try #require(SegmentKit.value(reply, "logged-segment"))
    }

    @Test func resendWithoutUpdateQueuesTheSameEntriesAgain() async throws {
        let kit = try await Self.start()
        let logged = try await Self.loggedMailing(kit)
        try await kit.script(
            """
            UPDATE interaction_log_entries SET delivery_status = 'error', email_logged = true;
            UPDATE delivery_outbox SET status = 'failed';
            """
        )
        let before = try await kit.sql(
            "SELECT entry_no::text, attachment_no::text FROM interaction_log_entries ORDER BY 1"
        )
        let reply = try await kit.ok(
            "RESEND",
            [.named("logged-segment", logged), .named("correspondence-type", "hard_copy"), .named("idem", "r-1")]
        )
        #expect(reply.final == .ok("2 interactions queued"))
        #expect(
            try await kit.sql(
                """
                SELECT entry_no::text, attachment_no::text FROM interaction_log_entries ORDER BY 1
                """
            ) == before
        )
        #expect(
            try await kit.sql(
                """
                SELECT string_agg(DISTINCT delivery_status, ','), string_agg(DISTINCT correspondence_type, ','),
                       bool_or(email_logged)::text,
                       (SELECT count(*) FROM delivery_outbox WHERE status = 'pending')::text
                FROM interaction_log_entries
                """
            ) == [["in_progress", "hard_copy", "false", "2"]]
        )
        // The same key again: the same answer, nothing queued twice.
        let again = try await kit.ok(
            "RESEND",
            [.named("logged-segment", logged), .named("correspondence-type", "hard_copy"), .named("idem", "r-1")]
        )
        #expect(again.final == reply.final)
        #expect(try await kit.scalar("SELECT count(*)::text FROM delivery_outbox") == "4")
        // One entry, same as entry (now hard copy).
        let one = before[0][0]!
        let single = try await kit.ok("RESEND", [.named("entries", one)])
        #expect(SegmentKit.value(single, "first-entry") == one)
        try await kit.stop()
    }

    @Test func resendWithUpdateMergeFieldsLogsMergedCopies() async throws {
        let kit = try await Self.start()
        let logged = try await Self.loggedMailing(kit)
        try await kit.script(
            """
            INSERT INTO interaction_log_entry_comments (entry_no, line_no, date, comment)
            SELECT min(entry_no), 10000, CURRENT_DATE, 'Call back first' FROM interaction_log_entries;
            UPDATE contacts SET name = 'Alpha Holding' WHERE no = 'C1';
            """
        )
        let originals = try await kit.sql(
            "SELECT entry_no::text, attachment_no::text, description FROM interaction_log_entries ORDER BY entry_no"
        )
        let resent = "Resend:" + (originals[0][2] ?? "")
        let reply = try await kit.ok(
            "RESEND",
            [
                .named("logged-segment", logged), .named("update-merge-fields", "true"),
                .named("correspondence-type", "email"),
            ]
        )
        #expect(reply.final == .ok("2 interactions queued"))
        let copies = try await kit.sql(
            """
            SELECT entry_no::text, description, attachment_no::text, logged_segment_entry_no::text, delivery_status,
                   (date = CURRENT_DATE)::text, merged::text, correspondence_type,
                   (SELECT count(*) FROM interaction_log_entry_comments k WHERE k.entry_no = e.entry_no)::text
            FROM interaction_log_entries e WHERE description LIKE 'Resend:%' ORDER BY entry_no
            """
        )
        #expect(copies.count == 2)
        #expect(
            copies.map { Array($0[1...1] + $0[3...7]) }.allSatisfy {
                $0 == [resent, logged, "in_progress", "true", "true", "email"]
            }
        )
        #expect(copies.map { $0[8] } == ["1", "0"])
        // Each copy has its own document, merged again (the contact's new name); the originals stay.
        #expect(Set(copies.map { $0[2] }).isDisjoint(with: originals.map { $0[1] }))
        let alpha = try await kit.sql(
            "SELECT entry_no::text FROM interaction_log_entries WHERE contact_no = 'C1' ORDER BY entry_no"
        ).map { $0[0]! }
        let (_, xml) = try await Self.document(kit, entry: alpha[1])
        #expect(xml.contains(">Alpha Holding</w:t>") && Self.noMarkers(xml))
        let (_, original) = try await Self.document(kit, entry: alpha[0])
        #expect(original.contains(">Alpha Ltd</w:t>"))
        #expect(try await kit.scalar("SELECT count(*)::text FROM delivery_outbox WHERE status = 'pending'") == "4")
        // A copy of a copy keeps one prefix.
        _ = try await kit.ok("RESEND", [.named("entries", copies[0][0]!), .named("update-merge-fields", "true")])
        #expect(
            try await kit.scalar("SELECT count(*)::text FROM interaction_log_entries WHERE description = '\(resent)'")
                == "3"
        )
        try await kit.stop()
    }

    @Test func resendRefusals() async throws {
        let kit = try await Self.start()
        let logged = try await Self.loggedMailing(kit)
        let other = try await Self.loggedMailing(kit)
        let first = try #require(
            try await kit.scalar(
                "SELECT min(entry_no)::text FROM interaction_log_entries WHERE logged_segment_entry_no = \(logged)"
            )
        )
        let second = try #require(
            try await kit.scalar(
                "SELECT min(entry_no)::text FROM interaction_log_entries WHERE logged_segment_entry_no = \(other)"
            )
        )
        var reply = try await kit.send("RESEND")
        #expect(SegmentKit.error(reply, .invalid) == SegmentMessages.loggedSegmentRequired)
        reply = try await kit.send("RESEND", [.named("entries", "\(first),\(second)")])
        #expect(SegmentKit.error(reply, .invalid) == SegmentMessages.sameLoggedSegment)
        reply = try await kit.send("RESEND", [.named("logged-segment", "999")])
        #expect(SegmentKit.error(reply, .notFound) == "Logged Segment 999 does not exist.")
        reply = try await kit.send("RESEND", [.named("correspondence-type", "fax"), .named("entries", first)])
        #expect(SegmentKit.error(reply, .badArguments) != nil)
        // Same as Entry needs the entry's correspondence type.
        try await kit.script("UPDATE interaction_log_entries SET correspondence_type = NULL WHERE entry_no = \(first)")
        reply = try await kit.send("RESEND", [.named("entries", first)])
        #expect(SegmentKit.error(reply, .invalid) == SegmentMessages.entryCorrespondenceTypeMissing(Int64(first)!))
        // Nothing qualifies: postponed, or no attachment.
        try await kit.script(
            """
            UPDATE interaction_log_entries SET postponed = true WHERE entry_no = \(first);
            UPDATE interaction_log_entries SET attachment_no = NULL WHERE logged_segment_entry_no = \(other);
            """
        )
        reply = try await kit.send("RESEND", [.named("entries", first), .named("correspondence-type", "email")])
        #expect(SegmentKit.error(reply, .invalid) == SegmentMessages.nothingToResend)
        reply = try await kit.send("RESEND", [.named("logged-segment", other), .named("update-merge-fields", "true")])
        #expect(SegmentKit.error(reply, .invalid) == SegmentMessages.nothingToResend)
        // Refusals changed nothing.
        #expect(try await kit.scalar("SELECT count(*)::text FROM interaction_log_entries") == "4")
        // A salesperson resends only their own interactions.
        let bob = try await kit.session("BOB", role: .salesperson, salesperson: "BO")
        let denied = try await bob.send(
            "RESEND",
            [.named("logged-segment", logged), .named("correspondence-type", "email")]
        )
        if case .error = denied.final {} else { Issue.record("a salesperson resent another's interactions") }
        await bob.close()
        try await kit.stop()
    }

    @Test func mergedContentForTheDeliveryWorker() async throws {
        let kit = try await Self.start()
        _ = try await Self.setLayout(kit, file: "offer.html", Array("<p>{{ContactName}} &amp; {{City}}</p>".utf8))
        let reply = try await kit.ok("INTERACTION-CREATE", [.named("contact", "C1"), .named("template", "MAILMERGE")])
        let entry = try #require(SegmentKit.value(reply, "entry").flatMap(Int64.init))
        let store = kit.server.store
        func content(_ entryNo: Int64) async throws -> MergedContent {
            try await store.pool.withConnection { connection in
                try MergedContentStore.content(connection, entryNo: entryNo)
            }
        }
        // The entry's own merged attachment, as it is.
        var merged = try await content(entry)
        #expect(merged.merged && merged.attachmentNo != nil)
        #expect(merged.fileName == "offer-\(entry).html" && merged.contentType == "text/html; charset=utf-8")
        #expect(merged.htmlBody == "<p>Alpha Ltd &amp; </p>" && merged.textBody == nil)
        #expect(merged.subject == "Spring offer")
        // An entry of the merge template without its own document is merged when asked.
        try await kit.script(
            """
            UPDATE interaction_log_entries SET merged = false, attachment_no = NULL WHERE entry_no = \(entry);
            UPDATE contacts SET city = 'Aarhus' WHERE no = 'C1';
            """
        )
        merged = try await content(entry)
        #expect(merged.merged && merged.attachmentNo == nil && merged.htmlBody == "<p>Alpha Ltd &amp; Aarhus</p>")
        // Another template's attachment is sent as it is.
        let seg = try await kit.segment([.named("description", "Letters"), .named("template", "BUSLETTER")])
        try await kit.ok("SEGMENT-ADD-CONTACTS", [.positional(seg), .named("contact", "C2")])
        try await kit.ok("LOG-SEGMENT", [.positional(seg)])
        let letter = try #require(
            try await kit.scalar("SELECT entry_no::text FROM interaction_log_entries WHERE contact_no = 'C2'").flatMap(
                Int64.init
            )
        )
        let plain = try await content(letter)
        #expect(!plain.merged && plain.fileName == "letter-enu.docx" && plain.content == Array("enu".utf8))
        #expect(plain.htmlBody == nil)
        await #expect(throws: StoreError.notFound("Interaction Log Entry 999 does not exist.")) {
            try await content(999)
        }
        try await kit.stop()
    }

    @Test func coverSheetsForASegment() async throws {
        let kit = try await Self.start()
        let seg = try await kit.segment([.named("description", "Visit"), .named("template", "BUSLETTER")])
        try await kit.ok("SEGMENT-ADD-CONTACTS", [.positional(seg), .named("contact", "C1|P0")])
        var reply = try await kit.send("SEGMENT-COVER-SHEETS", [.positional(seg)])
        #expect(SegmentKit.error(reply, .invalid)?.hasPrefix("No template is set up for Cover Sheets") == true)
        try await kit.ok("SETUP-SET", [.named("event", "cover_sheet"), .named("template", "COVER")])
        reply = try await kit.send("SEGMENT-COVER-SHEETS", [.positional(seg)])
        #expect(SegmentKit.error(reply, .invalid)?.hasPrefix("The Contact Cover Sheet has no layout") == true)
        let layout = Array("To: «ContactName»\n{{Address}} {{City}}\nFrom {{SalespersonName}}".utf8)
        reply = try await kit.manager.send(
            "COVER-SHEET-LAYOUT-SET",
            [.named("file-name", "cover.txt")],
            payload: layout
        )
        #expect(reply.final == .ok("cover sheet layout set"))
        #expect(SegmentKit.value(reply, "fields") == "ContactName,Address,City,SalespersonName")
        let download = try await kit.ok("COVER-SHEET-LAYOUT-DOWNLOAD")
        #expect(download.dataLines.first?.payload == layout)

        try await kit.script("UPDATE segment_lines SET contact_alt_address_code = 'HOME' WHERE contact_no = 'P0'")
        reply = try await kit.ok("SEGMENT-COVER-SHEETS", [.positional(seg), .named("idem", "cs-1")])
        #expect(reply.final == .ok("2 cover sheets logged"))
        #expect(SegmentKit.value(reply, "template") == "COVER")
        let entries = try await kit.sql(
            """
            SELECT e.entry_no::text, e.document_type, e.interaction_template_code, e.description, e.segment_no,
                   (e.date = CURRENT_DATE)::text, e.merged::text, e.salesperson_code
            FROM interaction_log_entries e ORDER BY contact_no
            """
        )
        #expect(
            entries.map { Array($0[1...]) } == [
                ["cover_sheet", "COVER", "Cover sheet", seg, "true", "true", "AH"],
                ["cover_sheet", "COVER", "Cover sheet", seg, "true", "true", "AH"],
            ]
        )
        let sheet = try await kit.ok("LOG-ATTACHMENT", [.positional(entries[1][0]!)])
        #expect(sheet.dataLines.first?.payload == Array("To: Otto Solo\nElm Street 1 Roskilde\nFrom Annette Hill".utf8))
        // The segment stays; the same key again logs nothing more.
        #expect(try await kit.scalar("SELECT count(*)::text FROM segment_lines WHERE segment_no = '\(seg)'") == "2")
        _ = try await kit.ok("SEGMENT-COVER-SHEETS", [.positional(seg), .named("idem", "cs-1")])
        #expect(try await kit.scalar("SELECT count(*)::text FROM interaction_log_entries") == "2")
        // An empty segment, a missing one.
        let empty = try await kit.segment([.named("description", "Nobody")])
        reply = try await kit.send("SEGMENT-COVER-SHEETS", [.positional(empty)])
        #expect(SegmentKit.error(reply, .invalid) == SegmentMessages.empty(empty))
        reply = try await kit.send("SEGMENT-COVER-SHEETS", [.positional("NOSUCH")])
        #expect(SegmentKit.error(reply, .notFound) == "Segment NOSUCH does not exist.")
        try await kit.ok("COVER-SHEET-LAYOUT-CLEAR")
        reply = try await kit.send("COVER-SHEET-LAYOUT-CLEAR")
        #expect(SegmentKit.error(reply, .notFound) == "The Contact Cover Sheet has no layout.")
        try await kit.stop()
    }
}

/// Builds Word packages in memory and reads their parts.
enum WordPackage {
    static let main = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

    static func make(document body: String, header: String) throws -> [UInt8] {
        let archive = try Archive(data: Data(), accessMode: .create)
        let files = [
            (
                "[Content_Types].xml",
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/"
                    + "content-types\"><Default Extension=\"xml\" ContentType=\"application/xml\"/></Types>"
            ),
            (
                "word/document.xml",
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><w:document xmlns:w=\"\(Self.main)\"><w:body>\(body)"
                    + "</w:body></w:document>"
            ),
            (
                "word/header1.xml",
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><w:hdr xmlns:w=\"\(Self.main)\">\(header)</w:hdr>"
            ),
        ]
        for (path, text) in files {
            let data = Data(text.utf8)
            try archive.addEntry(
                with: path,
                type: .file,
                uncompressedSize: Int64(data.count),
                compressionMethod: .deflate,
                provider: { (position: Int64, size: Int) in data.subdata(in: Int(position)..<Int(position) + size) }
            )
        }
        return Array(archive.data!)
    }

    static func part(_ path: String, of package: [UInt8]) throws -> String {
        let archive = try Archive(data: Data(package), accessMode: .read)
        let entry = try #require(archive[path])
        var data = Data()
        _ = try archive.extract(entry) { data.append($0) }
        return String(decoding: data, as: UTF8.self)
    }
}
