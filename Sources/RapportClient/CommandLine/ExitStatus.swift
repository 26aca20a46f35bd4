import RapportProtocol

/// The exit status of `rapport`, derived from the reply's final line or from the error that prevented one.
public enum ExitStatus: Int32, Sendable, CaseIterable {
    /// `OK` (or the `BYE` that answers `QUIT`).
    case success = 0
    /// No reply: the connection failed or closed, the server broke the protocol, or the command line is wrong.
    case failure = 1
    /// `ERR` of category request: the request is wrong; sending it again will not help.
    case requestError = 2
    /// `ERR` of category refusal: understood but refused (login, permission, missing or conflicting data).
    case refused = 3
    /// `ERR` of category server: the server cannot serve it now (busy, unavailable, shutting down, internal).
    case serverCondition = 4

    /// The status for an error of `category`.
    public init(category: ErrorCode.Category) {
        switch category {
        case .request: self = .requestError
        case .refusal: self = .refused
        case .server: self = .serverCondition
        }
    }

    /// The status for an `ERR` line with `code`.
    public init(code: ErrorCode) {
        self.init(category: code.category)
    }

    /// The status for a reply ending with `final`.
    public init(final: FinalLine) {
        switch final {
        case .ok, .bye: self = .success
        case .error(let code, _): self.init(code: code)
        }
    }

    /// The status for an error thrown instead of a reply.
    public init(error: any Error) {
        if case RapportClientError.server(let code, _) = error {
            self.init(code: code)
        } else {
            self = .failure
        }
    }

    /// The table of statuses for `--help`, wrapped to 80 columns (the help renderer would lose the indentation).
    public static var helpText: String {
        var lines = [
            "Exit status:",
            "  0  OK",
            "  1  no reply (connection failure, protocol violation) or a usage error",
        ]
        let categories: [(ExitStatus, String, ErrorCode.Category)] = [
            (.requestError, "request error", .request),
            (.refused, "refusal", .refusal),
            (.serverCondition, "server condition", .server),
        ]
        for (status, name, category) in categories {
            let codes = ErrorCode.allCases.filter { $0.category == category }.map(\.rawValue)
            lines += Self.wrap("\(name): ERR " + codes.joined(separator: ", "), prefix: "  \(status.rawValue)  ")
        }
        return lines.joined(separator: "\n")
    }

    /// `prefix` and `text`, split at spaces into lines of at most 78 columns, continuing under the text.
    private static func wrap(_ text: String, prefix: String) -> [String] {
        let indent = String(repeating: " ", count: prefix.count)
        var lines: [String] = []
        var current = prefix
        for word in text.split(separator: " ") {
            if current.count > indent.count, current.count + 1 + word.count > 78 {
                lines.append(current)
                current = indent
            }
            current += (current.count > indent.count ? " " : "") + word
        }
        return lines + [current]
    }
}
