import Foundation
import RapportTestSupport
import Testing

/// The files in deploy/ are accepted by the tools that will read them.
@Suite("Shipped deployment files")
struct ShippedConfigurationTests {
    func run(_ program: String, _ arguments: [String], name: String) async throws -> (
        status: Int32, output: String, errors: String
    ) {
        let scratch = try Toolbox.scratchDirectory(name)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        return try await TestPostgres.blocking {
            try ChildProcess.run(
                program,
                arguments,
                environment: Toolbox.environment(),
                logDirectory: scratch,
                name: name
            )
        }
    }

    @Test func haproxyAcceptsTheConfiguration() async throws {
        let haproxy = try Toolbox.tool("haproxy", package: "haproxy")
        let check = try await self.run(
            haproxy,
            ["-c", "-f", Toolbox.repositoryFile("deploy/haproxy.cfg")],
            name: "haproxy-c"
        )
        #expect(check.status == 0, "\(check.output)\(check.errors)")
        #expect(!(check.output + check.errors).contains("WARNING"), "\(check.output)\(check.errors)")
        _ = try ShippedHAProxyChecks.load()
    }

    /// `systemd-analyze verify` needs the ExecStart program to exist: the unit is checked as a copy
    /// whose ExecStart names the rapportd just built, so nothing is installed on the machine.
    @Test func systemdAcceptsTheUnit() async throws {
        let analyze = try Toolbox.tool("systemd-analyze", package: "systemd")
        let rapportd = try Toolbox.rapportd()
        let unit = try String(contentsOfFile: Toolbox.repositoryFile("deploy/rapportd.service"), encoding: .utf8)
        #expect(unit.contains("\nExecStart=/usr/local/bin/rapportd serve\n"))
        #expect(unit.contains("\nEnvironmentFile=-/etc/rapport/rapportd.env\n"))
        // Longer than drain delay (5 s) + session grace (20 s).
        let stop = unit.split(separator: "\n").first { $0.hasPrefix("TimeoutStopSec=") }
        #expect(Int(stop?.dropFirst("TimeoutStopSec=".count) ?? "") ?? 0 > 25)
        // One descriptor per session: room for the default --max-connections (4096) and more.
        let files = unit.split(separator: "\n").first { $0.hasPrefix("LimitNOFILE=") }
        #expect(Int(files?.dropFirst("LimitNOFILE=".count) ?? "") ?? 0 >= 16384)

        let scratch = try Toolbox.scratchDirectory("systemd")
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let copy = (scratch as NSString).appendingPathComponent("rapportd.service")
        try unit.replacingOccurrences(of: "ExecStart=/usr/local/bin/rapportd", with: "ExecStart=\(rapportd)")
            .write(toFile: copy, atomically: true, encoding: .utf8)
        let verify = try await self.run(analyze, ["verify", copy], name: "systemd-analyze")
        #expect(verify.status == 0, "\(verify.errors)")
        // verify exits 0 even for unknown keys or bad values; it only prints them.
        #expect(verify.errors.isEmpty && verify.output.isEmpty, "\(verify.output)\(verify.errors)")
    }

    /// The nightly compaction of the running totals: a oneshot service and its timer, checked the same way.
    @Test func systemdAcceptsTheCompactionTimer() async throws {
        let analyze = try Toolbox.tool("systemd-analyze", package: "systemd")
        let rapportd = try Toolbox.rapportd()
        let service = try String(
            contentsOfFile: Toolbox.repositoryFile("deploy/rapport-stats-compact.service"),
            encoding: .utf8
        )
        let timer = try String(
            contentsOfFile: Toolbox.repositoryFile("deploy/rapport-stats-compact.timer"),
            encoding: .utf8
        )
        #expect(service.contains("\nExecStart=/usr/local/bin/rapportd stats compact\n"))
        let scratch = try Toolbox.scratchDirectory("systemd-timer")
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let servicePath = (scratch as NSString).appendingPathComponent("rapport-stats-compact.service")
        let timerPath = (scratch as NSString).appendingPathComponent("rapport-stats-compact.timer")
        try service.replacingOccurrences(of: "ExecStart=/usr/local/bin/rapportd", with: "ExecStart=\(rapportd)")
            .write(toFile: servicePath, atomically: true, encoding: .utf8)
        try timer.write(toFile: timerPath, atomically: true, encoding: .utf8)
        let verify = try await self.run(analyze, ["verify", servicePath, timerPath], name: "systemd-analyze")
        #expect(verify.status == 0, "\(verify.errors)")
        #expect(verify.errors.isEmpty && verify.output.isEmpty, "\(verify.output)\(verify.errors)")
    }

    @Test func scriptsParseAndDocumentTheirOptions() async throws {
        for script in ["deploy/backup.sh", "deploy/restore.sh"] {
            let path = Toolbox.repositoryFile(script)
            let syntax = try await self.run("/bin/bash", ["-n", path], name: "bash-n")
            #expect(syntax.status == 0, "\(script): \(syntax.errors)")
            let help = try await self.run("/bin/bash", [path, "--help"], name: "help")
            #expect(help.status == 2 && help.errors.contains(script), "\(help)")
        }
    }

    /// Every environment variable and flag rapportd reads is in the operations guide, and every
    /// variable in the example environment file.
    @Test func everySettingIsDocumented() throws {
        let sources = [
            "ServerOptions.swift", "DatabaseOptions.swift", "Rapportd.swift", "UserCommand.swift", "StatsCommand.swift",
            "ReadOptions.swift",
            "DeliveryOptions.swift",
        ]
        .map { Toolbox.repositoryFile("Sources/rapportd/\($0)") }
        .compactMap { try? String(contentsOfFile: $0, encoding: .utf8) }
        .joined(separator: "\n")
        let guide = try String(contentsOfFile: Toolbox.repositoryFile("docs/OPERATIONS.md"), encoding: .utf8)
        let environmentFile = try String(contentsOfFile: Toolbox.repositoryFile("deploy/rapportd.env"), encoding: .utf8)
        let variables = Set(sources.matches(of: /RAPPORT_[A-Z_]+/).map { String($0.output) })
        #expect(variables.count >= 12, "\(variables)")
        for variable in variables {
            #expect(guide.contains(variable), "docs/OPERATIONS.md does not mention \(variable)")
            if variable != "RAPPORT_NEW_PASSWORD" {
                #expect(environmentFile.contains(variable), "deploy/rapportd.env does not mention \(variable)")
            }
        }
        let flags = Set(sources.matches(of: /customLong\("([a-z-]+)"\)/).map { "--" + $0.output.1 })
            .union(["--host", "--port"])
        for flag in flags {
            #expect(guide.contains(flag), "docs/OPERATIONS.md does not mention \(flag)")
        }
    }
}
