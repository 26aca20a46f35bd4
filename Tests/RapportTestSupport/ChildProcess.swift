import Foundation
import PostgresLauncher
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A program started by a test (rapportd, haproxy, the deploy scripts), with its standard output
/// and standard error in files, so that the test can read its log while it runs.
///
/// `posix_spawn` and `waitpid` directly, as `PostgresLauncher.ProcessRunner` does: no pipes a
/// background child could hold open, and signals go exactly to the process started.
public final class ChildProcess: Sendable {
    public let name: String
    public let pid: pid_t
    public let outputPath: String
    public let errorPath: String
    private let exit = Mutex<Int32?>(nil)

    public struct SpawnError: Error, CustomStringConvertible {
        public var description: String
        public init(description: String) { self.description = description }
    }

    private init(name: String, pid: pid_t, outputPath: String, errorPath: String) {
        self.name = name
        self.pid = pid
        self.outputPath = outputPath
        self.errorPath = errorPath
    }

    /// Starts `program` (an absolute path) with exactly `environment`; stdin is /dev/null.
    public static func spawn(
        name: String,
        _ program: String,
        _ arguments: [String],
        environment: [String: String],
        logDirectory: String
    ) throws -> ChildProcess {
        let outputPath = (logDirectory as NSString).appendingPathComponent("\(name).out")
        let errorPath = (logDirectory as NSString).appendingPathComponent("\(name).err")
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, errorPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        InheritedDescriptors.close(in: &actions)

        let argv = ([program] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { envp.forEach { free($0) } }
        // No blocked signals and default actions for the stop signals, as a shell gives: the test
        // process's threads may block or ignore them, and a child (Patroni, in Python) would inherit
        // that and never see the SIGTERM that stops it.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var stopSignals = sigset_t()
        sigemptyset(&stopSignals)
        for number in [SIGTERM, SIGINT, SIGHUP, SIGQUIT] { sigaddset(&stopSignals, number) }
        posix_spawnattr_setsigdefault(&attributes, &stopSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid = pid_t()
        let status = posix_spawn(&pid, program, &actions, &attributes, argv, envp)
        guard status == 0 else {
            throw SpawnError(description: "cannot start \(program): \(String(cString: strerror(status)))")
        }
        return ChildProcess(name: name, pid: pid, outputPath: outputPath, errorPath: errorPath)
    }

    /// Runs a program to completion; returns its exit status, standard output and standard error.
    /// Blocks: call it from `TestPostgres.blocking`.
    public static func run(
        _ program: String,
        _ arguments: [String],
        environment: [String: String],
        logDirectory: String,
        name: String,
        timeout: Duration = .seconds(60)
    ) throws -> (status: Int32, output: String, errors: String) {
        let child = try self.spawn(
            name: name,
            program,
            arguments,
            environment: environment,
            logDirectory: logDirectory
        )
        let deadline = ContinuousClock.now + timeout
        while child.exitStatus() == nil {
            if ContinuousClock.now > deadline {
                child.signal(SIGKILL)
                _ = child.waitBlocking()
                throw SpawnError(description: "\(name) did not finish within \(timeout); killed")
            }
            usleep(10_000)
        }
        return (child.exitStatus() ?? -1, child.output, child.errors)
    }

    public var output: String { (try? String(contentsOfFile: self.outputPath, encoding: .utf8)) ?? "" }
    public var errors: String { (try? String(contentsOfFile: self.errorPath, encoding: .utf8)) ?? "" }

    public func signal(_ number: Int32) {
        guard self.exitStatus() == nil else { return }
        kill(self.pid, number)
    }

    /// The exit status (128 + signal when killed by one) once the process has ended, else nil.
    public func exitStatus() -> Int32? {
        self.exit.withLock { exit in
            if let exit { return exit }
            var status: Int32 = 0
            let result = waitpid(self.pid, &status, WNOHANG)
            guard result == self.pid else { return nil }
            let code: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
            exit = code
            return code
        }
    }

    private func waitBlocking() -> Int32 {
        while true {
            if let status = self.exitStatus() { return status }
            usleep(10_000)
        }
    }

    /// Waits up to `timeout` for the process to end; its exit status, or nil if it still runs.
    public func waitForExit(timeout: Duration) async -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let status = self.exitStatus() { return status }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return self.exitStatus()
    }

    /// Ends the process however it is: SIGTERM, then SIGKILL after `grace`. Never throws.
    public func stop(grace: Duration = .seconds(5)) async {
        guard self.exitStatus() == nil else { return }
        self.signal(SIGTERM)
        if await self.waitForExit(timeout: grace) != nil { return }
        self.signal(SIGKILL)
        _ = await self.waitForExit(timeout: .seconds(5))
    }

    /// Polls standard output (or error) until `predicate` finds what it wants; fails if the process
    /// exits or time runs out.
    public func waitFor<T>(
        _ what: String,
        in stream: KeyPath<ChildProcess, String> = \.output,
        timeout: Duration = .seconds(30),
        _ predicate: (String) -> T?
    ) async throws -> T {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let found = predicate(self[keyPath: stream]) { return found }
            if let status = self.exitStatus() {
                throw SpawnError(
                    description:
                        "\(self.name) exited with status \(status) before \(what):\n\(self.errors.suffix(4000))"
                )
            }
            if ContinuousClock.now > deadline {
                throw SpawnError(
                    description: "\(self.name): no \(what) within \(timeout):\n\(self.errors.suffix(4000))"
                )
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }
}

/// Runs `body`, then `cleanup` — also when `body` throws (an `async` stand-in for `defer`).
public func withCleanup<T>(_ body: () async throws -> T, cleanup: () async -> Void) async throws -> T {
    let value: T
    do {
        value = try await body()
    } catch {
        await cleanup()
        throw error
    }
    await cleanup()
    return value
}
