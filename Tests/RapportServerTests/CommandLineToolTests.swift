import Foundation
import LibPQ
import NIOCore
import RapportClient
import RapportModel
import RapportProtocol
import RapportServer
import RapportTestSupport
import Testing

/// The `rapport` command-line tool, run as a program against the real server.
@Suite("rapport CLI", .serialized)
struct CommandLineToolTests {
    struct Run {
        var status: Int32
        var output: String
        var errors: String
    }

    /// This test's own ticket file (never the one in the real home folder).
    let ticketFile = (NSTemporaryDirectory() as NSString).appendingPathComponent("rapport-tickets-\(UUID().uuidString)")

    /// Runs the `rapport` binary built beside this test bundle.
    func rapport(_ arguments: [String], environment: [String: String] = [:], input: String? = nil) async throws
        -> Run
    {
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("rapport").path
        let environment = ["RAPPORT_TICKETFILE": self.ticketFile].merging(environment) { $1 }
        let run = try await ProgramRun.run(binary, arguments, environment: environment, input: input)
        return Run(status: run.status, output: run.output, errors: run.errors)
    }

    @Test func oneShotCommandsExitCodesAndFormats() async throws {
        let server = try await TestServer.start()
        try await server.createUser("ALICE", role: .salesperson)
        try await server.createUser("ROOT", role: .administrator)
        let port = String(server.port)

        let ping = try await self.rapport(["--port", port, "ping"])
        #expect(ping.status == 0)
        #expect(ping.output.contains("PONG"))

        let unknown = try await self.rapport(["--port", port, "frobnicate"])
        #expect(unknown.status == 2)
        #expect(unknown.errors.contains("BAD_COMMAND"))

        let denied = try await self.rapport(
            ["--port", port, "--user", "alice", "user-list"],
            environment: ["RAPPORT_PASSWORD": TestServer.defaultPassword]
        )
        #expect(denied.status == 3)
        #expect(denied.errors.contains("DENIED"))

        let root = ["RAPPORT_PASSWORD": TestServer.defaultPassword, "RAPPORT_USER": "root", "RAPPORT_PORT": port]
        let added = try await self.rapport(
            ["user-add", "bob", "role=manager", "full-name=Bob \"the\" Builder", "password=long enough"],
            environment: root
        )
        #expect(added.status == 0, "\(added.errors)")
        let json = try await self.rapport(["--json", "user-list"], environment: root)
        #expect(json.status == 0)
        // Typed JSON: text as strings, booleans as booleans.
        let users = try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [[String: Any]]
        let bob = users?.first { $0["user"] as? String == "BOB" }
        #expect(bob?["full-name"] as? String == "Bob \"the\" Builder")
        let csv = try await self.rapport(["--csv", "user-list"], environment: root)
        #expect(csv.output.hasPrefix("user,role,"))
        #expect(csv.output.contains("\"Bob \"\"the\"\" Builder\""))

        let unreachable = try await self.rapport(["--port", "1", "ping"])
        #expect(unreachable.status == 1)
        try await server.stop()
    }

    @Test func theCommandLineKeepsATicketAndUsesItBeforeThePassword() async throws {
        let server = try await TestServer.start()
        try await server.createUser("ALICE", role: .salesperson)
        try await server.createUser("ROOT", role: .administrator)
        defer { try? FileManager.default.removeItem(atPath: self.ticketFile) }
        let alice = ["RAPPORT_USER": "alice", "RAPPORT_PORT": String(server.port)]
        let first = try await self.rapport(
            ["whoami"],
            environment: alice.merging(["RAPPORT_PASSWORD": TestServer.defaultPassword]) { $1 }
        )
        #expect(first.status == 0, "\(first.errors)")
        let attributes = try FileManager.default.attributesOfItem(atPath: self.ticketFile)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let kept = try String(contentsOfFile: self.ticketFile, encoding: .utf8)
        #expect(kept.hasPrefix("127.0.0.1:\(server.port):alice:"))
        // The ticket is used before the password: a wrong one is not even tried.
        let second = try await self.rapport(
            ["whoami"],
            environment: alice.merging(["RAPPORT_PASSWORD": "wrong password"]) { $1 }
        )
        #expect(second.status == 0, "\(second.errors)")
        #expect(second.output.contains("ALICE"))
        // One ticket all along: a ticket login asks for none.
        #expect(try await server.rows("SELECT count(*)::text FROM session_tickets") == [["1"]])
        // Revoked: the CLI falls back to the password and keeps the new ticket.
        let root = ["RAPPORT_PASSWORD": TestServer.defaultPassword, "RAPPORT_USER": "root"]
        let revoked = try await self.rapport(
            ["--port", String(server.port), "user-tickets-revoke", "alice"],
            environment: root.merging(["RAPPORT_TICKETFILE": self.ticketFile + ".root"]) { $1 }
        )
        #expect(revoked.status == 0, "\(revoked.errors)")
        let third = try await self.rapport(
            ["whoami"],
            environment: alice.merging(["RAPPORT_PASSWORD": TestServer.defaultPassword]) { $1 }
        )
        #expect(third.status == 0, "\(third.errors)")
        let renewed = try String(contentsOfFile: self.ticketFile, encoding: .utf8)
        #expect(renewed.hasPrefix("127.0.0.1:\(server.port):alice:") && renewed != kept)
        #expect(renewed.split(separator: "\n").count == 1)
        try? FileManager.default.removeItem(atPath: self.ticketFile + ".root")
        try await server.stop()
    }

