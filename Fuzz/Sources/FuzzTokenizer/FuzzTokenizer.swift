import FuzzSupport
import NIOCore
import RapportProtocol

/// Tokenizer: parsing never crashes; a parsed request re-encoded with `WireEncoding` parses back to the same
/// request, both directly and after the framer has cut the encoded line.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTokenizer(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let line = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let request: Request
    do {
        guard let parsed = try Tokenizer.parse(line) else { return 0 }
        request = parsed
    } catch {
        let scalars = line.unicodeScalars.count
        fuzzCheck((1...(scalars + 1)).contains(error.column), "column \(error.column) outside a line of \(scalars)")
        return 0
    }
    checkRequest(request)
    let encoded = encode(request)
    do {
        let reparsed = try Tokenizer.parse(encoded)
        fuzzCheck(
            reparsed == request,
            "round trip changed \(request) into \(String(describing: reparsed)) via \(encoded)"
        )
    } catch {
        fuzzCheck(false, "re-encoded request \(encoded) does not parse: \(error)")
    }
    // The encoded line also passes the framer unchanged (no literal marker, no forbidden byte).
    let bytes = Array((encoded + WireEncoding.lineTerminator).utf8)
    let limits = LineFramingLimits(maximumLineLength: bytes.count, maximumPayloadLength: 0)
    let frames = frameAll(bytes, chunks: [bytes.count], limits: limits)
    fuzzCheck(frames == [.line(encoded, payload: nil)], "framer changed \(encoded) into \(frames)")
    return 0
}

private func encode(_ request: Request) -> String {
    var words: [String] = []
    if let tag = request.tag { words.append(tag) }
    words.append(request.verb)
    words += request.arguments.map(WireEncoding.argument)
    return words.joined(separator: " ")
}

private func checkRequest(_ request: Request) {
    fuzzCheck(request.arguments.count <= Tokenizer.maximumArgumentCount, "too many arguments accepted")
    fuzzCheck(request.verb == request.verb.uppercased(), "verb not upper-cased")
    fuzzCheck((1...32).contains(request.verb.unicodeScalars.count), "verb length")
    if let tag = request.tag { fuzzCheck(tag.hasPrefix("#") && tag.unicodeScalars.count <= 33, "tag \(tag)") }
    fuzzCheck(request.payload == nil, "tokenizer invented a payload")
    for case .named(let key, _) in request.arguments {
        fuzzCheck(key == key.lowercased() && !key.isEmpty, "key \(key)")
    }
}

@_cdecl("FuzzTokenizer_main")
public func fuzzTokenizerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    runFuzzer(argc, argv, fuzzTokenizer)
}
