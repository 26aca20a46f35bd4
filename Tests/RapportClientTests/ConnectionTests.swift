import RapportClient
import RapportProtocol
import Testing

/// The connection against a scripted server on the loopback interface (no `rapportd` needed).
@Suite(.timeLimit(.minutes(1))) struct ConnectionTests {
    private static let greeting = "OK rapportd ready proto=1\r\n"

    @Test func readsTheGreetingAndTagsRequests() async throws {
        let server = try ScriptedServer { peer in
            peer.send(Self.greeting)
            #expect(peer.readLine() == "#1 PING")
            peer.send("#1 OK PONG\r\n")
            #expect(peer.readLine() == "#2 USER-LIST role=manager")
            peer.send("#2 * user=alice role=manager\r\n#2 OK 1 user\r\n")
            peer.readToEnd()
        }
        let connection = try await RapportConnection.connect(host: "127.0.0.1", port: server.port)
        #expect(connection.greeting == Greeting(serverName: "rapportd", protocolVersion: 1))
        #expect(try await connection.send("PING") == Response(final: .ok("PONG")))
        let users = try await connection.send("USER-LIST", [.named("role", "manager")])
        #expect(users.dataLines == [DataLine(tokens: [.named("user", "alice"), .named("role", "manager")])])
        #expect(users.final == .ok("1 user"))
        await connection.close()
        #expect(!connection.isOpen)
        await server.waitUntilFinished()
    }

    @Test func pipelinesConcurrentRequestsAndMatchesRepliesByTag() async throws {
        let count = 20
        let server = try ScriptedServer { peer in
            peer.send(Self.greeting)
            var lines: [String] = []
            for _ in 0..<count { lines.append(peer.readLine() ?? "") }
            // All requests are in flight before any reply; answer them in reverse order.
            #expect(lines.map { $0.split(separator: " ").first ?? "" } == (1...count).map { "#\($0)" })
            for line in lines.reversed() {
                // A missing or short line (a client gone early) fails the test instead of crashing the run.
                let words = line.split(separator: " ")
                guard words.count >= 3 else { continue }
                peer.send("\(words[0]) * \(words[2])\r\n\(words[0]) OK\r\n")
            }
            peer.readToEnd()
        }
        let connection = try await RapportConnection.connect(host: "127.0.0.1", port: server.port)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<count {
                group.addTask {
                    let reply = try await connection.send("ECHO", [.positional("n\(index)")])
                    #expect(reply.dataLines == [DataLine("n\(index)")])
                }
            }
            try await group.waitForAll()
        }
        await connection.close()
        await server.waitUntilFinished()
    }

    @Test func anUnaskedByeFailsEveryPendingRequest() async throws {
        let server = try ScriptedServer { peer in
            peer.send(Self.greeting)
            _ = peer.readLine()
            _ = peer.readLine()
            peer.send("BYE server shutting down\r\n")
        }
        let connection = try await RapportConnection.connect(host: "127.0.0.1", port: server.port)
        let requests = [Task { try await connection.send("SLOW") }, Task { try await connection.send("SLOW") }]
        for request in requests {
            await #expect(throws: RapportClientError.connectionClosed(bye: "server shutting down")) {
                try await request.value
            }
        }
        #expect(!connection.isOpen)
        await #expect(throws: RapportClientError.connectionClosed(bye: "server shutting down")) {
            try await connection.send("PING")
        }
        await connection.close()
        await server.waitUntilFinished()
    }

    @Test func quitGetsTheTaggedBye() async throws {
        let server = try ScriptedServer { peer in
            peer.send(Self.greeting)
            #expect(peer.readLine() == "#1 QUIT")
            peer.send("#1 BYE see you\r\n")
        }
        let connection = try await RapportConnection.connect(host: "127.0.0.1", port: server.port)
        #expect(await connection.quit() == "see you")
        await server.waitUntilFinished()
    }

    @Test func givesAnUntaggedErrorToTheOldestRequest() async throws {
        let server = try ScriptedServer { peer in
            peer.send(Self.greeting)
            _ = peer.readLine()
            _ = peer.readLine()
            peer.send("ERR LINE_TOO_LONG line longer than 8192 bytes\r\n#2 OK PONG\r\n")
            peer.readToEnd()
        }
        let connection = try await RapportConnection.connect(host: "127.0.0.1", port: server.port)
        let first = Task { try await connection.send("NOTE", [.positional("long")]) }
        // Let the first request be written first.
        try await Task.sleep(for: .milliseconds(50))
        let second = try await connection.send("PING")
        #expect(second.final == .ok("PONG"))
        #expect(try await first.value.final == .error(.lineTooLong, "line longer than 8192 bytes"))
        await connection.close()
        await server.waitUntilFinished()
    }

    @Test func sendsPayloadsAndReceivesDownloads() async throws {
        let upload: [UInt8] = [0x00, 0x0D, 0x0A, 0xFF, 0x7B]
        let server = try ScriptedServer { peer in
            peer.send(Self.greeting)
            #expect(peer.readLine() == "#1 IMPORT name=a.csv {5}")
            #expect(peer.readBytes(5) == upload)
            peer.send(Array("#1 * name=a.csv {5}\r\n".utf8) + upload + Array("\r\n#1 OK\r\n".utf8))
            peer.readToEnd()
        }
        let connection = try await RapportConnection.connect(host: "127.0.0.1", port: server.port)
        let reply = try await connection.send("IMPORT", [.named("name", "a.csv")], payload: upload)
        #expect(reply.dataLines == [DataLine(tokens: [.named("name", "a.csv")], payload: upload)])
        await connection.close()
        await server.waitUntilFinished()
    }

    @Test func sendsRawLinesAndLogsIn() async throws {
        let server = try ScriptedServer { peer in
            peer.send(Self.greeting)
            #expect(peer.readLine() == "#mine ping")
            peer.send("#mine OK PONG\r\n")
            #expect(peer.readLine() == "help")
            peer.send("* PING\r\nOK\r\n")
            #expect(peer.readLine() == "#1 LOGIN alice \"not it\"")
            peer.send("#1 ERR AUTH_FAILED wrong user name or secret\r\n")
            peer.readToEnd()
        }
        let connection = try await RapportConnection.connect(host: "127.0.0.1", port: server.port)
        #expect(
            try await connection.sendRaw(line: "#mine ping")
                == TaggedResponse(tag: "#mine", response: Response(final: .ok("PONG")))
        )
        #expect(try await connection.sendRaw(line: "help").response.dataLines == [DataLine("PING")])
        await #expect(
            throws: RapportClientError.server(code: .authenticationFailed, message: "wrong user name or secret")
        ) {
            try await connection.login(user: "alice", secret: "not it")
        }
        await #expect(throws: RapportClientError.self) { try await connection.sendRaw(line: "two\nlines") }
        await connection.close()
        await server.waitUntilFinished()
    }

    @Test func reportsAGreetingThatRefuses() async throws {
        let server = try ScriptedServer { peer in
            peer.send("ERR SHUTTING_DOWN draining\r\n")
        }
        await #expect(throws: RapportClientError.server(code: .shuttingDown, message: "draining")) {
            try await RapportConnection.connect(host: "127.0.0.1", port: server.port)
        }
        await server.waitUntilFinished()
    }

    @Test func reportsProtocolViolations() async throws {
        let server = try ScriptedServer { peer in
            peer.send(Self.greeting)
            _ = peer.readLine()
            peer.send("HELLO there\r\n")
            peer.readToEnd()
        }
        let connection = try await RapportConnection.connect(host: "127.0.0.1", port: server.port)
        await #expect(throws: RapportClientError.protocolViolation("unexpected line starting with HELLO")) {
            try await connection.send("PING")
        }
        await connection.close()
        await server.waitUntilFinished()
    }

    @Test func timesOutWithoutAGreeting() async throws {
        let server = try ScriptedServer { peer in peer.readToEnd() }
        await #expect {
            try await RapportConnection.connect(host: "127.0.0.1", port: server.port, timeout: .milliseconds(200))
        } throws: { error in
            guard case RapportClientError.connectionFailed = error else { return false }
            return true
        }
        await server.waitUntilFinished()
    }

    @Test func reportsAConnectionClosedBeforeTheGreetingAndThenARefusedOne() async throws {
        // The server accepts one connection and closes it at once.
        let server = try ScriptedServer { _ in }
        await #expect(throws: RapportClientError.connectionClosed(bye: nil)) {
            try await RapportConnection.connect(host: "127.0.0.1", port: server.port)
        }
        await server.waitUntilFinished()
        // Not the stopped server's port: under parallel tests another test's one-connection server can be
        // listening there already, and a stray connection to it used to crash that test's script (its first line
        // went missing) or starve its real client.
        let refusing = try RefusingPort()
        await #expect {
            try await RapportConnection.connect(host: "127.0.0.1", port: refusing.port)
        } throws: { error in
            guard case RapportClientError.connectionFailed = error else { return false }
            return true
        }
    }

    @Test func cancellationAbandonsOnlyTheCancelledRequest() async throws {
        let server = try ScriptedServer { peer in
            peer.send(Self.greeting)
            #expect(peer.readLine() == "#1 SLOW")
            #expect(peer.readLine() == "#2 PING")
            peer.send("#1 OK late\r\n#2 OK PONG\r\n")
            peer.readToEnd()
        }
        let connection = try await RapportConnection.connect(host: "127.0.0.1", port: server.port)
        let slow = Task { try await connection.send("SLOW") }
        try await Task.sleep(for: .milliseconds(50))
        slow.cancel()
        await #expect(throws: CancellationError.self) { try await slow.value }
        #expect(try await connection.send("PING").final == .ok("PONG"))
        await connection.close()
        await server.waitUntilFinished()
    }

    /// Registration, cancellation and replies racing on many tasks (run under `make test-tsan` too): every
    /// request that is not cancelled gets its own reply, and the tags go out in order.
    @Test func concurrentSendsAndCancellationsKeepTagsAndRepliesInStep() async throws {
        let count = 300
        let server = try ScriptedServer { peer in
            peer.send(Self.greeting)
            var expectedTag = 1
            while let line = peer.readLine() {
                let words = line.split(separator: " ")
                #expect(words.first.map(String.init) == "#\(expectedTag)")
                guard words.count >= 3 else { break }
                expectedTag += 1
                // Echo the argument: each caller can tell its own reply.
                peer.send("\(words[0]) * \(words[2])\r\n\(words[0]) OK\r\n")
            }
        }
        let connection = try await RapportConnection.connect(host: "127.0.0.1", port: server.port)
        let answered = try await withThrowingTaskGroup(of: Bool.self) { group in
            var tasks: [Task<Response, any Error>] = []
            for index in 0..<count {
                let task = Task { try await connection.send("ECHO", [.positional("n\(index)")]) }
                tasks.append(task)
                if index % 3 == 0 { task.cancel() }
            }
            for (index, task) in tasks.enumerated() {
                group.addTask {
                    do {
                        let reply = try await task.value
                        #expect(reply.dataLines == [DataLine("n\(index)")])
                        return true
                    } catch is CancellationError {
                        #expect(index % 3 == 0)
                        return false
                    }
                }
            }
            var answered = 0
            for try await ok in group where ok { answered += 1 }
            return answered
        }
        // Every third request was cancelled at once; a cancellation may still lose the race to its reply.
        #expect(answered >= count - (count + 2) / 3)
        await connection.close()
        await server.waitUntilFinished()
    }
}
