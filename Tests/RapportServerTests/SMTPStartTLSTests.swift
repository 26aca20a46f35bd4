import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
import RapportTestSupport
import SMTPClient
import Testing

/// STARTTLS through a real TLS handshake: a small scripted SMTP server (smtp-sink speaks no TLS) with a
/// self-signed certificate for `localhost`, made by openssl for the test.
@Suite("SMTP STARTTLS")
struct SMTPStartTLSTests {
    /// What the scripted server received: each message, and whether it came over TLS.
    final class Received: Sendable {
        let messages = NIOLockedValueBox<[(text: String, secured: Bool)]>([])
    }

    final class ScriptedServer: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer

        let tls: NIOSSLContext
        let received: Received
        var pending = ""
        var secured = false
        var data: String?

        /// SMTPS: the channel is under TLS from the first byte (no STARTTLS offered).
        init(tls: NIOSSLContext, received: Received, implicit: Bool = false) {
            self.tls = tls
            self.received = received
            self.secured = implicit
        }

        func channelActive(context: ChannelHandlerContext) {
            self.say("220 scripted ESMTP", context)
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var buffer = self.unwrapInboundIn(data)
            self.pending += buffer.readString(length: buffer.readableBytes) ?? ""
            while let end = self.pending.range(of: "\r\n") {
                let line = String(self.pending[..<end.lowerBound])
                self.pending.removeSubrange(..<end.upperBound)
                self.handle(line, context)
            }
        }

        func say(_ text: String, _ context: ChannelHandlerContext) {
            context.writeAndFlush(self.wrapOutboundOut(ByteBuffer(string: text + "\r\n")), promise: nil)
        }

        func handle(_ line: String, _ context: ChannelHandlerContext) {
            if var message = self.data {
                if line == "." {
                    self.received.messages.withLockedValue { $0.append((message, self.secured)) }
                    self.data = nil
                    self.say("250 2.0.0 queued", context)
                } else {
                    message += line + "\n"
                    self.data = message
                }
                return
            }
            switch line.prefix(4).uppercased() {
            case "EHLO":
                self.say(self.secured ? "250-scripted\r\n250 8BITMIME" : "250-scripted\r\n250 STARTTLS", context)
            case "STAR":
                self.say("220 2.0.0 ready to start TLS", context)
                // The 220 went out in plain text; what follows is TLS.
                try? context.pipeline.syncOperations.addHandler(
                    NIOSSLServerHandler(context: self.tls),
                    position: .first
                )
                self.secured = true
            case "MAIL", "RCPT", "RSET": self.say("250 2.1.0 ok", context)
            case "DATA":
                self.data = ""
                self.say("354 go ahead", context)
            case "QUIT":
                self.say("221 bye", context)
                context.close(promise: nil)
            default: self.say("502 5.5.2 unknown", context)
            }
        }
    }

    /// A self-signed certificate for localhost made by openssl: its PEM file and the server's TLS context.
    static func localhostCertificate() async throws -> (file: String, chain: [NIOSSLCertificate], server: NIOSSLContext)
    {
        let folder = try Toolbox.scratchDirectory("smtp-tls")
        let (key, certificate) = ("\(folder)/key.pem", "\(folder)/cert.pem")
        let openssl = try Toolbox.tool("openssl", package: "openssl")
        let made = try await ProgramRun.run(
            openssl,
            [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-days", "1",
                "-addext", "subjectAltName=DNS:localhost", "-keyout", key, "-out", certificate,
            ]
        )
        try #require(made.status == 0, "\(made.errors)")
        let chain = try NIOSSLCertificate.fromPEMFile(certificate)
        let server = try NIOSSLContext(
            configuration: .makeServerConfiguration(
                certificateChain: chain.map { .certificate($0) },
                privateKey: .privateKey(try NIOSSLPrivateKey(file: key, format: .pem))
            )
        )
        return (certificate, chain, server)
    }

    @Test func aRequiredStartTLSSessionHandsTheMessageOverTLS() async throws {
        let (_, chain, serverTLS) = try await Self.localhostCertificate()
        let received = Received()
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ScriptedServer(tls: serverTLS, received: received))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        defer { server.close(promise: nil) }
        let port = try #require(server.localAddress?.port)

        var relay = SMTPConfiguration(host: "localhost", port: port, clientName: "rapport.test", tls: .required)
        relay.tlsConfiguration.trustRoots = .certificates(chain)
        let body = "Subject: over TLS\r\n\r\nHello\r\n.leading dot\r\n"
        let outcome = try await SMTPConnection.with(relay) { connection in
            #expect(connection.isSecured)
            return try await connection.send(
                SMTPEnvelope(sender: "crm@rapport.example", recipients: ["ann@alpha.example"], data: Array(body.utf8))
            )
        }
        guard case .accepted(let reply) = outcome else {
            Issue.record("not accepted: \(outcome)")
            return
        }
        #expect(reply.code == 250)
        let messages = received.messages.withLockedValue { $0 }
        #expect(messages.count == 1)
        #expect(messages.first?.secured == true)
        // As on the wire: the leading dot doubled (the server would remove one).
        #expect(messages.first?.text == "Subject: over TLS\n\nHello\n..leading dot\n")

        // A certificate nobody trusts: no session (and nothing sent in plain text).
        let untrusting = SMTPConfiguration(host: "localhost", port: port, clientName: "rapport.test", tls: .required)
        await #expect(throws: SMTPError.self) {
            try await SMTPConnection.with(untrusting) { _ in }
        }
        #expect(received.messages.withLockedValue { $0.count } == 1)
    }

    /// SMTPS (port 465): TLS before the greeting, the relay's certificate signed by a CA given as a PEM
    /// file (`--smtp-ca-file`).
    @Test func anImplicitTLSSessionTrustsTheGivenCAFile() async throws {
        let (file, _, serverTLS) = try await Self.localhostCertificate()
        let received = Received()
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: serverTLS))
                    try channel.pipeline.syncOperations.addHandler(
                        ScriptedServer(tls: serverTLS, received: received, implicit: true)
                    )
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        defer { server.close(promise: nil) }
        let port = try #require(server.localAddress?.port)

        var relay = SMTPConfiguration(host: "localhost", port: port, clientName: "rapport.test", tls: .implicit)
        relay.trustCertificates(inPEMFile: file)
        let outcome = try await SMTPConnection.with(relay) { connection in
            #expect(connection.isSecured)
            return try await connection.send(
                SMTPEnvelope(
                    sender: "crm@rapport.example",
                    recipients: ["ann@alpha.example"],
                    data: Array("Subject: SMTPS\r\n\r\nHello\r\n".utf8)
                )
            )
        }
        guard case .accepted = outcome else {
            Issue.record("not accepted: \(outcome)")
            return
        }
        #expect(received.messages.withLockedValue { $0.map(\.secured) } == [true])

        // Without that CA (the system's roots): no session, nothing sent.
        let untrusting = SMTPConfiguration(host: "localhost", port: port, clientName: "rapport.test", tls: .implicit)
        await #expect(throws: SMTPError.self) {
            try await SMTPConnection.with(untrusting) { _ in }
        }
        #expect(received.messages.withLockedValue { $0.count } == 1)
    }
}
