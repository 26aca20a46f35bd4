import LibPQ
import RapportClient
import RapportModel
import RapportProtocol
import RapportTestSupport
import Testing

/// A running server with master data written by plain SQL, and sessions for a manager (MANAGER, no
/// salesperson of their own), ALICE (salesperson AH) and BOB (salesperson BB).
///
/// Master data: salespeople AH, BB, CC; languages ENU, DEU; groups PHONE, LETTER, DOC; campaign CP01;
/// companies CO1 (salesperson CC, e-mail) and CO2 (no e-mail, prefers hard copy); person PE1 of CO1
/// (language DEU, prefers hard copy, e-mail); templates
/// - CALL: PHONE, "Phone call", 1.00 / 15, outbound / us, correspondence type blank;
/// - LETTER: LETTER, "Business letter", 8.00 / 30, hard copy, campaign CP01 (target, response);
/// - MAIL: LETTER, "Newsletter", 0.50 / 1, e-mail, ignores the contact's type, default language ENU,
///   language rows ENU and DEU with attachments ("hello" / "hallo");
/// - PLAIN: LETTER, "Plain", e-mail without content (for the e-mail check);
/// - OPENER: LETTER, "Opener", correspondence type blank, wizard action open, no content;
/// - NODESC: PHONE, no description, correspondence type blank;
/// - S_INV: DOC, "Invoice", 8.00 / 1, blank type (document logging, no languages);
/// - S_QTE: DOC, with a language row ENU (refused for document logging).
struct InteractionKit {
    let server: TestServer
    let manager: RapportConnection
    let alice: RapportConnection
    let bob: RapportConnection

    static func start(poolSize: Int = 4) async throws -> InteractionKit {
        let server = try await TestServer.start(poolSize: poolSize)
        try await Self.sql(server, Self.masterData)
        try await server.createUser("MANAGER", role: .manager)
        try await server.createUser("ALICE", role: .salesperson, salesperson: "AH")
        try await server.createUser("BOB", role: .salesperson, salesperson: "BB")
        return InteractionKit(
            server: server,
            manager: try await Self.login(server, "manager"),
            alice: try await Self.login(server, "alice"),
            bob: try await Self.login(server, "bob")
        )
    }

    static let masterData = """
        BEGIN;
        INSERT INTO salespeople (code, name, email) VALUES
            ('AH', 'Annette Hill', 'ah@example.com'), ('BB', 'Bert Bloom', NULL), ('CC', 'Cora Cole', NULL);
        INSERT INTO languages (code, name) VALUES ('ENU', 'English'), ('DEU', 'German');
        INSERT INTO interaction_groups (code, description) VALUES
            ('PHONE', 'Phone calls'), ('LETTER', 'Letters'), ('DOC', 'Documents');
        INSERT INTO campaigns (no, description) VALUES ('CP01', 'Spring fair'), ('CP02', 'Autumn');
        INSERT INTO contacts (no, type, name, salesperson_code, email, correspondence_type) VALUES
            ('CO1', 'company', 'Lee & Co', 'CC', 'info@lee.example', NULL),
            ('CO2', 'company', 'No Mail Ltd', 'CC', NULL, 'hard_copy');
        INSERT INTO contacts (no, type, company_no, name, salesperson_code, language_code, correspondence_type, email)
            VALUES ('PE1', 'person', 'CO1', 'Ann Lee', 'BB', 'DEU', 'hard_copy', 'ann@lee.example');
        INSERT INTO contact_business_relations (contact_no, link_to, account_no) VALUES
            ('CO1', 'customer', 'C10000'), ('CO2', 'vendor', 'V20000');
        INSERT INTO interaction_templates (code, interaction_group_code, description, unit_cost, unit_duration,
                information_flow, initiated_by, correspondence_type) VALUES
            ('CALL', 'PHONE', 'Phone call', 1, 15, 'outbound', 'us', NULL),
            ('NODESC', 'PHONE', NULL, 0, 0, NULL, NULL, NULL),
            ('PLAIN', 'LETTER', 'Plain', 0, 0, NULL, NULL, 'email'),
            ('S_INV', 'DOC', 'Invoice', 8, 1, 'outbound', 'us', NULL),
            ('S_QTE', 'DOC', 'Quote', 8, 1, 'outbound', 'us', NULL);
        INSERT INTO interaction_templates (code, interaction_group_code, description, unit_cost, unit_duration,
                information_flow, initiated_by, correspondence_type, campaign_no, campaign_target,
                campaign_response) VALUES
            ('LETTER', 'LETTER', 'Business letter', 8, 30, 'outbound', 'us', 'hard_copy', 'CP01', true, true);
        INSERT INTO interaction_templates (code, interaction_group_code, description, correspondence_type,
                wizard_action) VALUES ('OPENER', 'LETTER', 'Opener', NULL, 'open');
        INSERT INTO interaction_templates (code, interaction_group_code, description, unit_cost, unit_duration,
                correspondence_type, ignore_contact_corres_type, language_code_default) VALUES
            ('MAIL', 'LETTER', 'Newsletter', 0.5, 1, 'email', true, 'ENU');
        INSERT INTO attachments (file_name, file_extension, size_bytes, content) VALUES
            ('en.html', 'html', 5, 'hello'::bytea), ('de.html', 'html', 5, 'hallo'::bytea);
        INSERT INTO interaction_template_languages (template_code, language_code, attachment_no)
            SELECT 'MAIL', 'ENU', no FROM attachments WHERE file_name = 'en.html';
        INSERT INTO interaction_template_languages (template_code, language_code, attachment_no)
            SELECT 'MAIL', 'DEU', no FROM attachments WHERE file_name = 'de.html';
        INSERT INTO interaction_template_languages (template_code, language_code) VALUES ('S_QTE', 'ENU');
        COMMIT;
        """

