import Foundation
import LibPQ
import PostgresLauncher
import RapportTestSupport
import Testing

/// The DBA's side of migration 0009: the group roles and the statistics views.
@Suite("Database roles and reporting views")
struct DatabaseRolesTests {
    /// Runs `body` on a connection to `database` as `user` (the test cluster trusts its socket).
    static func connect<T: Sendable>(
        _ database: TestDatabase,
        as user: String? = nil,
        _ body: @escaping @Sendable (PGConnection) throws -> T
    ) async throws -> T {
        try await TestPostgres.blocking {
            var parameters = database.cluster.connectionParameters(database: database.name)
            if let user { parameters["user"] = user }
            let connection = try PGConnection.connect(ConnectionConfiguration(parameters: parameters))
            defer { connection.close() }
            return try body(connection)
        }
    }

    /// The SQLSTATE a statement fails with, or nil when it succeeds.
    static func failure(_ connection: PGConnection, _ sql: String) -> String? {
        do {
            try connection.executeScript(sql)
            return nil
        } catch let error as PGError {
            return error.sqlState ?? "?"
        } catch {
            return "?"
        }
    }

    @Test func serverRoleHasDataButNoDDLAndReportingRoleOnlyReads() async throws {
        let database = try await TestPostgres.freshDatabase(migrated: true)
        // Login roles are cluster-wide: named after this test's database, dropped at the end.
        let app = "\(database.name)_app"
        let reporter = "\(database.name)_reporter"
        try await Self.connect(database) { connection in
            try connection.executeScript(
                """
                CREATE ROLE \(app) LOGIN IN ROLE rapport_app;
                CREATE ROLE \(reporter) LOGIN IN ROLE rapport_reporting;
                INSERT INTO salespeople (code, name) VALUES ('JO', 'Jo');
                """
            )
        }
        try await withCleanup {
            let appResults = try await Self.connect(database, as: app) { connection in
                [
                    "insert": Self.failure(connection, "INSERT INTO interaction_groups (code) VALUES ('MEET')"),
                    "update": Self.failure(connection, "UPDATE salespeople SET name = 'Jo B' WHERE code = 'JO'"),
                    "identity": Self.failure(
                        connection,
                        "INSERT INTO attachments (size_bytes, content) VALUES (1, '\\x00')"
                    ),
                    "function": Self.failure(connection, "SELECT rapport_next_number('NOPE')"),
                    "view": Self.failure(connection, "SELECT * FROM salesperson_statistics"),
                    "delete": Self.failure(connection, "DELETE FROM interaction_groups WHERE code = 'MEET'"),
                    "create": Self.failure(connection, "CREATE TABLE sneaky (id int)"),
                    "alter": Self.failure(connection, "ALTER TABLE contacts ADD COLUMN sneaky int"),
                    "drop": Self.failure(connection, "DROP VIEW contact_statistics"),
                    "truncate": Self.failure(connection, "TRUNCATE interaction_groups CASCADE"),
                    "migrations": Self.failure(connection, "DELETE FROM rapport_schema_migrations"),
                    "read migrations": Self.failure(connection, "SELECT * FROM rapport_schema_migrations"),
                ]
            }
            // rapport_next_number raises "no such series" (P0002): it ran, so EXECUTE is granted.
            #expect(
                appResults == [
                    "insert": nil, "update": nil, "identity": nil, "function": "P0002", "view": nil, "delete": nil,
                    "create": "42501", "alter": "42501", "drop": "42501", "truncate": "42501",
                    "migrations": "42501", "read migrations": nil,
                ]
            )

            let reportResults = try await Self.connect(database, as: reporter) { connection in
                var results: [String: String?] = [:]
                for view in [
                    "contact_statistics", "salesperson_statistics", "interaction_template_statistics",
                    "interaction_group_statistics", "campaign_statistics", "logged_segment_statistics",
                ] {
                    results[view] = Self.failure(connection, "SELECT * FROM \(view)")
                }
                results["table"] = Self.failure(connection, "SELECT * FROM interaction_log_entries")
                results["users"] = Self.failure(connection, "SELECT user_id, role FROM users")
                results["password"] = Self.failure(connection, "SELECT password_hash FROM users")
                results["idempotency"] = Self.failure(connection, "SELECT * FROM idempotency_keys")
                results["insert"] = Self.failure(connection, "INSERT INTO interaction_groups (code) VALUES ('X')")
                results["update"] = Self.failure(connection, "UPDATE salespeople SET name = 'x'")
                results["create"] = Self.failure(connection, "CREATE TABLE sneaky (id int)")
                return results
            }
            for (what, state) in reportResults {
                let expected: String? =
                    ["password", "idempotency", "insert", "update", "create"].contains(what) ? "42501" : nil
                #expect(state == expected, "reporting: \(what)")
            }

            // Re-running the grants is harmless (a restore or a later migration does it).
            let again = try await Self.connect(database) { Self.failure($0, "SELECT rapport_grant_roles()") }
            #expect(again == nil)
        } cleanup: {
            _ = try? await Self.connect(database) { connection in
                try connection.executeScript("DROP ROLE IF EXISTS \(app); DROP ROLE IF EXISTS \(reporter);")
            }
        }
    }

    @Test func statisticsViewsFollowTheReferenceDefinitions() async throws {
        let database = try await TestPostgres.freshDatabase(migrated: true)
        let rows = try await Self.connect(database) { connection -> [String: [String]] in
            try connection.executeScript(
                """
                INSERT INTO salespeople (code) VALUES ('JO'), ('AL');
                INSERT INTO users (user_id, password_hash) VALUES ('U', '$scrypt$x');
                INSERT INTO interaction_groups (code) VALUES ('PHONE'), ('LETTER');
                INSERT INTO interaction_templates (code, interaction_group_code) VALUES ('CALL', 'PHONE'), ('MAIL', 'LETTER');
                INSERT INTO campaigns (no) VALUES ('CP');
                INSERT INTO contacts (no, type, name) VALUES ('CO', 'company', 'Acme');
                INSERT INTO contacts (no, type, company_no, name) VALUES ('P1', 'person', 'CO', 'Pat'), ('P2', 'person', 'CO', 'Sam');
                INSERT INTO logged_segments (segment_no, description, user_id) VALUES ('SEG1', 'Mailing', 'U');
                INSERT INTO logged_segments (segment_no, description, user_id, canceled) VALUES ('SEG2', 'Old', 'U', true);
                -- contact, date, cost, duration, salesperson, template, canceled, postponed, failed, initiated, campaign, logged segment
                INSERT INTO interaction_log_entries
                    (contact_no, contact_company_no, date, cost, duration, user_id, salesperson_code,
                     interaction_group_code, interaction_template_code, canceled, postponed, attempt_failed,
                     initiated_by, campaign_no, logged_segment_entry_no)
                VALUES
                    ('P1', 'CO', '2024-03-01', 10, 5, 'U', 'JO', 'PHONE', 'CALL', false, false, false, 'us',   'CP', NULL),
                    ('P1', 'CO', '2024-03-05', 20, 5, 'U', 'JO', 'PHONE', 'CALL', true,  false, false, 'them', 'CP', NULL),
                    ('P1', 'CO', '2024-03-09', 40, 5, 'U', 'JO', 'PHONE', 'CALL', false, true,  false, 'us',   'CP', NULL),
                    ('P1', 'CO', '2024-03-07', 80, 5, 'U', 'JO', 'PHONE', 'CALL', false, false, true,  'us',   NULL, NULL),
                    ('P2', 'CO', '2024-02-01',  1, 1, 'U', 'AL', 'LETTER', 'MAIL', false, false, false, NULL,  NULL, 1),
                    ('CO', 'CO', '2024-01-01',  2, 2, 'U', 'AL', 'LETTER', 'MAIL', false, false, false, 'them', NULL, 1),
                    ('CO', 'CO', '2024-01-02',  4, 4, 'U', 'AL', 'LETTER', 'MAIL', true,  false, false, 'them', NULL, 2);
                """
            )
            var rows: [String: [String]] = [:]
            let queries: [(String, String)] = [
                (
                    "contact",
                    "SELECT contact_no, no_of_interactions::text, cost::text, duration::text, coalesce(date_of_last_interaction::text, '-'), coalesce(last_date_attempted::text, '-') FROM contact_statistics"
                ),
                (
                    "salesperson",
                    "SELECT salesperson_code, no_of_interactions::text, cost::text, duration::text FROM salesperson_statistics"
                ),
                (
                    "template",
                    "SELECT interaction_template_code, no_of_interactions::text, cost::text, duration::text FROM interaction_template_statistics"
                ),
                (
                    "group",
                    "SELECT interaction_group_code, no_of_interactions::text, cost::text, duration::text FROM interaction_group_statistics"
                ),
                (
                    "campaign",
                    "SELECT campaign_no, no_of_interactions::text, cost::text, duration::text FROM campaign_statistics"
                ),
                (
                    "segment",
                    "SELECT segment_no, no_of_interactions::text, cost::text, duration::text FROM logged_segment_statistics"
                ),
            ]
            for (name, sql) in queries {
                for row in try connection.query(PGQuery(sql: sql)) {
                    let values = try (0..<row.columnCount).map { try row.decode(String.self, at: $0) }
                    rows["\(name) \(values[0])"] = Array(values.dropFirst())
                }
            }
            return rows
        }
        // Canceled and postponed entries never count; failed attempts do (except for the last-interaction date).
        // The company sees its persons' entries; a canceled entry still dates the last interaction.
        #expect(rows["contact CO"] == ["4", "93.00", "13.00", "2024-03-05", "2024-03-07"])
        #expect(rows["contact P1"] == ["2", "90.00", "10.00", "2024-03-05", "2024-03-07"])
        #expect(rows["contact P2"] == ["1", "1.00", "1.00", "2024-02-01", "-"])
        #expect(rows["salesperson JO"] == ["2", "90.00", "10.00"])
        #expect(rows["salesperson AL"] == ["2", "3.00", "3.00"])
        #expect(rows["template CALL"] == ["2", "90.00", "10.00"])
        #expect(rows["group LETTER"] == ["2", "3.00", "3.00"])
        #expect(rows["campaign CP"] == ["1", "10.00", "5.00"])
        // A logged segment counts the entries whose Canceled equals its own.
        #expect(rows["segment SEG1"] == ["2", "3.00", "3.00"])
        #expect(rows["segment SEG2"] == ["1", "4.00", "4.00"])
    }

    @Test func statisticsViewsReadTheRunningTotals() async throws {
        let database = try await TestPostgres.freshDatabase(migrated: true)
        let plans = try await Self.connect(database) { connection -> [String] in
            try connection.executeScript(
                """
                SET enable_seqscan = off;
                SET enable_bitmapscan = off;
                """
            )
            return try [
                "SELECT * FROM interaction_template_statistics WHERE interaction_template_code = 'CALL'",
                "SELECT * FROM interaction_group_statistics WHERE interaction_group_code = 'PHONE'",
                "SELECT * FROM salesperson_statistics WHERE salesperson_code = 'AH'",
                "SELECT * FROM contact_statistics WHERE contact_no = 'CT000001'",
                "SELECT * FROM campaign_statistics WHERE campaign_no = 'CP1'",
                "SELECT * FROM logged_segment_statistics WHERE logged_segment_entry_no = 1",
            ].map { sql in
                try connection.query(PGQuery(sql: "EXPLAIN (COSTS OFF) " + sql)).map {
                    try $0.decode(String.self, at: 0)
                }
                .joined(separator: "\n")
            }
        }
        for plan in plans {
            #expect(plan.contains("interaction_totals_pkey"), "\(plan)")
            #expect(!plan.contains("interaction_log_entries"), "\(plan)")
        }
    }
}
