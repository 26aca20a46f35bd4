import Foundation
import SMTPClient
import Testing

/// The SMTP client's pure parts: reply parsing, the dialogue state machine driven by scripted replies,
/// DATA transparency and MIME building.
@Suite("SMTP dialogue")
struct SMTPDialogueTests {
    static func reply(_ text: String) throws -> SMTPReply {
        var parser = SMTPReplyParser()
        let replies = try parser.feed(Array(text.utf8))
        try #require(replies.count == 1)
        return replies[0]
    }

    static func written(_ actions: [SMTPDialogue.Action]) -> [String] {
        actions.compactMap {
            if case .write(let bytes) = $0 { return String(decoding: bytes, as: UTF8.self) }
            return nil
        }
    }

    @Test func multiLineRepliesAreOneReplyAndSplitReadsJoin() throws {
        var parser = SMTPReplyParser()
        #expect(try parser.feed(Array("250-smtp.example\r\n250-PIPE".utf8)).isEmpty)
        let replies = try parser.feed(Array("LINING\r\n250 STARTTLS\r\n354 go ahead\n".utf8))
        #expect(
            replies == [
                SMTPReply(code: 250, lines: ["smtp.example", "PIPELINING", "STARTTLS"]),
                SMTPReply(code: 354, lines: ["go ahead"]),
            ]
        )
        #expect(throws: SMTPError.self) { try parser.feed(Array("hello\r\n".utf8)) }
        var mixed = SMTPReplyParser()
        #expect(throws: SMTPError.self) { try mixed.feed(Array("250-a\r\n251 b\r\n".utf8)) }
        #expect(SMTPReply(code: 450, lines: []).isTransient)
        #expect(SMTPReply(code: 550, lines: []).isPermanent)
    }

    @Test func aSessionWithStartTLSAndAuthPlainSendsOneMessageThenQuits() throws {
        var dialogue = SMTPDialogue(
            clientName: "client.example",
            tls: .required,
            credentials: .init(user: "mailer", password: "s3cret")
        )
        #expect(
            Self.written(try dialogue.receive(Self.reply("220 smtp.example ESMTP\r\n"))) == ["EHLO client.example\r\n"]
        )
        #expect(
            Self.written(
                try dialogue.receive(Self.reply("250-smtp.example\r\n250-STARTTLS\r\n250 AUTH LOGIN PLAIN\r\n"))
            )
                == ["STARTTLS\r\n"]
        )
        #expect(try dialogue.receive(Self.reply("220 ready\r\n")) == [.startTLS])
        #expect(Self.written(try dialogue.tlsEstablished()) == ["EHLO client.example\r\n"])
        #expect(dialogue.isSecured)
        // After TLS no second STARTTLS; AUTH PLAIN with base64("\0mailer\0s3cret").
        #expect(
            Self.written(try dialogue.receive(Self.reply("250-smtp.example\r\n250 AUTH PLAIN LOGIN\r\n")))
                == ["AUTH PLAIN AG1haWxlcgBzM2NyZXQ=\r\n"]
        )
        #expect(try dialogue.receive(Self.reply("235 2.7.0 ok\r\n")) == [.ready])
        let envelope = SMTPEnvelope(
            sender: "crm@rapport.example",
            recipients: ["ann@alpha.example"],
            data: Array("Subject: x\r\n\r\n.dot line\r\nend".utf8)
        )
        #expect(Self.written(try dialogue.start(envelope)) == ["MAIL FROM:<crm@rapport.example>\r\n"])
        #expect(Self.written(try dialogue.receive(Self.reply("250 ok\r\n"))) == ["RCPT TO:<ann@alpha.example>\r\n"])
        #expect(Self.written(try dialogue.receive(Self.reply("250 ok\r\n"))) == ["DATA\r\n"])
        #expect(
            Self.written(try dialogue.receive(Self.reply("354 go\r\n")))
                == ["Subject: x\r\n\r\n..dot line\r\nend\r\n.\r\n"]
        )
        let accepted = try Self.reply("250 2.0.0 queued as 1234\r\n")
        #expect(try dialogue.receive(accepted) == [.finished(.accepted(accepted))])
        #expect(dialogue.isReady)
        #expect(Self.written(dialogue.quit()) == ["QUIT\r\n"])
        #expect(try dialogue.receive(Self.reply("221 bye\r\n")) == [.close])
    }

    @Test func refusalsInATransactionResetTheSessionAndReportTheReply() throws {
        var dialogue = SMTPDialogue(clientName: "c", tls: .optional)
        _ = try dialogue.receive(Self.reply("220 hi\r\n"))
        // No STARTTLS offered, optional: go on in plain text.
        #expect(try dialogue.receive(Self.reply("250 hi\r\n")) == [.ready])
        let envelope = SMTPEnvelope(sender: "a@b", recipients: ["x@y"], data: Array("x".utf8))
        _ = try dialogue.start(envelope)
        _ = try dialogue.receive(Self.reply("250 ok\r\n"))
        let refused = try Self.reply("550 5.1.1 no such user\r\n")
        #expect(Self.written(try dialogue.receive(refused)) == ["RSET\r\n"])
        #expect(try dialogue.receive(Self.reply("250 reset\r\n")) == [.finished(.rejected(refused))])
        // A 4xx after the message is a deferral; no RSET needed after the final dot.
        _ = try dialogue.start(envelope)
        _ = try dialogue.receive(Self.reply("250 ok\r\n"))
        _ = try dialogue.receive(Self.reply("250 ok\r\n"))
        _ = try dialogue.receive(Self.reply("354 go\r\n"))
        let busy = try Self.reply("451 4.3.0 try later\r\n")
        #expect(try dialogue.receive(busy) == [.finished(.deferred(busy))])
        #expect(dialogue.isReady)
    }

    @Test func withPipeliningTheEnvelopeGoesInOneWriteAndARefusalIsDrainedBeforeRSET() throws {
        var dialogue = SMTPDialogue(clientName: "c", tls: .off)
        _ = try dialogue.receive(Self.reply("220 hi\r\n"))
        #expect(try dialogue.receive(Self.reply("250-hi\r\n250 PIPELINING\r\n")) == [.ready])
        let envelope = SMTPEnvelope(sender: "a@b", recipients: ["x@y"], data: Array("x".utf8))
        let second = SMTPEnvelope(sender: "a@b", recipients: ["z@y"], data: Array("z".utf8))
        #expect(
            Self.written(try dialogue.start(envelope, following: second))
                == ["MAIL FROM:<a@b>\r\nRCPT TO:<x@y>\r\nDATA\r\n"]
        )
        #expect(try dialogue.receive(Self.reply("250 ok\r\n")).isEmpty)
        #expect(try dialogue.receive(Self.reply("250 ok\r\n")).isEmpty)
        // The next message's envelope follows the dot: one round trip per message.
        #expect(
            Self.written(try dialogue.receive(Self.reply("354 go\r\n")))
                == ["x\r\n.\r\nMAIL FROM:<a@b>\r\nRCPT TO:<z@y>\r\nDATA\r\n"]
        )
        let accepted = try Self.reply("250 queued\r\n")
        #expect(try dialogue.receive(accepted) == [.finished(.accepted(accepted))])
        #expect(!dialogue.isReady)
        #expect(try dialogue.start(second).isEmpty)
        #expect(try dialogue.receive(Self.reply("250 ok\r\n")).isEmpty)
        #expect(try dialogue.receive(Self.reply("250 ok\r\n")).isEmpty)
        #expect(Self.written(try dialogue.receive(Self.reply("354 go\r\n"))) == ["z\r\n.\r\n"])
        #expect(try dialogue.receive(accepted) == [.finished(.accepted(accepted))])
        // RCPT refused: DATA's refusal is still read, then RSET.
        _ = try dialogue.start(envelope)
        #expect(try dialogue.receive(Self.reply("250 ok\r\n")).isEmpty)
        let refused = try Self.reply("550 5.1.1 unknown\r\n")
        #expect(try dialogue.receive(refused).isEmpty)
        #expect(Self.written(try dialogue.receive(Self.reply("554 no valid recipients\r\n"))) == ["RSET\r\n"])
        #expect(try dialogue.receive(Self.reply("250 reset\r\n")) == [.finished(.rejected(refused))])
        #expect(dialogue.isReady)
    }

    @Test func requiredTLSThatIsNotOfferedAndAuthLoginAreHandled() throws {
        var strict = SMTPDialogue(clientName: "c", tls: .required)
        _ = try strict.receive(Self.reply("220 hi\r\n"))
        #expect(throws: SMTPError.tlsNotOffered) { try strict.receive(Self.reply("250 hi\r\n")) }

        var login = SMTPDialogue(clientName: "c", tls: .off, credentials: .init(user: "u", password: "p"))
        _ = try login.receive(Self.reply("220 hi\r\n"))
        #expect(Self.written(try login.receive(Self.reply("250-hi\r\n250 AUTH LOGIN\r\n"))) == ["AUTH LOGIN\r\n"])
        #expect(Self.written(try login.receive(Self.reply("334 VXNlcm5hbWU6\r\n"))) == ["dQ==\r\n"])
        #expect(Self.written(try login.receive(Self.reply("334 UGFzc3dvcmQ6\r\n"))) == ["cA==\r\n"])
        let bad = try Self.reply("535 5.7.8 bad credentials\r\n")
        #expect(throws: SMTPError.refused(step: "AUTH", bad)) { try login.receive(bad) }
    }

    @Test func dataTransparencyDoublesLeadingDotsAndEndsWithADot() {
        let out = SMTPDataEncoding.stuffed(Array(".a\n..b\r\nc.\r\n".utf8))
        #expect(String(decoding: out, as: UTF8.self) == "..a\r\n...b\r\nc.\r\n.\r\n")
    }

    @Test func mimeEncodesNonASCIIHeadersAndCarriesTheAttachment() throws {
        let message = MIMEMessage(
            from: MailAddress("crm@rapport.example", name: "Rapport CRM"),
            to: [MailAddress("jorg@example.de", name: "Jörg Müller")],
            replyTo: MailAddress("ah@rapport.example", name: "Annette Hill"),
            subject: "Frühjahrsangebot für Sie",
            date: Date(timeIntervalSince1970: 1_764_270_000),
            messageID: "rapport.1.1@rapport.example",
            body: .plain("Hello"),
            attachments: [.init(fileName: "offer.pdf", contentType: "application/pdf", data: Array("PDF!".utf8))]
        )
        let text = String(decoding: message.rendered(), as: UTF8.self)
        #expect(text.contains("From: \"Rapport CRM\" <crm@rapport.example>\r\n"))
        #expect(text.contains("To: =?UTF-8?B?SsO2cmcgTcO8bGxlcg==?= <jorg@example.de>\r\n"))
        #expect(text.contains("Reply-To: \"Annette Hill\" <ah@rapport.example>\r\n"))
        #expect(text.contains("Subject: =?UTF-8?B?RnLDvGhqYWhyc2FuZ2Vib3QgZsO8ciBTaWU=?=\r\n"))
        #expect(text.contains("Date: Thu, 27 Nov 2025 19:00:00 +0000\r\n"))
        #expect(text.contains("Message-ID: <rapport.1.1@rapport.example>\r\n"))
        #expect(text.contains("Content-Type: multipart/mixed; boundary="))
        #expect(text.contains("Content-Disposition: attachment; filename=\"offer.pdf\"\r\n\r\nUERGIQ==\r\n"))
        #expect(!text.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
        // A long non-ASCII subject is split into encoded words of at most 75 characters.
        let long = MIMEMessage(
            from: MailAddress("a@b"),
            to: [MailAddress("c@d")],
            subject: String(repeating: "ø", count: 60),
            messageID: "x@b",
            body: .html("<p>Hi</p>")
        )
        let rendered = String(decoding: long.rendered(), as: UTF8.self)
        let subject = try #require(
            rendered.components(separatedBy: "Subject: ").last?.components(separatedBy: "\r\nDate").first
        )
        #expect(subject.components(separatedBy: "\r\n ").allSatisfy { $0.count <= 75 })
        #expect(rendered.contains("Content-Type: text/html; charset=us-ascii"))
    }
}