    @Test func shellReadsCommandsFromAPipe() async throws {
        let server = try await TestServer.start()
        try await server.createUser("ALICE", role: .manager)
        let run = try await self.rapport(
            ["--port", String(server.port), "--user", "alice", "shell"],
            environment: ["RAPPORT_PASSWORD": TestServer.defaultPassword],
            input: "whoami\nhelp ping\nquit\n"
        )
        #expect(run.status == 0, "\(run.errors)")
        #expect(run.output.contains("ALICE"))
        #expect(run.output.contains("manager"))
        #expect(run.output.contains("Check that the server answers."))
        try await server.stop()
    }

    /// On a terminal (a pseudo-terminal from `script`), a connection the server ended while the prompt waited
    /// (here `BYE idle timeout`) is opened again, logged in with the kept ticket, when the next line is typed;
    /// that line then runs on the new connection.
    @Test func anInteractiveShellReconnectsWhenTheNextLineIsTyped() async throws {
        let server = try await TestServer.start(configure: { $0.idleTimeout = .seconds(2) })
        try await server.createUser("ALICE", role: .manager)
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("rapport").path
        let shell = "\(binary) --port \(server.port) --user alice shell"
        let typing = "(printf 'whoami\\n'; sleep 4; printf 'whoami\\n'; sleep 2; printf 'quit\\n'; sleep 2)"
        let run = try await ProgramRun.run(
            "/bin/sh",
            ["-c", "\(typing) | script --quiet --flush --return --command '\(shell)' /dev/null"],
            environment: [
                "RAPPORT_TICKETFILE": self.ticketFile, "RAPPORT_PASSWORD": TestServer.defaultPassword,
                "SHELL": "/bin/sh", "TERM": "dumb",
            ]
        )
        #expect(run.status == 0, "\(run.output) \(run.errors)")
        #expect(run.output.contains("The server closed the connection: BYE idle timeout."), "\(run.output)")
        #expect(run.output.contains("Reconnecting to"), "\(run.output)")
        #expect(run.output.components(separatedBy: "Logged in as alice.").count == 3, "\(run.output)")
        #expect(run.output.components(separatedBy: "manager").count == 3, "both WHOAMI answered: \(run.output)")
        try await server.stop()
    }

    @Test func importContactsSendsPartsWithAProgressAndCanBeRunAgain() async throws {
        let server = try await TestServer.start()
        try await server.createUser("MIA", role: .manager)
        var csv = "no,type,name,email\n"
        for index in 1...300 { csv += "K\(index),company,\"Company, number \(index)\",k\(index)@example.com\n" }
        let path = TestPostgres.rootDirectory + "/contacts-\(server.port).csv"
        try csv.write(toFile: path, atomically: true, encoding: .utf8)
        let environment = [
            "RAPPORT_PASSWORD": TestServer.defaultPassword, "RAPPORT_USER": "mia", "RAPPORT_PORT": String(server.port),
        ]

        let run = try await self.rapport(["--part-size", "2048", "import-contacts", path], environment: environment)
        #expect(run.status == 0, "\(run.errors)")
        #expect(run.output.contains("300 contacts imported in"))
        let database = server.database
        let count = try await TestPostgres.blocking {
            let connection = try database.connect()
            defer { connection.close() }
            return try connection.query("SELECT count(*) FROM contacts WHERE no LIKE 'K%'")[0].decode(Int.self, at: 0)
        }
        #expect(count == 300)

        // The same file again: every part replays its first reply, nothing is imported twice.
        let again = try await self.rapport(["--part-size", "2048", "import-contacts", path], environment: environment)
        #expect(again.status == 0, "\(again.errors)")
        let after = try await TestPostgres.blocking {
            let connection = try database.connect()
            defer { connection.close() }
            return try connection.query("SELECT count(*) FROM contacts")[0].decode(Int.self, at: 0)
        }
        #expect(after == 300)
        try await server.stop()
    }

