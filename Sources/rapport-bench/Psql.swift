import Foundation
import PostgresLauncher

/// Runs SQL through `psql`, the yardstick of QUALITY.md: what PostgreSQL itself needs for the statement.
enum Psql {
    struct Timing {
        /// The statement time psql reports (`\timing`), in seconds.
        var statement: Double
        /// The whole psql run (start, connect, statement, exit), in seconds.
        var wall: Double
    }

    /// Runs `sql` (one statement, autocommit) and returns its timing.
    static func time(_ sql: String, cluster: BenchCluster) throws -> Timing {
        let started = ContinuousClock.now
        let output = try Self.run(
            ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", "\\timing on", "-c", sql],
            cluster: cluster
        )
        let wall = ContinuousClock.now - started
        guard let line = output.split(separator: "\n").last(where: { $0.hasPrefix("Time: ") }),
            let milliseconds = Double(line.dropFirst("Time: ".count).split(separator: " ")[0])
        else { throw BenchError("psql printed no timing: \(output)") }
        return Timing(statement: milliseconds / 1000, wall: wall.seconds)
    }

    @discardableResult
    static func run(_ arguments: [String], cluster: BenchCluster) throws -> String {
        try Program.run(cluster.program("psql"), arguments, environment: cluster.environment)
    }
}

/// Runs a program to completion and returns what it printed (stdout and stderr); throws when it exits
/// non-zero. The child starts with no signal blocked: a child spawned from one of Swift's pool threads
/// would otherwise inherit their blocked signals, and `pgbench -T` (SIGALRM) would never stop.
enum Program {
    static func run(_ path: String, _ arguments: [String], environment: [String: String]) throws -> String {
        let outputPath = NSTemporaryDirectory() + "rapport-bench-\(UUID().uuidString).out"
        defer { unlink(outputPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        InheritedDescriptors.close(in: &actions)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK))

        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { envp.forEach { free($0) } }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
        guard spawned == 0 else { throw BenchError("\(path): \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 {
            guard errno == EINTR else { throw BenchError("\(path): waitpid failed") }
        }
        let output = String(decoding: FileManager.default.contents(atPath: outputPath) ?? Data(), as: UTF8.self)
        guard status == 0 else {
            let exit = status & 0x7f == 0 ? "status \(status >> 8)" : "signal \(status & 0x7f)"
            throw BenchError("\((path as NSString).lastPathComponent) exited with \(exit): \(output)")
        }
        return output
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension Duration {
    var seconds: Double {
        let (seconds, attoseconds) = self.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
