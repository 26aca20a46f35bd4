import Foundation
import PostgresLauncher
import RapportTestSupport
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// rapportd under a descriptor limit far below `--max-connections`: once `accept` fails with
/// EMFILE it must back off instead of spinning a core, say so (at start and in the metric), and
/// serve again as soon as connections close.
extension FaultSuite {
    @Suite("Descriptor exhaustion", .serialized, .timeLimit(.minutes(2)))
    struct DescriptorExhaustionTests {
        @Test func acceptBacksOffWhenDescriptorsRunOut() async throws {
            let prlimit = try Toolbox.tool("prlimit", package: "util-linux")
            let rapportd = try Toolbox.rapportd()
            let database = try await TestPostgres.freshDatabase(migrated: true)
            let databaseURL = Toolbox.databaseURL(database.cluster.connectionParameters(database: database.name))
            let scratch = try Toolbox.scratchDirectory("descriptors")
            let processes = ProcessGroup()
            // Room for the runtime, the event loops (three descriptors each), the pool and a few dozen
            // sessions; far below --max-connections.
            let limit = 48 + 3 * ProcessInfo.processInfo.activeProcessorCount
            let sockets = SocketSet()

            try await withCleanup {
                let (server, port) = try await startReplica(
                    name: "rapportd-lowfd",
                    binary: rapportd,
                    databaseURL: databaseURL,
                    arguments: [
                        "--max-connections", "1000", "--pool-size", "2", "--metrics-port", "0", "--drain-delay", "0",
                    ],
                    logDirectory: scratch,
                    group: processes,
                    wrapper: [prlimit, "--nofile=\(limit):\(limit)"]
                )
                let metricsPort = try await server.waitFor("the metrics line") { output -> Int? in
                    guard
                        let line = output.split(separator: "\n").first(where: { $0.hasPrefix("rapportd: metrics on ") }
                        ),
                        let colon = line.lastIndex(of: ":")
                    else { return nil }
                    return Int(line[line.index(after: colon)...].prefix { $0.isNumber })
                }

                // The warning at start: the limit cannot carry --max-connections.
                #expect(server.errors.contains("RLIMIT_NOFILE"), "no warning at start:\n\(server.errors.suffix(2000))")

                // Open sessions until the server no longer accepts (no greeting), then queue a few more.
                var exhausted = false
                for _ in 0..<(limit + 20) {
                    let socket = try await TestPostgres.blocking { try HeldSocket.connect(port: port) }
                    sockets.add(socket)
                    let greeting = try await TestPostgres.blocking { socket.readLine(timeout: 1.5) }
                    if greeting == nil {
                        exhausted = true
                        break
                    }
                    #expect(greeting?.hasPrefix("OK rapportd ready") == true, "\(greeting ?? "")")
                }
                try #require(exhausted, "the server accepted \(sockets.count) connections under a limit of \(limit)")
                #expect(sockets.count > 10, "only \(sockets.count) sessions before the limit")
                for _ in 0..<4 { sockets.add(try await TestPostgres.blocking { try HeldSocket.connect(port: port) }) }

                // Connections wait in the backlog: the process must idle, not retry accept at full speed.
                let before = try Self.cpuSeconds(pid: server.pid)
                let started = ContinuousClock.now
                try await Task.sleep(for: .seconds(3))
                let used = try Self.cpuSeconds(pid: server.pid) - before
                let elapsed = ContinuousClock.now - started
                let share = used / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
                print(
                    "descriptor exhaustion: \(sockets.count) sockets, limit \(limit), CPU \(Int(share * 100)) % of a core"
                )
                #expect(share < 0.2, "rapportd used \(Int(share * 100)) % of a core while out of descriptors")
                #expect(server.errors.contains("out of file descriptors"), "\(server.errors.suffix(2000))")

                // Closing the sessions frees descriptors: a new client is served again.
                sockets.closeAll()
                let served = try await Self.greeted(port: port, within: .seconds(10))
                #expect(served, "no greeting after the connections closed\n\(server.errors.suffix(2000))")

                let metrics = try await TestPostgres.blocking {
                    try HeldSocket.httpGet(port: metricsPort, path: "/metrics")
                }
                let counted =
                    metrics.split(separator: "\n")
                    .first { $0.hasPrefix("rapport_accept_errors_total{") && $0.contains("EMFILE") }
                    .flatMap { $0.split(separator: " ").last.flatMap { Double($0) } } ?? 0
                #expect(counted > 0, "no EMFILE in the metrics:\n\(metrics.prefix(3000))")

                // And it still stops gracefully.
                server.signal(SIGTERM)
                let status = await server.waitForExit(timeout: .seconds(20))
                #expect(status == 0, "exit status \(String(describing: status))\n\(server.errors.suffix(2000))")
            } cleanup: {
                sockets.closeAll()
                await processes.stopAll()
                try? FileManager.default.removeItem(atPath: scratch)
            }
        }

