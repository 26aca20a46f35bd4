import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Runs a program to completion and captures what it printed.
///
/// It uses `posix_spawn` and `waitpid` directly: Foundation's `Process` did not notice the exit of
/// `pg_ctl start` (whose server keeps running in the background), and it may let a child inherit
/// a pipe whose write end a background server then holds. Here the child gets stdin from /dev/null,
/// stdout/stderr to a temporary file, and no other descriptor (`InheritedDescriptors`).
enum ProcessRunner {
    struct Failure: Error, CustomStringConvertible {
        var command: String
        var status: Int32
        var output: String

        var description: String {
            "\(command) exited with status \(status): \(output.trimmingCharacters(in: .whitespacesAndNewlines))"
        }
    }

    struct Result {
        var status: Int32
        var output: String
    }

    /// Runs `program` (looked up on PATH when it has no slash) and throws when it exits non-zero.
    @discardableResult
    static func run(_ program: String, _ arguments: [String], asUser user: String? = nil) throws -> Result {
        let result = try self.runAllowingFailure(program, arguments, asUser: user)
        guard result.status == 0 else {
            throw Failure(
                command: ([program] + arguments).joined(separator: " "),
                status: result.status,
                output: result.output
            )
        }
        return result
    }

    static func runAllowingFailure(_ program: String, _ arguments: [String], asUser user: String? = nil) throws
        -> Result
    {
        var command = [program] + arguments
        if let user {
            // initdb and postgres refuse to run as root.
            command = ["runuser", "-u", user, "--"] + command
        }
        let outputPath = NSTemporaryDirectory() + "rapport-process-\(UUID().uuidString).out"
        defer { unlink(outputPath) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        InheritedDescriptors.close(in: &actions)

        var pid = pid_t()
        let argv = command.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let spawnStatus = posix_spawnp(&pid, command[0], &actions, nil, argv, environ)
        guard spawnStatus == 0 else {
            throw Failure(command: command[0], status: -1, output: String(cString: strerror(spawnStatus)))
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 {
            guard errno == EINTR else { throw Failure(command: command[0], status: -1, output: "waitpid failed") }
        }
        let exitStatus: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        let output = FileManager.default.contents(atPath: outputPath) ?? Data()
        return Result(status: exitStatus, output: String(decoding: output, as: UTF8.self))
    }
}
