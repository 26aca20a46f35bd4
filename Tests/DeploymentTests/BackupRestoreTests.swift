import Foundation
import LibPQ
import PostgresLauncher
import RapportProtocol
import RapportTestSupport
import Synchronization
import Testing

/// deploy/backup.sh and deploy/restore.sh (QUALITY R7): a backup taken while interactions are
/// being logged, restored into a fresh cluster, holds every entry acknowledged before the backup
/// began, and the restored database is current and serves.
@Suite("Backup and restore", .timeLimit(.minutes(2)))
struct BackupRestoreTests {
    @Test func backupDuringLoggingRestoresIntoAFreshCluster() async throws {
        let rapportd = try Toolbox.rapportd()
        for tool in ["pg_dump", "pg_restore", "psql"] { _ = try Toolbox.tool(tool, package: "postgresql-client") }
        let database = try await TestPostgres.freshDatabase(migrated: true)
        let sourceURL = Toolbox.databaseURL(database.cluster.connectionParameters(database: database.name))
        let scratch = try Toolbox.scratchDirectory("backup")
        let backups = (scratch as NSString).appendingPathComponent("backups")
        let restoreCluster = try EmbeddedCluster(
            options: .init(directory: (scratch as NSString).appendingPathComponent("pg"), durable: false),
            installation: try PostgresInstallation.locate()
        )
        let processes = ProcessGroup()
        let writer = EntryWriter()

        try await withCleanup {
            try await TestPostgres.blocking { try EntryWriter.createMasterData(database) }

            // Interactions are logged, one committed transaction each, for the whole backup.
            let writing = Task { try await TestPostgres.blocking { try writer.run(database) } }
            try await writer.waitUntil(acknowledged: 30, timeout: .seconds(20))
            let acknowledgedBeforeBackup = writer.acknowledged()
            let backup = try await TestPostgres.blocking {
                try ChildProcess.run(
                    "/bin/bash",
                    [Toolbox.repositoryFile("deploy/backup.sh"), "--dir", backups, "--keep", "3"],
                    environment: Toolbox.environment(["RAPPORT_DATABASE_URL": sourceURL]),
                    logDirectory: scratch,
                    name: "backup"
                )
            }
            let acknowledgedAfterBackup = writer.acknowledged().count
            try await writer.waitUntil(acknowledged: acknowledgedAfterBackup + 20, timeout: .seconds(20))
            writer.stop()
            try await writing.value
            try #require(backup.status == 0, "backup.sh failed: \(backup.errors)")
            let file = backup.output.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(file.hasPrefix(backups + "/rapport-") && file.hasSuffix(".dump"), "\(file)")
            #expect(FileManager.default.fileExists(atPath: file))
            #expect(!FileManager.default.fileExists(atPath: file + ".partial"))
            let allAcknowledged = Set(writer.acknowledged())

            // A fresh cluster, an empty database, restore.sh.
            try await TestPostgres.blocking {
                try restoreCluster.start()
                let admin = try PGConnection.connect(
                    ConnectionConfiguration(parameters: restoreCluster.connectionParameters(database: "postgres"))
                )
                defer { admin.close() }
                try admin.execute("CREATE DATABASE restored")
            }
            let restoredParameters = restoreCluster.connectionParameters(database: "restored")
            let restoredURL = Toolbox.databaseURL(restoredParameters)
            let restore = try await TestPostgres.blocking {
                try ChildProcess.run(
                    "/bin/bash",
                    [Toolbox.repositoryFile("deploy/restore.sh"), "--database-url", restoredURL, file],
                    environment: Toolbox.environment(),
                    logDirectory: scratch,
                    name: "restore"
                )
            }
            try #require(restore.status == 0, "restore.sh failed: \(restore.errors)")

            let (restored, comments, grants) = try await TestPostgres.blocking {
                let connection = try PGConnection.connect(ConnectionConfiguration(parameters: restoredParameters))
                defer { connection.close() }
                let entries = try connection.query("SELECT entry_no FROM interaction_log_entries").map {
                    try $0.decode(Int64.self, at: 0)
                }
                let comments = try connection.query("SELECT count(*) FROM interaction_log_entry_comments")[0]
                    .decode(Int.self, at: 0)
                let grants = try connection.query(
                    """
                    SELECT has_table_privilege('rapport_app', 'interaction_log_entries', 'INSERT')
                       AND has_table_privilege('rapport_reporting', 'contact_statistics', 'SELECT')
                       AND NOT has_column_privilege('rapport_reporting', 'users', 'password_hash', 'SELECT')
                    """
                )[0].decode(Bool.self, at: 0)
                return (Set(entries), comments, grants)
            }
            let missing = acknowledgedBeforeBackup.filter { !restored.contains($0) }
            #expect(missing.isEmpty, "entries acknowledged before the backup began are missing: \(missing.prefix(20))")
            #expect(restored.isSubset(of: allAcknowledged), "the backup holds entries that were never committed")
            #expect(acknowledgedAfterBackup > acknowledgedBeforeBackup.count, "nothing was logged during the backup")
            #expect(comments == restored.count, "an entry and its comment line were committed together")
            #expect(grants, "restore.sh re-creates the grants of rapport_app and rapport_reporting")

            // The restored schema is current, and rapportd serves from it.
            let migrate = try await TestPostgres.blocking {
                try ChildProcess.run(
                    rapportd,
                    ["migrate", "--database-url", restoredURL],
                    environment: Toolbox.environment(),
                    logDirectory: scratch,
                    name: "migrate"
                )
            }
            #expect(migrate.status == 0, "\(migrate.errors)")
            #expect(migrate.output.contains("schema current: 0 migration(s) applied"), "\(migrate.output)")
            let replica = try await startReplica(
                name: "rapportd-restored",
                binary: rapportd,
                databaseURL: restoredURL,
                arguments: [],
                logDirectory: scratch,
                group: processes
            )
            let health = try await LineSession.with(port: replica.port) { session in
                _ = try await session.reply()
                return try await session.request("HEALTH")
            }
            guard case .reply(let response) = health else {
                Issue.record("no reply to HEALTH from the restored database's server")
                return
            }
            #expect(response.final == .ok("ready"))
            #expect(response.dataLines.first?.tokens.contains(.named("database", "up")) == true)
        } cleanup: {
            writer.stop()
            await processes.stopAll()
            try? restoreCluster.stop()
            try? FileManager.default.removeItem(atPath: scratch)
        }
    }

