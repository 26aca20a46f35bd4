import Foundation

/// Where PostgreSQL's server programs (`initdb`, `pg_ctl`, `postgres`) are installed.
public struct PostgresInstallation: Sendable {
    public var binDirectory: String

    public init(binDirectory: String) {
        self.binDirectory = binDirectory
    }

    public func program(_ name: String) -> String {
        (self.binDirectory as NSString).appendingPathComponent(name)
    }

    public enum LocateError: Error, CustomStringConvertible {
        case notInstalled(searched: [String])

        public var description: String {
            switch self {
            case .notInstalled(let searched):
                return
                    "PostgreSQL server programs (initdb, pg_ctl) were not found in \(searched.joined(separator: ", ")). "
                    + "Install them: apt-get install -y postgresql (Debian/Ubuntu), or set RAPPORT_PG_BINDIR."
            }
        }
    }

    /// Finds the server programs: `$RAPPORT_PG_BINDIR`, then `pg_config --bindir` (Debian's
    /// `pg_config` may belong to libpq-dev and point at a folder without a server), then the newest
    /// `/usr/lib/postgresql/N/bin`.
    public static func locate(environment: [String: String] = ProcessInfo.processInfo.environment) throws
        -> PostgresInstallation
    {
        var candidates: [String] = []
        if let explicit = environment["RAPPORT_PG_BINDIR"], !explicit.isEmpty { candidates.append(explicit) }
        if let output = try? ProcessRunner.run("pg_config", ["--bindir"]).output {
            candidates.append(output.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        for version in versions.compactMap(Int.init).sorted(by: >) {
            candidates.append("/usr/lib/postgresql/\(version)/bin")
        }
        for candidate in candidates
        where FileManager.default.isExecutableFile(atPath: (candidate as NSString).appendingPathComponent("initdb"))
            && FileManager.default.isExecutableFile(atPath: (candidate as NSString).appendingPathComponent("pg_ctl"))
        {
            return PostgresInstallation(binDirectory: candidate)
        }
        throw LocateError.notInstalled(searched: candidates.isEmpty ? ["PATH", "/usr/lib/postgresql"] : candidates)
    }
}
