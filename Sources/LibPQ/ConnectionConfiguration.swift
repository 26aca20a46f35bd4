/// How to reach PostgreSQL: libpq keyword/value pairs, never a pasted connection string.
///
/// Anything not given falls back to libpq's usual `PG*` environment variables and defaults, so
/// `PGHOST=/run/postgresql PGDATABASE=rapport` works as it does for `psql`.
public struct ConnectionConfiguration: Sendable {
    /// A `postgresql://` URL or `key=value` connection string, expanded by libpq (`expand_dbname`).
    public var url: String?
    /// Explicit keyword/value pairs; they win over the URL and the environment.
    public var parameters: [String: String]
    public var applicationName: String
    /// Seconds libpq waits for a connection to open.
    public var connectTimeoutSeconds: Int
    /// PostgreSQL cancels any statement running longer than this (`statement_timeout`); nil keeps the server's.
    public var statementTimeout: Duration?

    public init(
        url: String? = nil,
        parameters: [String: String] = [:],
        applicationName: String = "rapport",
        connectTimeoutSeconds: Int = 5,
        statementTimeout: Duration? = .seconds(30)
    ) {
        self.url = url
        self.parameters = parameters
        self.applicationName = applicationName
        self.connectTimeoutSeconds = connectTimeoutSeconds
        self.statementTimeout = statementTimeout
    }

    /// The pairs handed to `PQconnectdbParams`, in order: libpq keeps the last non-empty value of a
    /// repeated keyword, so our defaults come first, the URL may override them, explicit parameters
    /// override both, and the session settings that decoding relies on come last.
    func keywordValuePairs() -> [(String, String)] {
        var pairs: [(String, String)] = [
            ("connect_timeout", String(self.connectTimeoutSeconds)),
            // Dead peers are noticed within about a minute instead of the kernel's two hours.
            ("keepalives", "1"),
            ("keepalives_idle", "30"),
            ("keepalives_interval", "10"),
            ("keepalives_count", "3"),
            ("tcp_user_timeout", "60000"),
            ("application_name", self.applicationName),
        ]
        if let url = self.url, !url.isEmpty {
            pairs.append(("dbname", url))
        }
        for key in self.parameters.keys.sorted() {
            pairs.append((key, self.parameters[key]!))
        }
        // Text results are parsed by this module: fix the formats they come in.
        var options =
            "-c DateStyle=ISO,YMD -c TimeZone=UTC -c IntervalStyle=iso_8601 -c extra_float_digits=3 -c client_min_messages=warning"
        if let timeout = self.statementTimeout {
            options += " -c statement_timeout=\(Self.milliseconds(timeout))"
        }
        pairs.append(("options", options))
        pairs.append(("client_encoding", "UTF8"))
        return pairs
    }

    static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