    @Test func backupRetentionKeepsTheNewestAndDropsOldOnes() async throws {
        _ = try Toolbox.tool("pg_dump", package: "postgresql-client")
        let database = try await TestPostgres.freshDatabase(migrated: true)
        let url = Toolbox.databaseURL(database.cluster.connectionParameters(database: database.name))
        let scratch = try Toolbox.scratchDirectory("retention")
        let backups = (scratch as NSString).appendingPathComponent("backups")

        try await withCleanup {
            func backup(_ arguments: [String]) async throws -> String {
                let run = try await TestPostgres.blocking {
                    try ChildProcess.run(
                        "/bin/bash",
                        [Toolbox.repositoryFile("deploy/backup.sh")] + arguments,
                        environment: Toolbox.environment([
                            "RAPPORT_DATABASE_URL": url, "RAPPORT_BACKUP_DIR": backups,
                        ]),
                        logDirectory: scratch,
                        name: "backup"
                    )
                }
                try #require(run.status == 0, "backup.sh failed: \(run.errors)")
                return run.output.trimmingCharacters(in: .whitespacesAndNewlines)
            }
            func dumps() throws -> [String] {
                try FileManager.default.contentsOfDirectory(atPath: backups).filter { $0.hasSuffix(".dump") }.sorted()
            }

            // By count.
            var newest = ""
            for _ in 0..<3 { newest = try await backup(["--keep", "2"]) }
            #expect(try dumps().count == 2)
            #expect(FileManager.default.fileExists(atPath: newest))

            // By age: an old backup goes, the new one stays even with no count limit.
            let old = (backups as NSString).appendingPathComponent("rapport-20000101T000000Z.dump")
            try Data("old".utf8).write(to: URL(fileURLWithPath: old))
            try FileManager.default.setAttributes(
                [.modificationDate: Date(timeIntervalSinceNow: -10 * 86400)],
                ofItemAtPath: old
            )
            let unrelated = (backups as NSString).appendingPathComponent("notes.txt")
            try Data("keep me".utf8).write(to: URL(fileURLWithPath: unrelated))
            try FileManager.default.setAttributes(
                [.modificationDate: Date(timeIntervalSinceNow: -10 * 86400)],
                ofItemAtPath: unrelated
            )
            newest = try await backup(["--keep", "0", "--max-age-days", "3"])
            #expect(!FileManager.default.fileExists(atPath: old))
            #expect(FileManager.default.fileExists(atPath: unrelated), "only files the script named are removed")
            #expect(FileManager.default.fileExists(atPath: newest))
            #expect(try dumps().count == 3)

            // Bad arguments are refused before anything happens.
            let bad = try await TestPostgres.blocking {
                try ChildProcess.run(
                    "/bin/bash",
                    [Toolbox.repositoryFile("deploy/backup.sh"), "--keep", "many"],
                    environment: Toolbox.environment(),
                    logDirectory: scratch,
                    name: "backup-bad"
                )
            }
            #expect(bad.status == 2)
            #expect(bad.errors.contains("--keep must be a whole number"))
        } cleanup: {
            try? FileManager.default.removeItem(atPath: scratch)
        }
    }
}

