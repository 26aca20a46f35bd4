#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A password file like libpq's `.pgpass`: lines `host:port:user:password`, `*` in the first three fields
/// matching anything, `\:` and `\\` for a literal colon or backslash, `#` lines ignored; the first matching line
/// wins. The file is `~/.rapportpass`, or `RAPPORT_PASSFILE`; it is refused unless only its owner may read it
/// (mode 0600 or stricter).
public enum PassFile {
    /// What looking in the file found.
    public enum Outcome: Sendable, Equatable {
        /// A matching line's password.
        case found(String)
        /// No file, or no matching line.
        case none
        /// The file is readable by group or others; the warning says what to do.
        case refused(warning: String)
    }

    /// The file's path: `RAPPORT_PASSFILE`, else `$HOME/.rapportpass`.
    public static func path(environment: [String: String]) -> String? {
        if let path = environment["RAPPORT_PASSFILE"], !path.isEmpty { return path }
        guard let home = environment["HOME"], !home.isEmpty else { return nil }
        return home.hasSuffix("/") ? home + ".rapportpass" : home + "/.rapportpass"
    }

    /// Looks up the password for `user@host:port` in the file at `path`.
    public static func lookup(path: String, host: String, port: Int, user: String) -> Outcome {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return .none }
        if info.st_mode & 0o077 != 0 {
            let mode = String(info.st_mode & 0o777, radix: 8)
            return .refused(
                warning: "password file \(path) is not used: it has group or world access (mode 0\(mode)); "
                    + "make it private with: chmod 0600 \(path)"
            )
        }
        guard let contents = Self.read(path) else { return .none }
        return Self.match(contents, host: host, port: port, user: user).map(Outcome.found) ?? .none
    }

    /// The password of the first line of `contents` matching `user@host:port`.
    public static func match(_ contents: String, host: String, port: Int, user: String) -> String? {
        for rawLine in contents.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
            if line.hasPrefix("#") { continue }
            let fields = Self.fields(line)
            guard fields.count == 4 else { continue }
            let matches = { (pattern: String, value: String) in pattern == "*" || pattern == value }
            if matches(fields[0], host), matches(fields[1], String(port)),
                fields[2] == "*" || fields[2].lowercased() == user.lowercased()
            {
                return fields[3]
            }
        }
        return nil
    }

    /// The fields of one line, split at unescaped colons (the fourth takes the rest of the line).
    static func fields(_ line: Substring) -> [String] {
        var fields: [String] = []
        var current = ""
        var escaped = false
        for character in line {
            if escaped {
                current.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == ":" && fields.count < 3 {
                fields.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        fields.append(current)
        return fields
    }

    private static func read(_ path: String) -> String? {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { systemRead(descriptor, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { break }
            bytes += buffer[0..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// `read(2)`, under a name the enum's `read` does not shadow.
private func systemRead(_ descriptor: Int32, _ pointer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(descriptor, pointer, count)
}
