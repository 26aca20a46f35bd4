import LibPQ
import Logging

/// The data layer: one function per operation, each one transaction on a pooled connection.
public struct Store: Sendable {
    public let pool: PGPool
    let logger: Logger

    public init(pool: PGPool, logger: Logger = Logger(label: "rapport.store")) {
        self.pool = pool
        self.logger = logger
    }

    /// True when a connection can be leased and answers `SELECT 1`.
    public func ping() async -> Bool {
        (try? await self.pool.withConnection { try $0.execute("SELECT 1") }) != nil
    }
}

/// A refusal by the data layer, phrased for the user. The server maps each case to a protocol code.
public enum StoreError: Error, Equatable, CustomStringConvertible {
    /// The named thing does not exist.
    case notFound(String)
    /// The request conflicts with what is stored (duplicate, already logged, …).
    case conflict(String)
    /// A rule refused the request.
    case invalid(String)

    public var description: String {
        switch self {
        case .notFound(let text), .conflict(let text), .invalid(let text): return text
        }
    }
}
