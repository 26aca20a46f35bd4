import LibPQ
import RapportClient
import RapportModel
import RapportProtocol
import RapportTestSupport
import Testing

/// A running server with a logged-in manager (MANAGER, salesperson AH) for the master data tests.
struct MasterDataKit {
    let server: TestServer
    let manager: RapportConnection

    static func start() async throws -> MasterDataKit {
        let server = try await TestServer.start()
        let kit = MasterDataKit(server: server, manager: try await Self.connect(server))
        try await kit.sql("INSERT INTO salespeople (code, name) VALUES ('AH', 'Annette Hill')")
        try await server.createUser("MANAGER", role: .manager, salesperson: "AH")
        try await kit.manager.login(user: "manager", secret: TestServer.defaultPassword)
        return kit
    }

    static func connect(_ server: TestServer) async throws -> RapportConnection {
        try await RapportConnection.connect(host: "127.0.0.1", port: server.port)
    }

    /// A second session for a new user of `role`.
    func session(_ user: String, role: UserRole, salesperson: String? = nil) async throws -> RapportConnection {
        try await self.server.createUser(user, role: role, salesperson: salesperson)
        let connection = try await Self.connect(self.server)
        try await connection.login(user: user, secret: TestServer.defaultPassword)
        return connection
    }

    func send(_ verb: String, _ arguments: [Argument] = [], payload: [UInt8]? = nil) async throws -> Response {
        try await self.manager.send(verb, arguments, payload: payload)
    }

    /// Sends as the manager and expects OK.
    @discardableResult
    func ok(
        _ verb: String,
        _ arguments: [Argument] = [],
        payload: [UInt8]? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> Response {
        let response = try await self.send(verb, arguments, payload: payload)
        if case .error(let code, let text) = response.final {
            Issue.record("\(verb) failed: \(code.rawValue) \(text)", sourceLocation: sourceLocation)
        }
        return response
    }

    /// Runs SQL on the test database; every column must be text-like (cast it).
    @discardableResult
    func sql(_ statement: String) async throws -> [[String?]] {
        try await self.server.rows(statement)
    }

    /// Runs several SQL statements separated by semicolons.
    func script(_ statements: String) async throws {
        try await self.server.script(statements)
    }

    /// The single value of a one-row, one-column query.
    func scalar(_ statement: String) async throws -> String? {
        try await self.sql(statement).first?.first ?? nil
    }

    func stop() async throws {
        await self.manager.close()
        try await self.server.stop()
    }
}

extension Response {
    /// The value of `key` on data line `line`.
    func value(_ key: String, line: Int = 0) -> String? {
        guard line < self.dataLines.count else { return nil }
        for case .named(let name, let value) in self.dataLines[line].tokens where name == key { return value }
        return nil
    }

    /// The error text when the reply is `ERR code …`, else nil.
    func errorText(_ code: ErrorCode) -> String? {
        if case .error(code, let text) = self.final { return text }
        return nil
    }
}