    @Test func pagedListShowsItsCursorAndAllFollowsItToTheEnd() async throws {
        let server = try await TestServer.start()
        try await server.createUser("MIA", role: .manager)
        // 9,999 named languages and one without a name: 10,000 rows.
        try await server.script(
            """
            INSERT INTO languages (code, name)
                SELECT 'L' || lpad(g::text, 5, '0'), 'Language ' || g FROM generate_series(1, 9999) g;
            INSERT INTO languages (code, name) VALUES ('ZZNONAME', NULL);
            """
        )
        let environment = [
            "RAPPORT_PASSWORD": TestServer.defaultPassword, "RAPPORT_USER": "mia", "RAPPORT_PORT": String(server.port),
        ]

        // One page: the rows, then the final line with its cursor after the table.
        let page = try await self.rapport(["language-list", "limit=2"], environment: environment)
        #expect(page.status == 0, "\(page.errors)")
        #expect(page.output.contains("L00002"))
        #expect(page.output.hasSuffix("2 languages total=10000 next=L00002\n"), "\(page.output)")

        // --all as CSV: one header, every row; the summary on standard error.
        let csv = try await self.rapport(["--all", "--csv", "language-list"], environment: environment)
        #expect(csv.status == 0, "\(csv.errors)")
        let records = csv.output.split(separator: "\r\n", omittingEmptySubsequences: true)
        #expect(records.count == 10_001)
        #expect(records.first == "language,name")
        #expect(records.last == "ZZNONAME,")
        #expect(csv.errors.contains("10000 languages"), "\(csv.errors)")

        // --all as JSON: one array of 10,000 objects; a missing name is null.
        let json = try await self.rapport(["--all", "--json", "language-list", "limit=700"], environment: environment)
        #expect(json.status == 0, "\(json.errors)")
        let objects = try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [[String: Any]]
        #expect(objects?.count == 10_000)
        #expect(objects?.last?["language"] as? String == "ZZNONAME")
        #expect(objects?.last?["name"] is NSNull)
        #expect(Set(objects?.map { $0["language"] as? String ?? "" } ?? []).count == 10_000)

        // --all as a table: every row once, then the count.
        let table = try await self.rapport(["--all", "language-list"], environment: environment)
        #expect(table.status == 0, "\(table.errors)")
        let lines = table.output.split(separator: "\n")
        #expect(lines.count == 2 + 10_000 + 1)
        #expect(lines.last?.hasPrefix("10000 languages") == true)
        try await server.stop()
    }

    @Test func csvHeaderIsTheDeclaredKeysForNoneOneAndManyRows() async throws {
        let server = try await TestServer.start()
        try await server.createUser("MIA", role: .manager)
        let environment = [
            "RAPPORT_PASSWORD": TestServer.defaultPassword, "RAPPORT_USER": "mia", "RAPPORT_PORT": String(server.port),
        ]
        let none = try await self.rapport(["--csv", "language-list"], environment: environment)
        #expect(none.output == "language,name\r\n", "\(none.output)")
        #expect(none.errors.contains("0 languages"))
        let emptyJSON = try await self.rapport(["--json", "language-list"], environment: environment)
        #expect(emptyJSON.output == "[]\n")

        try await server.script("INSERT INTO languages (code, name) VALUES ('DEU', NULL)")
        let one = try await self.rapport(["--csv", "language-list"], environment: environment)
        #expect(one.output == "language,name\r\nDEU,\r\n", "\(one.output)")

        try await server.script("INSERT INTO languages (code, name) VALUES ('ENU', 'English, US'), ('FRA', 'French')")
        let many = try await self.rapport(["--csv", "language-list"], environment: environment)
        #expect(many.output == "language,name\r\nDEU,\r\nENU,\"English, US\"\r\nFRA,French\r\n", "\(many.output)")

        let vertical = try await self.rapport(["--vertical", "language-list"], environment: environment)
        #expect(vertical.output.contains("-[ RECORD 2 ]"))
        #expect(vertical.output.contains("name:     English, US\n"))
        try await server.stop()
    }

