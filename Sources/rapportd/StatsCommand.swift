import ArgumentParser
import Foundation
import LibPQ
import RapportProtocol
import RapportStore

/// `rapportd stats …`: the DBA's tools for the running totals behind STATS and the reporting views.
struct StatsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Verify, rebuild or compact the running totals of the interaction log.",
        subcommands: [Verify.self, Rebuild.self, Compact.self]
    )

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Recompute every total from the ledger and report differences (exit status 1 when any)."
        )
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let differences = try await withTotalsPool(self.database) { pool in
                try await pool.withConnection { connection in try RunningTotalsStore.differences(connection) }
            }
            for difference in differences { print(difference) }
            guard differences.isEmpty else {
                print("\(differences.count) total(s) differ from the ledger: run `rapportd stats rebuild`")
                throw ExitCode(1)
            }
            print("running totals agree with the ledger")
        }
    }

    struct Rebuild: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Rebuild the running totals from the ledger while the server runs (a chunk of keys per transaction)."
        )
        @OptionGroup var database: DatabaseOptions
        @Option(
            help:
                "Only this family: contact, company, salesperson, template, group, campaign, logged-segment, campaign-entry."
        )
        var family: String?

        func run() async throws {
            let families: [RunningTotalsStore.Family]
            if let name = self.family {
                guard let family = RunningTotalsStore.Family(rawValue: name) else {
                    throw ValidationError("unknown family \(name)")
                }
                families = [family]
            } else {
                families = RunningTotalsStore.Family.allCases
            }
            try await withTotalsPool(self.database) { pool in
                for family in families {
                    let start = ContinuousClock.now
                    try await RunningTotalsStore.rebuild(pool, family) { done, keys, rows in
                        if done == keys { print("\(family.rawValue): \(keys) key(s), \(rows) row(s)", terminator: "") }
                    }
                    let elapsed = (ContinuousClock.now - start).components
                    let seconds = Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
                    print(" in " + String(format: "%.2f s", seconds))
                }
            }
        }
    }

    struct Compact: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Fold the deltas of logged segments and the per-session slots of past days into one row each and drop empty rows."
        )
        @OptionGroup var database: DatabaseOptions
        @Option(help: "Compact days before this date (YYYY-MM-DD); default: today.") var before: String?

        func run() async throws {
            let before = self.before ?? "today"
            if self.before != nil, CalendarDate(before) == nil {
                throw ValidationError("--before takes a date YYYY-MM-DD")
            }
            let changed = try await withTotalsPool(self.database) { pool in
                try await pool.withConnection { connection in try RunningTotalsStore.compact(connection, before: before)
                }
            }
            print("compacted: \(changed) row(s) changed")
        }
    }
}

/// Runs `body` with a one-connection pool on the configured (or embedded) database, migrated, without
/// the server's statement timeout (a verification reads the whole ledger).
private func withTotalsPool<T: Sendable>(_ database: DatabaseOptions, _ body: (PGPool) async throws -> T) async throws
    -> T
{
    let logger = makeLogger()
    return try await database.withDatabase(logger: logger) { configuration in
        _ = try await migrate(configuration, logger: logger)
        var unlimited = configuration
        unlimited.statementTimeout = nil
        let pool = PGPool(configuration: .init(connection: unlimited, size: 1), logger: logger)
        do {
            let result = try await body(pool)
            await pool.shutdown()
            return result
        } catch {
            await pool.shutdown()
            throw error
        }
    }
}