    static func login(_ server: TestServer, _ user: String) async throws -> RapportConnection {
        let connection = try await RapportConnection.connect(host: "127.0.0.1", port: server.port)
        try await connection.login(user: user, secret: TestServer.defaultPassword)
        return connection
    }

    func stop() async throws {
        for connection in [self.manager, self.alice, self.bob] { await connection.close() }
        try await self.server.stop()
    }

    // MARK: SQL

    static func sql(_ server: TestServer, _ script: String) async throws {
        try await server.script(script)
    }

    func sql(_ script: String) async throws {
        try await Self.sql(self.server, script)
    }

    /// Rows of a query, every column as text (NULL = nil).
    func rows(_ query: String) async throws -> [[String?]] {
        try await self.server.rows(query)
    }

    /// The single text value of a query.
    func value(_ query: String) async throws -> String? {
        try await self.rows(query).first?.first ?? nil
    }

    /// The number a count query returns.
    func count(_ query: String) async throws -> Int {
        Int(try await self.value("SELECT (\(query))::text") ?? "") ?? -1
    }

    /// One entry's columns, by name, all as text.
    func entry(_ entryNo: String, _ columns: String) async throws -> [String?] {
        try await self.rows("SELECT \(columns) FROM interaction_log_entries WHERE entry_no = \(Int(entryNo) ?? 0)")
            .first ?? []
    }
}

extension RapportConnection {
    /// Sends and expects OK, recording an issue with the error otherwise.
    @discardableResult
    func expectOK(
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

    /// Sends and expects `ERR code`; returns the error text.
    @discardableResult
    func expectRefused(
        _ code: ErrorCode,
        _ verb: String,
        _ arguments: [Argument] = [],
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> String {
        let response = try await self.send(verb, arguments)
        guard case .error(let got, let text) = response.final else {
            Issue.record("\(verb) succeeded, expected \(code.rawValue)", sourceLocation: sourceLocation)
            return ""
        }
        #expect(got == code, "\(text)", sourceLocation: sourceLocation)
        return text
    }

    /// Logs an interaction and returns its entry number.
    func logInteraction(_ arguments: [Argument], sourceLocation: SourceLocation = #_sourceLocation) async throws
        -> String
    {
        let response = try await self.expectOK("INTERACTION-CREATE", arguments, sourceLocation: sourceLocation)
        return response.field("entry") ?? ""
    }
}

extension Response {
    /// The value of `key` on data line `line`.
    func field(_ key: String, line: Int = 0) -> String? {
        guard self.dataLines.indices.contains(line) else { return nil }
        // A blank value (`key=`, every declared key is on every line) reads as nil, like an absent key.
        for case .named(let name, let value) in self.dataLines[line].tokens where name == key {
            return value.isEmpty ? nil : value
        }
        return nil
    }

    /// The values of `key` on every data line.
    func fields(_ key: String) -> [String?] {
        self.dataLines.indices.map { self.field(key, line: $0) }
    }

    var replyText: String {
        switch self.final {
        case .ok(let text), .error(_, let text), .bye(let text): return text
        }
    }
}
