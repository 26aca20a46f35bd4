import NIOCore
import NIOPosix
import RapportServer
import RapportTestSupport
import Testing

@Suite("Metrics endpoint", .serialized)
struct MetricsEndpointTests {
    func get(_ path: String, port: Int) async throws -> String {
        try await Toolbox.httpGet(path, port: port)
    }

    @Test func metricsCountCommandsAndHealthFollowsDraining() async throws {
        let server = try await TestServer.start { $0.drainDelay = .milliseconds(500) }
        let endpoint = try await MetricsEndpoint.start(host: "127.0.0.1", port: 0, server: server.server)
        let port = try #require(endpoint.port)
        _ = try await RawConnection.with(port: server.port) { connection in
            _ = try await connection.reply()
            try await connection.send("PING\nPING\nNOPE\n")
            for _ in 0..<3 { _ = try await connection.reply() }
        }
        let metrics = try await self.get("/metrics", port: port)
        #expect(metrics.hasPrefix("HTTP/1.1 200"))
        #expect(metrics.contains(#"rapport_commands_total{verb="PING",outcome="OK"} 2"#))
        #expect(metrics.contains(#"rapport_commands_total{verb="unknown",outcome="BAD_COMMAND"} 1"#))
        #expect(metrics.contains("rapport_command_duration_seconds_bucket"))
        #expect(metrics.contains("rapport_db_pool_open_connections"))
        for name in [
            "rapport_db_round_trips_total", "rapport_db_statements_total", "rapport_db_statements_prepared_total",
        ] {
            #expect(metrics.contains(name), "\(name)")
        }
        #expect(try await self.get("/health", port: port).hasPrefix("HTTP/1.1 200"))
        let stopping = Task { try await server.stop() }
        try await Task.sleep(for: .milliseconds(100))
        #expect(try await self.get("/health", port: port).hasPrefix("HTTP/1.1 503"))
        try await stopping.value
        await endpoint.stop()
    }
}
