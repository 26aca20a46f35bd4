import RapportProtocol

extension FinalLine {
    /// The line as the server sent it, without tag and terminator: `OK text`, `ERR CODE text`, `BYE text`.
    public var displayText: String {
        switch self {
        case .ok(let text): return text.isEmpty ? "OK" : "OK \(text)"
        case .error(let code, let text): return text.isEmpty ? "ERR \(code.rawValue)" : "ERR \(code.rawValue) \(text)"
        case .bye(let text): return text.isEmpty ? "BYE" : "BYE \(text)"
        }
    }

    /// The human text of the line, without its keyword and code.
    public var text: String {
        switch self {
        case .ok(let text), .error(_, let text), .bye(let text): return text
        }
    }
}
