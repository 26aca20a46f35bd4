import Foundation
import RapportTestSupport
import Testing

extension HASuite {
    /// The HA deployment files are accepted by the tools that read them: Patroni (against a live
    /// etcd, which its validator insists on), HAProxy and docker-compose's `ha` profile.
    @Suite("Shipped HA deployment files", .timeLimit(.minutes(2)))
    struct ShippedHAFilesTests {
        @Test func patroniAcceptsTheConfiguration() async throws {
            let patroni = try Toolbox.tool("patroni", package: "patroni")
            let etcd = try Toolbox.tool("etcd", package: "etcd-server")
            let scratch = try Toolbox.scratchDirectory("ha-files")
            let processes = ProcessGroup()
            let port = try Toolbox.freePort()
            try await withCleanup {
                try await PatroniCluster.startEtcd(program: etcd, port: port, scratch: scratch, group: processes)
                let file = Toolbox.repositoryFile("deploy/patroni/patroni.yml")
                let text = try String(contentsOfFile: file, encoding: .utf8)
                for setting in [
                    "synchronous_mode: true", "primary_start_timeout: 0", "use_pg_rewind: true",
                    "post_bootstrap: /etc/patroni/post-bootstrap.sh", "max_connections:", "+rapport_reporting",
                ] {
                    #expect(text.contains(setting), "deploy/patroni/patroni.yml lacks \(setting)")
                }
                // The compose file's names (etcd, pg-1) resolve only inside Docker: the addresses are
                // given the way compose gives the rest, through Patroni's environment variables
                // (connect addresses must not be loopback ones: other nodes use them).
                let host = ProcessInfo.processInfo.hostName
                let result = try await ProgramRun.run(
                    patroni,
                    ["--validate-config", file],
                    environment: [
                        "PATRONI_ETCD3_HOSTS": "127.0.0.1:\(port)",
                        "PATRONI_RESTAPI_CONNECT_ADDRESS": "\(host):8008",
                        "PATRONI_POSTGRESQL_CONNECT_ADDRESS": "\(host):5432",
                    ]
                )
                #expect(result.status == 0, "patroni --validate-config: \(result.output)\(result.errors)")
                let script = try await ProgramRun.run(
                    "/bin/bash",
                    ["-n", Toolbox.repositoryFile("deploy/patroni/post-bootstrap.sh")]
                )
                #expect(script.status == 0, "\(script.errors)")
            } cleanup: {
                await processes.stopAll()
                try? FileManager.default.removeItem(atPath: scratch)
            }
        }

        @Test func haproxyAcceptsThePostgresBalancer() async throws {
            let haproxy = try Toolbox.tool("haproxy", package: "haproxy")
            let file = Toolbox.repositoryFile("deploy/haproxy-ha.cfg")
            let check = try await ProgramRun.run(haproxy, ["-c", "-f", file])
            #expect(check.status == 0, "\(check.output)\(check.errors)")
            #expect(!(check.output + check.errors).contains("WARNING"), "\(check.output)\(check.errors)")
            let text = try String(contentsOfFile: file, encoding: .utf8)
            for line in [
                "option httpchk OPTIONS /primary", "option httpchk OPTIONS /replica",
                "on-marked-down shutdown-sessions",
                "check port 8008",
            ] {
                #expect(text.contains(line), "deploy/haproxy-ha.cfg lacks \(line)")
            }
        }

        @Test func composeAcceptsTheHAProfile() async throws {
            let compose = try Toolbox.tool("docker-compose", package: "docker-compose")
            let file = Toolbox.repositoryFile("docker-compose.yml")
            let result = try await ProgramRun.run(
                compose,
                ["--file", file, "--profile", "ha", "config", "--services"]
            )
            #expect(result.status == 0, "docker-compose --profile ha config: \(result.errors)")
            let services = Set(result.output.split(separator: "\n").map(String.init))
            for service in ["etcd", "pg-1", "pg-2", "pg-3", "pg-lb", "rapportd-ha-1", "rapportd-ha-2", "lb-ha"] {
                #expect(services.contains(service), "the ha profile lacks \(service): \(services)")
            }
            let full = try await ProgramRun.run(compose, ["--file", file, "--profile", "ha", "config"])
            #expect(full.status == 0, "\(full.errors)")
            #expect(full.output.contains("RAPPORT_READ_DATABASE_URL: postgresql://rapport@pg-lb:5433/rapport"))
        }
    }
}
