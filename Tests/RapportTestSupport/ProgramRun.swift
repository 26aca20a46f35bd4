import Foundation

/// Runs a program to its end and collects its output, off Swift's cooperative threads.
///
/// Why: the tests' servers run in the same process on the cooperative pool (two threads on a
/// two-core machine); a test that waited on a child there would starve the very server the child
/// talks to, and both would wait forever.
public enum ProgramRun {
    public struct Result: Sendable {
        public var status: Int32
        public var output: String
        public var errors: String
    }

    /// `program` with `arguments`, the test's environment without `RAPPORT_*` plus `environment`,
    /// and `input` on its standard input.
    public static func run(
        _ program: String,
        _ arguments: [String],
        environment: [String: String] = [:],
        input: String? = nil
    ) async throws -> Result {
        try await TestPostgres.blocking {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: program)
            process.arguments = arguments
            var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("RAPPORT_") }
            // A crash prints its message and exits instead of waiting on Swift's backtracer.
            env["SWIFT_BACKTRACE"] = "enable=no"
            env.merge(environment) { $1 }
            process.environment = env
            let output = Pipe()
            let errors = Pipe()
            let stdin = Pipe()
            process.standardOutput = output
            process.standardError = errors
            process.standardInput = stdin
            try process.run()
            if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
            try stdin.fileHandleForWriting.close()
            // Both pipes at once: a child filling one while the other is read would never finish.
            let errorsRead = DispatchSemaphore(value: 0)
            let errorBytes = ErrorBytes()
            Thread {
                errorBytes.data = errors.fileHandleForReading.readDataToEndOfFile()
                errorsRead.signal()
            }.start()
            let out = output.fileHandleForReading.readDataToEndOfFile()
            errorsRead.wait()
            process.waitUntilExit()
            return Result(
                status: process.terminationStatus,
                output: String(decoding: out, as: UTF8.self),
                errors: String(decoding: errorBytes.data, as: UTF8.self)
            )
        }
    }

    /// Written by the reading thread before it signals; read after the wait.
    private final class ErrorBytes: @unchecked Sendable {
        var data = Data()
    }
}
