import Foundation
import Logging
import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The per-process descriptor limit (RLIMIT_NOFILE) against what `rapportd serve` may open: one
/// descriptor per client connection plus a reserve. A soft limit below that is raised towards the
/// hard limit (as nginx, Go and most servers do); if even the hard limit is too low, it says so at
/// start, in the log and on standard error: past the limit `accept` fails (EMFILE) and the
/// listener pauses until connections close.
enum DescriptorLimit {
    /// Descriptors besides client connections: the database pool, three per event loop (epoll,
    /// eventfd, timerfd), the listeners, standard streams, an embedded cluster's pipes, files.
    static func reserve(poolSize: Int) -> Int {
        poolSize + 3 * System.coreCount + 64
    }

    static func check(maximumConnections: Int, poolSize: Int, logger: Logger) {
        let reserve = self.reserve(poolSize: poolSize)
        let needed = rlim_t(maximumConnections + reserve)
        var limit = rlimit()
        guard self.get(&limit) else { return }
        var soft = limit.rlim_cur
        let hard = limit.rlim_max
        guard soft < needed else { return }
        if soft < hard {
            var raised = limit
            raised.rlim_cur = min(hard, needed)
            if self.set(&raised) {
                logger.notice(
                    "raised the soft descriptor limit (RLIMIT_NOFILE) for --max-connections",
                    metadata: ["from": "\(soft)", "to": "\(raised.rlim_cur)", "hard": "\(hard)"]
                )
                soft = raised.rlim_cur
            }
        }
        guard soft < needed else { return }
        let text =
            "the descriptor limit RLIMIT_NOFILE is \(soft) (hard limit \(hard)), below --max-connections \(maximumConnections) + \(reserve) for the pool, event loops and files: when descriptors run out, accepting pauses (EMFILE) until connections close. Raise LimitNOFILE (systemd) or ulimit -n, or lower --max-connections."
        logger.warning(
            "descriptor limit below --max-connections",
            metadata: [
                "soft": "\(soft)", "hard": "\(hard)", "needed": "\(needed)", "max_connections": "\(maximumConnections)",
            ]
        )
        FileHandle.standardError.write(Data("rapportd: warning: \(text)\n".utf8))
    }

    private static func get(_ limit: inout rlimit) -> Bool {
        #if os(Linux)
        getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0
        #else
        getrlimit(RLIMIT_NOFILE, &limit) == 0
        #endif
    }

    private static func set(_ limit: inout rlimit) -> Bool {
        #if os(Linux)
        setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0
        #else
        setrlimit(RLIMIT_NOFILE, &limit) == 0
        #endif
    }
}