    @Test func passwordFileIsUsedOnlyWhenPrivate() async throws {
        let server = try await TestServer.start()
        try await server.createUser("MIA", role: .manager)
        let path = TestPostgres.rootDirectory + "/rapportpass-\(server.port)"
        try "# comment\nother:*:mia:wrong\n*:\(server.port):MIA:\(TestServer.defaultPassword)\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        let environment = ["RAPPORT_PASSFILE": path, "RAPPORT_PORT": String(server.port), "RAPPORT_USER": "mia"]

        chmod(path, 0o600)
        let used = try await self.rapport(["whoami"], environment: environment)
        #expect(used.status == 0, "\(used.errors)")
        #expect(used.output.contains("MIA"))

        chmod(path, 0o640)
        // The ticket kept by the first run would log in without the password file.
        try? FileManager.default.removeItem(atPath: self.ticketFile)
        let refused = try await self.rapport(["whoami"], environment: environment)
        #expect(refused.status != 0)
        #expect(refused.errors.contains(path))
        #expect(refused.errors.contains("chmod 0600"))
        try await server.stop()
    }

    @Test func completionOffersVerbsAndArgumentNamesFromHelp() async throws {
        let server = try await TestServer.start()
        try await server.createUser("MIA", role: .manager)
        let connection = try await RapportConnection.connect(
            host: "127.0.0.1",
            port: server.port,
            timeout: .seconds(10)
        )
        try await connection.login(user: "MIA", secret: TestServer.defaultPassword)
        let verbs = CommandIndexEntry.entries(try await connection.send("HELP").checked().dataLines).map(\.name)
        let help = CommandHelp(
            dataLines: try await connection.send("HELP", [.positional("INTERACTION-CREATE")]).checked().dataLines
        )
        let names = { (verb: String) in verb == "INTERACTION-CREATE" ? help.arguments.map(\.name) : nil }

        let offered = Completion.candidates(
            lineBeforeWord: "",
            word: "interaction-c",
            verbs: verbs,
            argumentNames: names
        )
        #expect(offered == ["INTERACTION-CREATE"])
        let arguments = Completion.candidates(
            lineBeforeWord: "interaction-create ",
            word: "",
            verbs: verbs,
            argumentNames: names
        )
        #expect(arguments.contains("contact="))
        #expect(arguments.contains("template="))
        let narrowed = Completion.candidates(
            lineBeforeWord: "INTERACTION-CREATE contact=C1 ",
            word: "TEMP",
            verbs: verbs,
            argumentNames: names
        )
        #expect(narrowed == ["template="])
        await connection.quit()
        try await server.stop()
    }

    @Test func helpIsWrappedAndTheUsageExampleWorks() async throws {
        let server = try await TestServer.start()
        try await server.createUser("ROOT", role: .administrator)
        let environment = [
            "RAPPORT_PASSWORD": TestServer.defaultPassword, "RAPPORT_USER": "root", "RAPPORT_PORT": String(server.port),
            "COLUMNS": "60",
        ]
        let help = try await self.rapport(["help"], environment: environment)
        #expect(help.status == 0, "\(help.errors)")
        #expect(help.output.contains("INTERACTION-CREATE"))
        #expect(help.output.split(separator: "\n").allSatisfy { $0.count <= 60 }, "\(help.output)")
        let detail = try await self.rapport(["help", "language-list"], environment: environment)
        #expect(detail.output.contains("Results:"))
        #expect(detail.output.contains("language (code), name (text)"))

        // `rapport --help`'s example, as written.
        let added = try await self.rapport(["USER-ADD", "bob", "role=salesperson"], environment: environment)
        #expect(added.status == 0, "\(added.errors)")
        let usage = try await self.rapport(["--help"])
        #expect(usage.output.contains("USER-ADD bob role=salesperson"))
        try await server.stop()
    }
}
