import ArgumentParser
import Foundation
import RapportClient

/// Where to connect and as whom.
struct ConnectionOptions: ParsableArguments {
    @Option(help: "Server host (default 127.0.0.1; env RAPPORT_HOST).")
    var host: String?

    @Option(help: "Server port (default 7878; env RAPPORT_PORT).")
    var port: Int?

    @Option(help: "Server as rapport://[user@]host[:port] (env RAPPORT_URL); not with --host/--port.")
    var url: String?

    @Option(
        help:
            "User to log in as (env RAPPORT_USER); without one, no login. Password: RAPPORT_PASSWORD, ~/.rapportpass, or prompt."
    )
    var user: String?

    @Option(help: "Seconds to wait for the connection and the greeting.")
    var timeout: Double = 10

    func validate() throws {
        guard self.timeout > 0, self.timeout.isFinite else { throw ValidationError("--timeout must be positive") }
    }

    /// The timeout as a duration.
    var timeoutDuration: Duration { .milliseconds(Int64(self.timeout * 1000)) }

    /// The options merged with the environment.
    func settings() throws -> ConnectionSettings {
        try ConnectionSettings.resolve(
            host: self.host,
            port: self.port,
            url: self.url,
            user: self.user,
            environment: ProcessInfo.processInfo.environment
        )
    }
}