/// Logs interaction entries, one committed transaction each (the entry and a comment line), and
/// remembers the entry number of every one whose COMMIT returned.
final class EntryWriter: Sendable {
    private let entries = Mutex<[Int64]>([])
    private let stopped = Atomic<Bool>(false)

    func stop() { self.stopped.store(true, ordering: .relaxed) }
    func acknowledged() -> [Int64] { self.entries.withLock { $0 } }

    func waitUntil(acknowledged count: Int, timeout: Duration) async throws {
        let deadline = ContinuousClock.now + timeout
        while self.acknowledged().count < count {
            if ContinuousClock.now > deadline || self.stopped.load(ordering: .relaxed) {
                throw ChildProcess.SpawnError(description: "only \(self.acknowledged().count) entries logged")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// The rows an entry needs: a salesperson, a user, a group and template, a company and a person.
    static func createMasterData(_ database: TestDatabase) throws {
        let connection = try database.connect()
        defer { connection.close() }
        try connection.executeScript(
            """
            INSERT INTO salespeople (code, name) VALUES ('JO', 'Jo Seller');
            INSERT INTO users (user_id, password_hash, salesperson_code) VALUES ('JO', '$scrypt$not-a-real-hash', 'JO');
            INSERT INTO interaction_groups (code, description) VALUES ('PHONE', 'Phone calls');
            INSERT INTO interaction_templates (code, interaction_group_code, description, unit_cost, unit_duration)
                VALUES ('CALL', 'PHONE', 'Outgoing call', 2.50, 10);
            INSERT INTO contacts (no, type, name) VALUES ('CT1', 'company', 'Acme');
            INSERT INTO contacts (no, type, company_no, name) VALUES ('CT2', 'person', 'CT1', 'Pat Acme');
            """
        )
    }

    /// Logs until stopped. Blocks: run it from `TestPostgres.blocking`.
    func run(_ database: TestDatabase) throws {
        let connection = try database.connect()
        defer { connection.close() }
        var count = 0
        while !self.stopped.load(ordering: .relaxed) {
            count += 1
            let contact = count % 2 == 0 ? "CT1" : "CT2"
            let entry = try connection.transaction { connection -> Int64 in
                let rows = try connection.query(
                    """
                    INSERT INTO interaction_log_entries
                        (contact_no, contact_company_no, date, description, cost, duration, user_id,
                         interaction_group_code, interaction_template_code, salesperson_code, initiated_by)
                    VALUES (\(contact), 'CT1', CURRENT_DATE, \("call \(count)"), 2.50, 10, 'JO',
                            'PHONE', 'CALL', 'JO', 'us')
                    RETURNING entry_no
                    """
                )
                let entry = try rows[0].decode(Int64.self, at: 0)
                try connection.execute(
                    "INSERT INTO interaction_log_entry_comments (entry_no, line_no, comment) VALUES (\(entry), 10000, 'logged by the backup test')"
                )
                return entry
            }
            // COMMIT returned: the entry is acknowledged.
            self.entries.withLock { $0.append(entry) }
        }
    }
}
