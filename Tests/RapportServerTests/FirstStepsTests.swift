import Foundation
import PostgresLauncher
import RapportTestSupport
import Testing

/// The README's "First steps", exactly as a new user types them: from an empty database, after
/// `rapportd user add`, the first interaction for a new contact is logged in four `rapport`
/// commands, none of which fails.
@Suite("First steps")
struct FirstStepsTests {
    static let password = "first steps 2026"

    /// Runs a program and returns its exit status and output.
    func run(_ program: String, _ arguments: [String], environment: [String: String]) async throws
        -> (status: Int32, output: String, errors: String)
    {
        let run = try await ProgramRun.run(program, arguments, environment: environment)
        return (run.status, run.output, run.errors)
    }

    @Test func aNewUserLogsAFirstInteractionInFourCommands() async throws {
        let server = try await TestServer.start()
        let databaseURL = Toolbox.databaseURL(
            server.database.cluster.connectionParameters(database: server.database.name)
        )
        // On the server host: the first user, linked to a salesperson that is created with it.
        let added = try await self.run(
            try Toolbox.rapportd(),
            [
                "user", "add", "alice", "--role", "manager", "--salesperson", "AH", "--full-name", "Alice Hill",
                "--database-url", databaseURL,
            ],
            environment: ["RAPPORT_NEW_PASSWORD": Self.password]
        )
        #expect(added.status == 0, "\(added.errors)")
        #expect(added.output.contains("salesperson AH created"))

        let rapport = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("rapport").path
        // The CLI keeps its session ticket in this test's folder, not in the home folder.
        let tickets = TestPostgres.rootDirectory + "/rapport-tickets-first-steps-\(server.port)"
        let session = [
            "RAPPORT_USER": "alice", "RAPPORT_PASSWORD": Self.password, "RAPPORT_PORT": String(server.port),
            "RAPPORT_TICKETFILE": tickets,
        ]
        let steps: [[String]] = [
            ["group-add", "calls", "description=Phone calls"],
            ["template-add", "call", "group=calls", "description=Phone call", "correspondence-type="],
            ["contact-add", "name=Acme Ltd"],
            ["interaction-create", "contact=CT000001", "template=call", "description=Introduction call"],
        ]
        for step in steps {
            let result = try await self.run(rapport, step, environment: session)
            #expect(result.status == 0, "rapport \(step.joined(separator: " ")): \(result.errors)")
            #expect(!result.errors.contains("ERR"), "\(result.errors)")
        }
        let logged = try await server.rows(
            "SELECT contact_no, salesperson_code, interaction_template_code, description FROM interaction_log_entries"
        )
        #expect(logged == [["CT000001", "AH", "CALL", "Introduction call"]])
        try await server.stop()
    }
}
