#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Where the `rapport` CLI keeps its session tickets: `RAPPORT_TICKETFILE`, else `.rapport_tickets`
/// beside the password file (`RAPPORT_PASSFILE`'s folder, else `$HOME`). Lines
/// `host:port:user:ticket:expires`; the file is written private to its owner (0600) and, like the
/// password file, not used when group or others may read it.
public enum TicketFile {
    /// What looking in the file found.
    public enum Outcome: Sendable, Equatable {
        case found(SessionTicket)
        case none
        /// The file is readable by group or others; the warning says what to do.
        case refused(warning: String)
    }

    public static func path(environment: [String: String]) -> String? {
        if let path = environment["RAPPORT_TICKETFILE"], !path.isEmpty { return path }
        let folder: String
        if let passFile = environment["RAPPORT_PASSFILE"], !passFile.isEmpty {
            folder = passFile.contains("/") ? String(passFile[..<passFile.lastIndex(of: "/")!]) : "."
        } else if let home = environment["HOME"], !home.isEmpty {
            folder = home.hasSuffix("/") ? String(home.dropLast()) : home
        } else {
            return nil
        }
        return (folder.isEmpty ? "" : folder) + "/.rapport_tickets"
    }

    /// The ticket kept for `user@host:port`.
    public static func lookup(path: String, host: String, port: Int, user: String) -> Outcome {
        switch Self.read(path) {
        case .refused(let warning): return .refused(warning: warning)
        case .missing: return .none
        case .lines(let lines):
            let key = Self.key(host: host, port: port, user: user)
            for line in lines where line.hasPrefix(key) {
                let rest = line.dropFirst(key.count).split(separator: ":", maxSplits: 1)
                guard let token = rest.first, !token.isEmpty else { continue }
                return .found(SessionTicket(token: String(token), expires: rest.count > 1 ? String(rest[1]) : ""))
            }
            return .none
        }
    }

    /// Keeps `ticket` for `user@host:port` (nil: forgets the one kept), replacing the file
    /// atomically with a private (0600) one. Returns a warning when the file cannot be written.
    @discardableResult
    public static func store(_ ticket: SessionTicket?, path: String, host: String, port: Int, user: String) -> String? {
        var lines: [String]
        switch Self.read(path) {
        case .refused(let warning): return warning
        case .missing: lines = []
        case .lines(let existing): lines = existing
        }
        let key = Self.key(host: host, port: port, user: user)
        lines.removeAll { $0.hasPrefix(key) }
        if let ticket { lines.append(key + ticket.token + ":" + ticket.expires) }
        let temporary = path + ".new"
        unlink(temporary)
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard descriptor >= 0 else { return "cannot write the ticket file \(temporary)" }
        let bytes = Array(lines.map { $0 + "\n" }.joined().utf8)
        var written = 0
        while written < bytes.count {
            let count = bytes[written...].withUnsafeBytes { writeBytes(descriptor, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { break }
            written += count
        }
        close(descriptor)
        guard written == bytes.count, rename(temporary, path) == 0 else {
            unlink(temporary)
            return "cannot write the ticket file \(path)"
        }
        return nil
    }

    /// `host:port:user:` with `\` and `:` escaped in the host (IPv6) and user.
    static func key(host: String, port: Int, user: String) -> String {
        func escaped(_ text: String) -> String {
            text.replacing("\\", with: "\\\\").replacing(":", with: "\\:")
        }
        return escaped(host) + ":" + String(port) + ":" + escaped(user.lowercased()) + ":"
    }

    private enum Contents {
        case missing
        case refused(String)
        case lines([String])
    }

    private static func read(_ path: String) -> Contents {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return .missing }
        if info.st_mode & 0o077 != 0 {
            let mode = String(info.st_mode & 0o777, radix: 8)
            return .refused(
                "ticket file \(path) is not used: it has group or world access (mode 0\(mode)); "
                    + "make it private with: chmod 0600 \(path)"
            )
        }
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { return .missing }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { readBytes(descriptor, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { break }
            bytes += buffer[0..<count]
        }
        return .lines(String(decoding: bytes, as: UTF8.self).split(separator: "\n").map(String.init))
    }
}

/// `read(2)` and `write(2)`, under names the enum's members do not shadow.
private func readBytes(_ descriptor: Int32, _ pointer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(descriptor, pointer, count)
}

private func writeBytes(_ descriptor: Int32, _ pointer: UnsafeRawPointer?, _ count: Int) -> Int {
    write(descriptor, pointer, count)
}
