/// Where to connect and as whom, resolved from options, environment variables and defaults.
///
/// Precedence, lowest first: defaults (`127.0.0.1:7878`, no user), `RAPPORT_URL`, `RAPPORT_HOST` /
/// `RAPPORT_PORT` / `RAPPORT_USER`, `--url`, `--host` / `--port` / `--user`. Giving `--url` together with
/// `--host` or `--port` is a usage error. Empty environment variables count as unset.
public struct ConnectionSettings: Sendable, Equatable {
    /// The host used when nothing names one.
    public static let defaultHost = "127.0.0.1"

    /// The server's host name or address.
    public var host: String
    /// The server's TCP port.
    public var port: Int
    /// The user to log in as; nil means no login.
    public var user: String?

    /// Creates settings.
    public init(host: String = ConnectionSettings.defaultHost, port: Int = RapportURL.defaultPort, user: String? = nil)
    {
        self.host = host
        self.port = port
        self.user = user
    }

    /// The settings as a URL (for messages and prompts).
    public var url: RapportURL { RapportURL(user: self.user, host: self.host, port: self.port) }

    /// Resolves the settings from the command-line options (nil when not given) and the environment.
    public static func resolve(
        host: String?,
        port: Int?,
        url: String?,
        user: String?,
        environment: [String: String]
    ) throws(UsageError) -> ConnectionSettings {
        if url != nil, host != nil || port != nil {
            throw UsageError("give either --url or --host/--port, not both")
        }
        var settings = ConnectionSettings()
        let variable = { (name: String) -> String? in environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        if let text = variable("RAPPORT_URL") {
            settings.apply(try RapportURL(parsing: text))
        }
        if let text = variable("RAPPORT_HOST") { settings.host = text }
        if let text = variable("RAPPORT_PORT") {
            guard let port = RapportURL.port(text) else { throw UsageError("invalid RAPPORT_PORT: \(text)") }
            settings.port = port
        }
        if let text = variable("RAPPORT_USER") { settings.user = text }
        if let url { settings.apply(try RapportURL(parsing: url)) }
        if let host {
            guard !host.isEmpty else { throw UsageError("--host must not be empty") }
            settings.host = host
        }
        if let port {
            guard (1...65535).contains(port) else { throw UsageError("--port must be 1–65535") }
            settings.port = port
        }
        if let user {
            guard !user.isEmpty else { throw UsageError("--user must not be empty") }
            settings.user = user
        }
        return settings
    }

    private mutating func apply(_ url: RapportURL) {
        self.host = url.host
        self.port = url.port
        if let user = url.user { self.user = user }
    }
}
