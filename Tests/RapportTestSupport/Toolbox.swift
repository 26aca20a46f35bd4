import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Where things are for the deployment tests: the repository, the built `rapportd`, the system
/// tools, free ports, a scratch folder per test.
public enum Toolbox {
    public struct Missing: Error, CustomStringConvertible {
        public var description: String

        public init(description: String) { self.description = description }
    }

    /// The repository root (this file is Tests/RapportTestSupport/Toolbox.swift).
    public static let repository: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    public static func repositoryFile(_ relative: String) -> String {
        (self.repository as NSString).appendingPathComponent(relative)
    }

    /// The `rapportd` that `swift test` built beside this test bundle.
    public static func rapportd() throws -> String {
        var candidates: [String] = []
        if let bundle = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            candidates.append(
                ((bundle as NSString).deletingLastPathComponent as NSString).appendingPathComponent("rapportd")
            )
        }
        let argument0 = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        candidates.append(argument0.appendingPathComponent("rapportd").path)
        candidates.append(self.repositoryFile(".build/debug/rapportd"))
        if let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) {
            return found
        }
        throw Missing(
            description:
                "the rapportd binary was not found (looked in \(candidates.joined(separator: ", "))); build it with `swift build --product rapportd`"
        )
    }

    /// An installed program, or an error that says which Debian package brings it.
    public static func tool(_ name: String, package: String) throws -> String {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        let directories = path.split(separator: ":").map(String.init) + ["/usr/sbin", "/sbin"]
        for directory in directories {
            let candidate = (directory as NSString).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw Missing(
            description:
                "\(name) is not installed; `make test` installs it (apt-get install -y \(package)), or install it by hand"
        )
    }

    /// The environment for child processes: ours without RAPPORT_* and PG* settings, plus `extra`.
    public static func environment(_ extra: [String: String] = [:]) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment.filter {
            !$0.key.hasPrefix("RAPPORT_") && !$0.key.hasPrefix("PG")
        }
        if environment["PATH"] == nil { environment["PATH"] = "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin" }
        environment.merge(extra) { $1 }
        return environment
    }

    /// A new empty folder for one test's logs and files, under the test run's root when there is one
    /// (scripts/run-tests.sh deletes it afterwards, even after a crash).
    public static func scratchDirectory(_ label: String) throws -> String {
        let root =
            ProcessInfo.processInfo.environment["RAPPORT_TEST_ROOT"].flatMap { $0.isEmpty ? nil : $0 }
            ?? NSTemporaryDirectory()
        let path = (root as NSString).appendingPathComponent("\(label)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        // A cluster inside runs as the postgres user when we are root: it must be able to enter.
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        return path
    }

    /// A TCP port on 127.0.0.1 that nothing listens on right now.
    public static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw Missing(description: "socket() failed") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw -> Int32 in
                guard bind(descriptor, raw, length) == 0 else { return -1 }
                return getsockname(descriptor, raw, &length)
            }
        }
        guard bound == 0 else { throw Missing(description: "no free port on 127.0.0.1") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// `postgresql:///DB?host=SOCKETDIR&port=PORT&user=USER` from libpq keyword/value pairs.
    public static func databaseURL(_ parameters: [String: String]) -> String {
        let query = ["host", "port", "user"].compactMap { key in parameters[key].map { "\(key)=\($0)" } }
        return "postgresql:///\(parameters["dbname"] ?? "postgres")?" + query.joined(separator: "&")
    }

    /// Sends one command to HAProxy's runtime API (a Unix socket) and returns the answer.
    public static func haproxyCommand(_ command: String, socket path: String) throws -> String {
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw Missing(description: "socket(AF_UNIX) failed") }
        defer { close(descriptor) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            throw Missing(description: "socket path too long: \(path)")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard connected == 0 else {
            throw Missing(
                description: "cannot connect to HAProxy's socket \(path): \(String(cString: strerror(errno)))"
            )
        }
        let request = Array((command + "\n").utf8)
        guard write(descriptor, request, request.count) == request.count else {
            throw Missing(description: "cannot write to HAProxy's socket")
        }
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16384)
        while true {
            let count = read(descriptor, &buffer, buffer.count)
            if count <= 0 { break }
            answer.append(contentsOf: buffer[0..<count])
        }
        return String(decoding: answer, as: UTF8.self)
    }

    /// Server name → status (UP, DOWN, MAINT, "UP 1/2", …) of one backend, from `show stat`.
    public static func haproxyServerStatus(backend: String, socket path: String) throws -> [String: String] {
        let csv = try self.haproxyCommand("show stat", socket: path)
        let lines = csv.split(separator: "\n").map(String.init)
        guard let header = lines.first, header.hasPrefix("# ") else { return [:] }
        let columns = header.dropFirst(2).split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        guard let proxy = columns.firstIndex(of: "pxname"), let server = columns.firstIndex(of: "svname"),
            let status = columns.firstIndex(of: "status")
        else { return [:] }
        var result: [String: String] = [:]
        for line in lines.dropFirst() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard fields.count > status, fields[proxy] == backend, fields[server] != "BACKEND" else { continue }
            result[fields[server]] = fields[status]
        }
        return result
    }
}
