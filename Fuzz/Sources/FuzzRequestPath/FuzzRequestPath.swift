import FuzzSupport
import RapportProtocol

/// The request path as far as RapportProtocol reaches: framer (in chunks) → tokenizer → command lookup and
/// argument binding. The server's own command table lives in RapportServer, so this binds against a table that
/// declares every value type, positional and named, required and optional.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRequestPath(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = FuzzInput(data, size)
    let limits = framerLimits(input)
    for frame in frameAll(input.body, chunks: input.chunks(of: input.body.count), limits: limits) {
        guard case .line(let line, let payload) = frame else { continue }
        guard var request = try? Tokenizer.parse(line) else { continue }
        request.payload = payload
        guard let spec = table.spec(for: request.verb) else { continue }
        if let bound = try? spec.bind(request) {
            fuzzCheck(bound.payload == payload, "payload lost in binding")
        }
    }
    return 0
}

private let table = CommandTable([
    CommandSpec(
        name: "TYPES",
        summary: "Every value type.",
        arguments: [
            ArgumentSpec("text", kind: .positional, valueType: .text(maxLength: 16), help: ""),
            ArgumentSpec("code", kind: .positional, valueType: .code(maxLength: 8), help: ""),
            ArgumentSpec("count", kind: .positional, valueType: .integer(-5...1_000_000), help: ""),
            ArgumentSpec("amount", kind: .named, valueType: .decimal, help: ""),
            ArgumentSpec("delta", kind: .named, valueType: .signedDecimal, help: ""),
            ArgumentSpec("flag", kind: .named, valueType: .bool, help: ""),
            ArgumentSpec("day", kind: .named, valueType: .date, help: ""),
            ArgumentSpec("at", kind: .named, valueType: .time, help: ""),
            ArgumentSpec("kind", kind: .named, valueType: .enumeration(["Call", "Visit", "e-mail"]), help: ""),
            ArgumentSpec("items", kind: .named, valueType: .list, help: ""),
        ],
        requiredRole: .anyone
    ),
    CommandSpec(
        name: "NEEDS",
        summary: "Required arguments.",
        arguments: [
            ArgumentSpec("user", kind: .positional, required: true, valueType: .code(maxLength: 50), help: ""),
            ArgumentSpec("on", kind: .named, required: true, valueType: .date, help: ""),
            ArgumentSpec("upto", kind: .positional, valueType: .time, help: ""),
        ],
        requiredRole: .anyone
    ),
    CommandSpec(name: "PING", summary: "No arguments.", requiredRole: .anyone),
])

@_cdecl("FuzzRequestPath_main")
public func fuzzRequestPathMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    runFuzzer(argc, argv, fuzzRequestPath)
}
