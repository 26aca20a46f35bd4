import Foundation
import LibPQ
import RapportModel
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

    /// Runs the `rapport` binary built beside this test bundle.
    func rapport(_ arguments: [String], environment: [String: String] = [:], input: String? = nil) throws -> Run {
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(
            "rapport"
        )
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("RAPPORT_") }
        env.merge(environment) { $1 }
        process.environment = env
        let output = Pipe()
        let errors = Pipe()
        let stdin = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = stdin
        try process.run()
        if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
        try stdin.fileHandleForWriting.close()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(
            status: process.terminationStatus,
            output: String(decoding: out, as: UTF8.self),
            errors: String(decoding: err, as: UTF8.self)
        )
    }

    @Test func oneShotCommandsExitCodesAndFormats() async throws {
        let server = try await TestServer.start()
        try await server.createUser("ALICE", role: .salesperson)
        try await server.createUser("ROOT", role: .administrator)
        let port = String(server.port)

        let ping = try self.rapport(["--port", port, "ping"])
        #expect(ping.status == 0)
        #expect(ping.output.contains("PONG"))

        let unknown = try self.rapport(["--port", port, "frobnicate"])
        #expect(unknown.status == 2)
        #expect(unknown.errors.contains("BAD_COMMAND"))

        let denied = try self.rapport(
            ["--port", port, "--user", "alice", "user-list"],
            environment: ["RAPPORT_PASSWORD": TestServer.defaultPassword]
        )
        #expect(denied.status == 3)
        #expect(denied.errors.contains("DENIED"))

        let root = ["RAPPORT_PASSWORD": TestServer.defaultPassword, "RAPPORT_USER": "root", "RAPPORT_PORT": port]
        let added = try self.rapport(
            ["user-add", "bob", "role=manager", "full-name=Bob \"the\" Builder", "password=long enough"],
            environment: root
        )
        #expect(added.status == 0, "\(added.errors)")
        let json = try self.rapport(["--json", "user-list"], environment: root)
        #expect(json.status == 0)
        let users = try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [[String: String]]
        #expect(users?.first { $0["user"] == "BOB" }?["full-name"] == "Bob \"the\" Builder")
        let csv = try self.rapport(["--csv", "user-list"], environment: root)
        #expect(csv.output.hasPrefix("user,role,"))
        #expect(csv.output.contains("\"Bob \"\"the\"\" Builder\""))

        let unreachable = try self.rapport(["--port", "1", "ping"])
        #expect(unreachable.status == 1)
        try await server.stop()
    }

    @Test func shellReadsCommandsFromAPipe() async throws {
        let server = try await TestServer.start()
        try await server.createUser("ALICE", role: .manager)
        let run = try self.rapport(
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

        let run = try self.rapport(["--part-size", "2048", "import-contacts", path], environment: environment)
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
        let again = try self.rapport(["--part-size", "2048", "import-contacts", path], environment: environment)
        #expect(again.status == 0, "\(again.errors)")
        let after = try await TestPostgres.blocking {
            let connection = try database.connect()
            defer { connection.close() }
            return try connection.query("SELECT count(*) FROM contacts")[0].decode(Int.self, at: 0)
        }
        #expect(after == 300)
        try await server.stop()
    }
}
