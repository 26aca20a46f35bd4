import LibPQ
import RapportClient
import RapportModel
import RapportProtocol
import RapportTestSupport
import Testing

/// Migration 0012 replaces the per-row foreign keys of the bulk tables (log entries, segment lines, segment
/// history) by set-based guards. These tests check that integrity is unchanged: missing parents are refused
/// with SQLSTATE 23503 and the old constraint name, used parents cannot be deleted or renamed, and the
/// referential actions (CASCADE, SET NULL) still happen.
@Suite("Segment reference guards", .serialized)
struct SegmentReferenceGuardTests {
    /// Runs `sql` and returns the SQLSTATE and constraint it failed with (nil, nil when it succeeded).
    static func failure(_ kit: SegmentKit, _ sql: String) async throws -> [String?] {
        let database = kit.server.database
        return try await TestPostgres.blocking {
            let connection = try database.connect()
            defer { connection.close() }
            do {
                try connection.executeScript(sql)
                return [nil, nil]
            } catch let error as PGError {
                return [error.sqlState, error.constraint]
            }
        }
    }

    @Test func missingParentsAreRefusedLikeForeignKeys() async throws {
        let kit = try await SegmentKit.start()
        let seg = try await kit.segment([.named("description", "Guards")])
        try await kit.script("INSERT INTO users (user_id, password_hash) VALUES ('LOADER', '$x$y')")
        let entry = """
            INSERT INTO interaction_log_entries (contact_no, date, user_id, interaction_group_code,
                interaction_template_code, salesperson_code, campaign_no, logged_segment_entry_no)
            VALUES
            """
        #expect(
            try await Self.failure(kit, entry + "('P0', '2025-01-01', 'LOADER', 'PHONE', 'NOPE', 'AH', NULL, NULL)")
                == ["23503", "interaction_log_entries_interaction_template_code_fkey"]
        )
        #expect(
            try await Self.failure(kit, entry + "('NOBODY', '2025-01-01', 'LOADER', 'PHONE', 'CALL', 'AH', NULL, NULL)")
                == ["23503", "interaction_log_entries_contact_no_fkey"]
        )
        #expect(
            try await Self.failure(kit, entry + "('P0', '2025-01-01', 'LOADER', 'PHONE', 'CALL', 'AH', 'CPX', NULL)")
                == ["23503", "interaction_log_entries_campaign_no_fkey"]
        )
        #expect(
            try await Self.failure(kit, entry + "('P0', '2025-01-01', 'LOADER', 'PHONE', 'CALL', 'AH', NULL, 999)")
                == ["23503", "interaction_log_entries_logged_segment_entry_no_fkey"]
        )
        #expect(
            try await Self.failure(kit, entry + "('P0', '2025-01-01', 'NOUSER', 'PHONE', 'CALL', 'AH', NULL, NULL)")
                == ["23503", "interaction_log_entries_user_id_fkey"]
        )
        #expect(
            try await Self.failure(kit, entry + "('P0', '2025-01-01', 'LOADER', 'PHONE', 'CALL', 'AH', NULL, NULL)")
                == [nil, nil]
        )
        // Updates that change a reference are checked too.
        #expect(
            try await Self.failure(kit, "UPDATE interaction_log_entries SET salesperson_code = 'ZZ'")
                == ["23503", "interaction_log_entries_salesperson_code_fkey"]
        )
        #expect(
            try await Self.failure(
                kit,
                "INSERT INTO segment_lines (segment_no, line_no, contact_no) VALUES ('\(seg)', 10000, 'NOBODY')"
            ) == ["23503", "segment_lines_contact_no_fkey"]
        )
        #expect(
            try await Self.failure(
                kit,
                "INSERT INTO segment_lines (segment_no, line_no, contact_no) VALUES ('NOSEG', 10000, 'P0')"
            ) == ["23503", "segment_lines_segment_no_fkey"]
        )
        #expect(
            try await Self.failure(
                kit,
                """
                INSERT INTO segment_history (segment_no, segment_action_no, segment_line_no, contact_no, action_taken)
                VALUES ('NOSEG', 1, 10000, 'P0', 'insertion')
                """
            ) == ["23503", "segment_history_segment_no_fkey"]
        )
        try await kit.stop()
    }

    @Test func usedParentsCannotGoAndReferentialActionsHappen() async throws {
        let kit = try await SegmentKit.start()
        let seg = try await kit.segment([
            .named("description", "Guards"), .named("template", "BUSLETTER"), .named("campaign", "CP1"),
        ])
        try await kit.ok("SEGMENT-ADD-CONTACTS", [.positional(seg), .named("contact", "P0|P11")])
        let followUp = try #require(
            SegmentKit.value(
                try await kit.ok("LOG-SEGMENT", [.positional(seg), .named("follow-up", "true")]),
                "follow-up"
            )
        )
        // Parents in use by entries or lines.
        #expect(
            try await Self.failure(kit, "DELETE FROM interaction_templates WHERE code = 'BUSLETTER'")
                == ["23503", "interaction_log_entries_interaction_template_code_fkey"]
        )
        #expect(
            try await Self.failure(kit, "DELETE FROM contacts WHERE no = 'P0'")
                == ["23503", "segment_lines_contact_no_fkey"]
        )
        // (Headers and campaign entries refer to them by real foreign keys too: any of them may answer.)
        #expect(try await Self.failure(kit, "UPDATE salespeople SET code = 'AX' WHERE code = 'AH'").first == "23503")
        #expect(try await Self.failure(kit, "UPDATE campaigns SET no = 'CPZ' WHERE no = 'CP1'").first == "23503")
        try await kit.script(
            """
            INSERT INTO users (user_id, password_hash) VALUES ('LOADER', '$x$y');
            INSERT INTO interaction_log_entries (contact_no, date, user_id, interaction_group_code, interaction_template_code)
            VALUES ('P0', '2025-01-01', 'LOADER', 'PHONE', 'CALL');
            """
        )
        #expect(
            try await Self.failure(kit, "UPDATE users SET user_id = 'UNLOADER' WHERE user_id = 'LOADER'")
                == ["23503", "interaction_log_entries_user_id_fkey"]
        )
        #expect(
            try await Self.failure(kit, "DELETE FROM users WHERE user_id = 'LOADER'")
                == ["23503", "interaction_log_entries_user_id_fkey"]
        )
        // Deleting the follow-up segment deletes its lines and history (CASCADE).
        try await kit.ok("SEGMENT-DELETE", [.positional(followUp)])
        #expect(
            try await kit.sql(
                """
                SELECT (SELECT count(*) FROM segment_lines)::text, (SELECT count(*) FROM segment_history)::text
                """
            ) == [["0", "0"]]
        )
        // A contact without lines but with history: its history rows go with it (CASCADE).
        let other = try await kit.segment()
        try await kit.ok("SEGMENT-ADD-CONTACTS", [.positional(other), .named("contact", "C2")])
        try await kit.ok("SEGMENT-REDUCE", [.positional(other), .named("contact", "C2")])
        try await kit.script("DELETE FROM contacts WHERE no = 'P21'; DELETE FROM contacts WHERE no = 'C2'")
        #expect(try await kit.scalar("SELECT count(*)::text FROM segment_history WHERE contact_no = 'C2'") == "0")
        // Deleting a logged segment unlinks its entries (SET NULL); deleting a campaign entry deletes its
        // entries (CASCADE).
        try await kit.script("DELETE FROM logged_segments")
        #expect(
            try await kit.scalar(
                "SELECT count(*)::text FROM interaction_log_entries WHERE logged_segment_entry_no IS NULL"
            )
                == "3"
        )
        try await kit.script("DELETE FROM campaign_entries")
        #expect(try await kit.scalar("SELECT string_agg(user_id, ',') FROM interaction_log_entries") == "LOADER")
        try await kit.stop()
    }

    /// The insert-side guard locks the parents it checked (FOR KEY SHARE, as a foreign key does): a concurrent
    /// delete of such a parent waits for the inserting transaction and is then refused.
    @Test func aConcurrentDeleteOfAParentWaitsAndIsRefused() async throws {
        let kit = try await SegmentKit.start()
        let database = kit.server.database
        let inserter = try database.connect()
        try inserter.execute("INSERT INTO users (user_id, password_hash) VALUES ('LOADER', '$x$y')")
        try inserter.execute("BEGIN")
        try inserter.execute(
            """
            INSERT INTO interaction_log_entries (contact_no, contact_company_no, date, user_id,
                interaction_group_code, interaction_template_code)
            VALUES ('P21', 'C2', '2025-01-01', 'LOADER', 'PHONE', 'CALL')
            """
        )
        let deleting = Task {
            try await TestPostgres.blocking { () -> String? in
                let deleter = try database.connect()
                defer { deleter.close() }
                do {
                    try deleter.execute("DELETE FROM contacts WHERE no = 'P21'")
                    return nil
                } catch let error as PGError {
                    return error.sqlState
                }
            }
        }
        try await Task.sleep(for: .milliseconds(300))
        try inserter.execute("COMMIT")
        inserter.close()
        #expect(try await deleting.value == "23503")
        #expect(try await kit.scalar("SELECT count(*)::text FROM contacts WHERE no = 'P21'") == "1")
        try await kit.stop()
    }
}
