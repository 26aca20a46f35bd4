import Foundation
import LibPQ

/// Upkeep of the running totals (sql/0016): compare them with the ledger, rebuild them, compact them.
/// The triggers keep them right in every transaction; these are the DBA's tools to prove it and to
/// repair after a manual change with the triggers disabled.
public enum RunningTotalsStore {
    /// One (kind, key, day) whose totals differ from a recomputation from the ledger.
    public struct Difference: Sendable, Equatable, CustomStringConvertible {
        public var kind: String
        public var key: String
        public var day: String
        public var ledger: String
        public var totals: String

        public var description: String {
            "\(self.kind) \(self.key) \(self.day): ledger \(self.ledger); totals \(self.totals)"
        }
    }

    /// A family of totals rows, rebuilt together: a kind and its monthly twin. Chunk sizes keep each
    /// rebuild transaction (which holds the ledger's writers back) to about a second.
    public enum Family: String, Sendable, CaseIterable {
        case contact, company, salesperson, template, group, campaign
        case loggedSegment = "logged-segment"
        case campaignEntry = "campaign-entry"

        var keysPerTransaction: Int {
            switch self {
            case .contact, .company: 2000
            case .loggedSegment, .campaignEntry: 200
            case .salesperson, .template, .group, .campaign: 1
            }
        }
    }

    /// Every difference between the totals and the ledger, read in one snapshot (both commit together,
    /// so a correct database has none, whatever runs meanwhile).
    public static func differences(_ connection: PGConnection) throws -> [Difference] {
        try connection.transaction(.repeatableRead) { connection in
            try connection.query("SELECT kind, key, day::text, ledger, totals FROM rapport_totals_differences()")
                .map { row in
                    Difference(
                        kind: try row.decode(String.self, at: 0),
                        key: try row.decode(String.self, at: 1),
                        day: try row.decode(String.self, at: 2),
                        ledger: try row.decode(String.self, at: 3),
                        totals: try row.decode(String.self, at: 4)
                    )
                }
        }
    }

    /// Rebuilds one family from the ledger, a chunk of keys per transaction, so that the server keeps
    /// serving; `progress` hears after each chunk how many keys are done and how many rows were written.
    public static func rebuild(
        _ pool: PGPool,
        _ family: Family,
        progress: @escaping @Sendable (_ keysDone: Int, _ keys: Int, _ rows: Int) -> Void
    ) async throws {
        let keys = try await pool.withConnection { connection in
            try connection.query("SELECT k FROM rapport_totals_keys(\(family.rawValue)) k").map {
                try $0.decode(String.self, at: 0)
            }
        }
        var done = 0
        var rows = 0
        while done < keys.count {
            let chunk = Array(keys[done..<min(done + family.keysPerTransaction, keys.count)])
            rows += try await pool.withTransaction { connection in
                try connection.query("SELECT rapport_totals_rebuild(\(family.rawValue), \(chunk))")[0]
                    .decode(Int.self, at: 0)
            }
            done += chunk.count
            progress(done, keys.count, rows)
        }
        if keys.isEmpty { progress(0, 0, 0) }
    }

    /// Folds the deltas of logged segments (sql/0023, all of them) and the slots of every key and day before
    /// `before` into one row and drops empty rows; returns the rows changed.
    public static func compact(_ connection: PGConnection, before: String) throws -> Int {
        try connection.query("SELECT rapport_totals_compact(\(before)::date)")[0].decode(Int.self, at: 0)
    }
}
