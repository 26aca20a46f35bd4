import LibPQ
import RapportClient
import RapportModel
import RapportProtocol
import RapportServer
import RapportTestSupport
import Testing

/// A running server with master data for the segment tests, inserted with plain SQL (independent of the
/// master data commands), and a logged-in manager (MANAGER, salesperson AH).
///
/// Contacts:
///
/// | no | type | company | name | notes |
/// |---|---|---|---|---|
/// | C1 | company | – | Alpha Ltd | DK, post code 1000, e-mail, hard copy |
/// | P11 | person | C1 | Ann Alpha | e-mail, language DEU |
/// | P12 | person | C1 | Al Alpha | excluded from segments |
/// | C2 | company | – | Beta GmbH | DE, e-mail |
/// | P21 | person | C2 | Bea Beta | no e-mail, correspondence email |
/// | P0 | person | – | Otto Solo | DK, e-mail, salesperson BO |
struct SegmentKit {
    let server: TestServer
    let manager: RapportConnection

    static func start(configure: @Sendable (inout ServerConfiguration) -> Void = { _ in }) async throws -> SegmentKit {
        let server = try await TestServer.start(configure: configure)
        let kit = SegmentKit(server: server, manager: try await Self.connect(server))
        try await kit.script(Self.fixtures)
        try await server.createUser("MANAGER", role: .manager, salesperson: "AH")
        try await kit.manager.login(user: "manager", secret: TestServer.defaultPassword)
        return kit
    }

    static let fixtures = """
        INSERT INTO salespeople (code, name, email) VALUES ('AH', 'Annette Hill', 'ah@rapport.example'),
            ('BO', 'Bob Olsen', 'bo@rapport.example');
        INSERT INTO number_series (code, description, starting_no, allow_manual)
            VALUES ('SEG', 'Segments', 'SEG00001', true);
        UPDATE marketing_setup SET segment_nos = 'SEG';
        INSERT INTO languages (code, name) VALUES ('ENU', 'English'), ('DEU', 'German');
        INSERT INTO interaction_groups (code, description) VALUES ('LETTER', 'Letters'), ('PHONE', 'Calls');
        INSERT INTO campaigns (no, description) VALUES ('CP1', 'Spring fair'), ('CP2', 'Autumn fair');
        INSERT INTO interaction_templates (code, interaction_group_code, description, unit_cost, unit_duration,
                information_flow, initiated_by, correspondence_type)
            VALUES ('BUSLETTER', 'LETTER', 'Business letter', 8, 30, 'outbound', 'us', 'hard_copy'),
                   ('CALL', 'PHONE', 'Outgoing call', 1, 15, 'outbound', 'us', NULL);
        INSERT INTO attachments (file_name, file_extension, size_bytes, content)
            VALUES ('letter-enu.docx', 'docx', 3, '\\x656e75'), ('letter-deu.docx', 'docx', 3, '\\x646575');
        INSERT INTO interaction_template_languages (template_code, language_code, description, attachment_no)
            VALUES ('BUSLETTER', 'ENU', 'Letter (English)', 1), ('BUSLETTER', 'DEU', 'Letter (German)', 2);
        UPDATE interaction_templates SET language_code_default = 'ENU' WHERE code = 'BUSLETTER';
        INSERT INTO contacts (no, type, company_no, name, email, post_code, country_code, correspondence_type,
                language_code, salesperson_code, exclude_from_segment) VALUES
            ('C1', 'company', NULL, 'Alpha Ltd', 'info@alpha.example', '1000', 'DK', 'hard_copy', NULL, 'AH', false),
            ('C2', 'company', NULL, 'Beta GmbH', 'info@beta.example', '8000', 'DE', NULL, NULL, 'AH', false),
            ('P0', 'person', NULL, 'Otto Solo', 'otto@solo.example', '1200', 'DK', NULL, NULL, 'BO', false);
        INSERT INTO contacts (no, type, company_no, name, email, correspondence_type, language_code,
                salesperson_code, exclude_from_segment) VALUES
            ('P11', 'person', 'C1', 'Ann Alpha', 'ann@alpha.example', NULL, 'DEU', 'AH', false),
            ('P12', 'person', 'C1', 'Al Alpha', 'al@alpha.example', NULL, NULL, 'AH', true),
            ('P21', 'person', 'C2', 'Bea Beta', NULL, 'email', NULL, 'AH', false);
        """

    static func connect(_ server: TestServer) async throws -> RapportConnection {
        try await RapportConnection.connect(host: "127.0.0.1", port: server.port)
    }

    /// Another logged-in session: a new user of `role`, or the manager again.
    func session(_ user: String = "MANAGER", role: UserRole? = nil, salesperson: String? = nil) async throws
        -> RapportConnection
    {
        if let role { try await self.server.createUser(user, role: role, salesperson: salesperson) }
        let connection = try await Self.connect(self.server)
        try await connection.login(user: user, secret: TestServer.defaultPassword)
        return connection
    }

    func send(_ verb: String, _ arguments: [Argument] = []) async throws -> Response {
        try await self.manager.send(verb, arguments)
    }

    /// Sends as the manager and expects OK.
    @discardableResult
    func ok(_ verb: String, _ arguments: [Argument] = [], sourceLocation: SourceLocation = #_sourceLocation)
        async throws -> Response
    {
        let response = try await self.send(verb, arguments)
        if case .error(let code, let text) = response.final {
            Issue.record("\(verb) failed: \(code.rawValue) \(text)", sourceLocation: sourceLocation)
        }
        return response
    }

    /// Creates a segment and returns its number.
    func segment(_ arguments: [Argument] = []) async throws -> String {
        let response = try await self.ok("SEGMENT-CREATE", arguments)
        return Self.value(response, "segment") ?? ""
    }

    /// The contact numbers of a segment's lines, in line order.
    func contacts(_ segment: String) async throws -> [String] {
        try await self.sql("SELECT contact_no FROM segment_lines WHERE segment_no = '\(segment)' ORDER BY line_no")
            .map { $0[0] ?? "" }
    }

    /// Runs SQL on the test database; every column must be text-like (cast it).
    @discardableResult
    func sql(_ statement: String) async throws -> [[String?]] {
        try await self.server.rows(statement)
    }

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

    /// The value of `key` on data line `line`.
    static func value(_ response: Response, _ key: String, line: Int = 0) -> String? {
        guard line < response.dataLines.count else { return nil }
        for case .named(let name, let value) in response.dataLines[line].tokens where name == key {
            return value.isEmpty ? nil : value
        }
        return nil
    }

    /// The values of `key` on every data line where it is not blank.
    static func values(_ response: Response, _ key: String) -> [String] {
        response.dataLines.compactMap { line in
            for case .named(let name, let value) in line.tokens where name == key { return value.isEmpty ? nil : value }
            return nil
        }
    }

    /// `ERR code text` → text, else nil.
    static func error(_ response: Response, _ code: ErrorCode) -> String? {
        if case .error(code, let text) = response.final { return text }
        return nil
    }
}
