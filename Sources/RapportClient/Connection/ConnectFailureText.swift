import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A short human reason for a failed connect, instead of NIO's nested error descriptions.
enum ConnectFailureText {
    static func describe(_ error: any Error) -> String {
        switch error {
        case let error as NIOConnectionError:
            if !error.connectionErrors.isEmpty {
                var reasons: [String] = []
                for failure in error.connectionErrors {
                    let reason = Self.describe(failure.error)
                    if !reasons.contains(reason) { reasons.append(reason) }
                }
                return reasons.joined(separator: "; ")
            }
            // NIO's resolver errors repeat host and port; the name is what the user needs.
            return "cannot resolve host name \(error.host)"
        case let error as IOError:
            return String(cString: strerror(error.errnoCode))
        case ChannelError.connectTimeout(let amount):
            return "timed out after \(Double(amount.nanoseconds) / 1e9) s"
        default:
            return "\(error)"
        }
    }
}
