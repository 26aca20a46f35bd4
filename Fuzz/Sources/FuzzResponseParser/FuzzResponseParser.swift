import FuzzSupport
import RapportProtocol

/// Response parser (client side): the input fed in chunks gives the same replies (and the same error) as fed at
/// once; every reply re-encoded with `Response.encode(tag:)` parses back to itself (final-line text as the
/// encoder sanitises it); a greeting's text reads back.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzResponseParser(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = FuzzInput(data, size)
    let limits =
        input.usesDefaultLimits
        ? ResponseParser.Limits()
        : ResponseParser.Limits(maximumLineLength: 1 + input.smallLimit, maximumPayloadLength: input.smallLimit / 2)
    let whole = parseAll(input.body, chunks: [input.body.count], limits: limits)
    let split = parseAll(input.body, chunks: input.chunks(of: input.body.count), limits: limits)
    fuzzCheck(whole.responses == split.responses, "chunked replies differ:\n\(whole.responses)\nvs\n\(split.responses)")
    fuzzCheck(
        whole.error == split.error,
        "chunked error differs: \(String(describing: whole.error)) vs \(String(describing: split.error))"
    )
    for reply in whole.responses { checkRoundTrip(reply) }
    return 0
}

private func parseAll(
    _ bytes: [UInt8],
    chunks: [Int],
    limits: ResponseParser.Limits
) -> (responses: [TaggedResponse], error: ResponseParseError?) {
    var parser = ResponseParser(limits: limits)
    var responses: [TaggedResponse] = []
    var offset = 0
    for size in chunks {
        parser.append(bytes[offset..<(offset + size)])
        offset += size
        do {
            while let response = try parser.next() {
                responses.append(response)
                fuzzCheck(responses.count <= bytes.count, "more replies than bytes")
            }
        } catch {
            // Errors are final: asking again gives the same error.
            do {
                _ = try parser.next()
                fuzzCheck(false, "parser went on after \(error)")
            } catch let again {
                fuzzCheck(again == error, "second error \(again) after \(error)")
            }
            return (responses, error)
        }
    }
    return (responses, nil)
}

private func checkRoundTrip(_ reply: TaggedResponse) {
    var expected = reply
    switch reply.response.final {
    case .ok(let text): expected.response.final = .ok(WireEncoding.sanitizedText(text))
    case .error(let code, let text): expected.response.final = .error(code, WireEncoding.sanitizedText(text))
    case .bye(let text): expected.response.final = .bye(WireEncoding.sanitizedText(text))
    }
    let bytes = reply.response.encode(tag: reply.tag)
    var parser = ResponseParser()
    parser.append(bytes)
    do {
        let first = try parser.next()
        fuzzCheck(
            first == expected,
            "reply \(reply) encodes as \(String(decoding: bytes, as: UTF8.self)) and reads back as \(String(describing: first))"
        )
        let rest = try parser.next()
        fuzzCheck(rest == nil && !parser.hasPartialResponse, "encoding of \(reply) has bytes left")
    } catch {
        fuzzCheck(false, "encoding of \(reply) does not parse: \(error)")
    }
    if reply.tag == nil, reply.response.dataLines.isEmpty, case .ok(let text) = reply.response.final,
        let greeting = Greeting(okText: text)
    {
        guard case .ok(let written) = greeting.finalLine else { return fuzzCheck(false, "greeting not OK") }
        fuzzCheck(Greeting(okText: written) == greeting, "greeting \(text) written as \(written)")
    }
}

@_cdecl("FuzzResponseParser_main")
public func fuzzResponseParserMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    runFuzzer(argc, argv, fuzzResponseParser)
}
