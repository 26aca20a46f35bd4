import ArgumentParser
import Foundation
import LibPQ
import Logging
import RapportServer
import RapportStore

/// Reads from a hot standby (issue 16): where the standby is and how far behind it may be.
struct ReadOptions: ParsableArguments {
    @Option(
        name: .customLong("read-database-url"),
        help:
            "PostgreSQL URL of a hot standby (or of HAProxy's replica port) for lists, shows and statistics of sessions that have not written lately; also RAPPORT_READ_DATABASE_URL. Without one, everything runs on the primary."
    )
    var readDatabaseURL: String?

    @Option(
        name: .customLong("read-max-lag"),
        help:
            "Milliseconds the standby may be behind the primary before reads go to the primary (RAPPORT_READ_MAX_LAG; default 5000)."
    )
    var readMaximumLag: Int?

    /// The standby's pool and the routing over it, or nil when no read URL is set.
    func routing(primary: PGPool, like connection: ConnectionConfiguration, poolSize: Int, logger: Logger) throws
        -> ReadRouting?
    {
        let environment = ProcessInfo.processInfo.environment
        guard let url = self.readDatabaseURL ?? environment["RAPPORT_READ_DATABASE_URL"], !url.isEmpty else {
            return nil
        }
        let lag = self.readMaximumLag ?? environment["RAPPORT_READ_MAX_LAG"].flatMap(Int.init) ?? 5000
        guard lag > 0 else { throw ValidationError("the read lag bound must be at least 1 ms") }
        let standby = PGPool(
            configuration: .init(
                connection: ConnectionConfiguration(
                    url: url,
                    applicationName: "rapportd-reads",
                    connectTimeoutSeconds: 2,
                    statementTimeout: connection.statementTimeout
                ),
                size: poolSize,
                acquireTimeout: .seconds(1)
            ),
            logger: logger
        )
        return ReadRouting(
            standby: Store(pool: standby, logger: logger),
            primary: primary,
            configuration: .init(maximumLag: .milliseconds(lag)),
            logger: logger
        )
    }
}
