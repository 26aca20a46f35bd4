import Foundation

/// deploy/haproxy.cfg as the loopback tests use it: its defaults, balancing and health check read from
/// the shipped file, so every test behind HAProxy runs what an installation runs (with fast checks).
public struct ShippedHAProxy: Sendable {
    /// The `defaults` lines the tests keep (mode, timeouts, retries, options).
    public var defaults: [String] = []
    /// The `backend rapportd` balancing and health-check lines.
    public var backend: [String] = []
    /// The backend's `default-server` line.
    public var defaultServer = ""
    /// The whole file.
    public var text = ""

    public static func load() throws -> ShippedHAProxy {
        let text = try String(contentsOfFile: Toolbox.repositoryFile("deploy/haproxy.cfg"), encoding: .utf8)
        var section = ""
        var file = ShippedHAProxy(text: text)
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            if !raw.hasPrefix(" ") && !raw.hasPrefix("\t") {
                section = line
                continue
            }
            let keyword = line.split(separator: " ").first.map(String.init) ?? ""
            switch section {
            case "defaults" where ["mode", "timeout", "retries", "option"].contains(keyword):
                file.defaults.append(line)
            case "backend rapportd" where ["balance", "option", "tcp-check"].contains(keyword):
                file.backend.append(line)
            case "backend rapportd" where keyword == "default-server":
                file.defaultServer = line
            default:
                break
            }
        }
        return file
    }

    /// The same balancing and health check on 127.0.0.1, with fast checks; `maxConnections` for tests
    /// with more sessions than HAProxy's default limit.
    public func loopbackConfiguration(
        balancerPort: Int,
        statsSocket: String,
        servers: [(String, Int)],
        maxConnections: Int? = nil
    ) -> String {
        var lines = ["global", "    log stdout format raw local0 info"]
        if let maxConnections { lines.append("    maxconn \(maxConnections)") }
        lines += [
            "    stats socket \(statsSocket) mode 600 level admin",
            "    hard-stop-after 5s",
            "defaults",
            "    log global",
        ]
        lines += self.defaults.map { "    " + $0 }
        lines += [
            "frontend rapport",
            "    bind 127.0.0.1:\(balancerPort)",
            "    default_backend rapportd",
            "backend rapportd",
        ]
        lines += self.backend.map { "    " + $0 }
        lines.append("    default-server inter 500ms fall 2 rise 1 send-proxy-v2 check")
        lines += servers.map { "    server \($0.0) 127.0.0.1:\($0.1)" }
        return lines.joined(separator: "\n") + "\n"
    }
}

extension Toolbox {
    /// Waits until HAProxy's states of the `rapportd` backend's servers satisfy `condition`; fails when
    /// `balancer` exits or `timeout` passes.
    public static func waitForHAProxyStatus(
        socket: String,
        balancer: ChildProcess? = nil,
        timeout: Duration = .seconds(15),
        _ condition: @escaping @Sendable ([String: String]) -> Bool
    ) async throws {
        let deadline = ContinuousClock.now + timeout
        var last: [String: String] = [:]
        while ContinuousClock.now < deadline {
            if let balancer, let status = balancer.exitStatus() {
                throw ChildProcess.SpawnError(description: "haproxy exited with \(status): \(balancer.errors)")
            }
            if let status = try? await TestPostgres.blocking({
                try Toolbox.haproxyServerStatus(backend: "rapportd", socket: socket)
            }) {
                last = status
                if condition(status) { return }
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw ChildProcess.SpawnError(description: "HAProxy server states stayed \(last)")
    }
}