        /// utime + stime of a process, in seconds (/proc/PID/stat fields 14 and 15).
        static func cpuSeconds(pid: pid_t) throws -> Double {
            let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
            guard let close = stat.lastIndex(of: ")") else { throw HeldSocket.Failure(description: "bad /proc stat") }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else {
                throw HeldSocket.Failure(description: "bad /proc stat: \(stat)")
            }
            return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
        }

        /// Whether a new connection gets the greeting within `timeout` (retrying while it does not).
        static func greeted(port: Int, within timeout: Duration) async throws -> Bool {
            let deadline = ContinuousClock.now + timeout
            while ContinuousClock.now < deadline {
                let line = try await TestPostgres.blocking { () -> String? in
                    let socket = try HeldSocket.connect(port: port)
                    defer { socket.close() }
                    return socket.readLine(timeout: 2)
                }
                if line?.hasPrefix("OK rapportd ready") == true { return true }
            }
            return false
        }
    }
}

/// The sockets a test holds open, closed together.
final class SocketSet: Sendable {
    private let sockets = Mutex<[HeldSocket]>([])
    var count: Int { self.sockets.withLock { $0.count } }
    func add(_ socket: HeldSocket) { self.sockets.withLock { $0.append(socket) } }
    func closeAll() {
        let all = self.sockets.withLock { sockets in
            defer { sockets = [] }
            return sockets
        }
        all.forEach { $0.close() }
    }
}

/// A TCP client socket on 127.0.0.1 held open (RawSocket connects it), plain POSIX: the test must
/// hold many at little cost.
final class HeldSocket: Sendable {
    let descriptor: Int32

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    private init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    static func connect(port: Int) throws -> HeldSocket {
        guard let descriptor = RawSocket.connect(port: port) else {
            throw Failure(description: "connect to \(port): \(String(cString: strerror(errno)))")
        }
        // Held sockets are read with blocking calls (RawSocket's are non-blocking).
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) & ~O_NONBLOCK)
        return HeldSocket(descriptor: descriptor)
    }

    /// The first line the server sends, or nil if none arrives within `timeout` seconds.
    func readLine(timeout: Double) -> String? {
        var bytes: [UInt8] = []
        let deadline = Date().addingTimeInterval(timeout)
        while !bytes.contains(10) {
            let left = deadline.timeIntervalSinceNow
            guard left > 0 else { return nil }
            var poller = pollfd(fd: self.descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, Int32(left * 1000) + 1) == 1 else { continue }
            var buffer = [UInt8](repeating: 0, count: 512)
            let count = read(self.descriptor, &buffer, buffer.count)
            guard count > 0 else { return bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self) }
            bytes.append(contentsOf: buffer[0..<count])
        }
        return String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func close() {
        Glibc.close(self.descriptor)
    }

    /// The body of an HTTP/1.1 GET (the endpoint closes the connection after its answer).
    static func httpGet(port: Int, path: String) throws -> String {
        let socket = try self.connect(port: port)
        defer { socket.close() }
        let request = Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8)
        guard write(socket.descriptor, request, request.count) == request.count else {
            throw Failure(description: "cannot send the request")
        }
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16384)
        while true {
            let count = read(socket.descriptor, &buffer, buffer.count)
            if count <= 0 { break }
            answer.append(contentsOf: buffer[0..<count])
        }
        let text = String(decoding: answer, as: UTF8.self)
        return text.range(of: "\r\n\r\n").map { String(text[$0.upperBound...]) } ?? text
    }
}
