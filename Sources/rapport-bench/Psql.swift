import Foundation

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
        let process = Process()
        process.executableURL = URL(fileURLWithPath: cluster.program("psql"))
        process.arguments = arguments
        process.environment = cluster.environment
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let output = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0 else {
            throw BenchError("psql exited with \(process.terminationStatus): \(output)")
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
