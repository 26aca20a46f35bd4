import FuzzSupport
import RapportProtocol

/// PROXY v1/v2 parser: no crash; the result is consistent as bytes arrive (a complete header is reported for
/// exactly its own bytes, every shorter prefix needs more data or is already invalid, and once invalid longer
/// input stays invalid); a parsed header written back as v1 text parses to the same addresses.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzProxyHeader(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = FuzzInput(data, size)
    let bytes = input.body
    // Small maxima too, so that the length check is reached.
    let maximumV2 =
        input.usesDefaultLimits ? ProxyProtocolParser.defaultMaximumVersion2Length : 16 + input.smallLimit * 4
    let result = ProxyProtocolParser.parse(bytes, maximumVersion2Length: maximumV2)
    // Prefixes at the chunk boundaries the second byte picks (the whole input when it is 0), at most 8 of them.
    let chunks = input.chunks(of: bytes.count)
    let stride = max(1, chunks.count / 8)
    var prefixLength = 0
    for (index, chunk) in chunks.enumerated() {
        prefixLength += chunk
        guard index % stride == 0 || index == chunks.count - 1 else { continue }
        let partial = ProxyProtocolParser.parse(bytes.prefix(prefixLength), maximumVersion2Length: maximumV2)
        checkPrefix(partial, of: result, prefixLength: prefixLength)
    }
    if case .header(let header, let consumed) = result {
        fuzzCheck(consumed > 0 && consumed <= bytes.count, "consumed \(consumed) of \(bytes.count)")
        fuzzCheck(consumed <= max(maximumV2, ProxyProtocolParser.maximumVersion1Length), "header too long")
        let exact = ProxyProtocolParser.parse(bytes.prefix(consumed), maximumVersion2Length: maximumV2)
        fuzzCheck(exact == result, "header bytes alone parse as \(exact), with more as \(result)")
        let shorter = ProxyProtocolParser.parse(bytes.prefix(consumed - 1), maximumVersion2Length: maximumV2)
        fuzzCheck(shorter == .needMoreData, "one byte short of the header gives \(shorter)")
        checkHeader(header)
    }
    return 0
}

private func checkPrefix(_ partial: ProxyParseResult, of full: ProxyParseResult, prefixLength: Int) {
    switch (partial, full) {
    case (.needMoreData, _):
        break
    case (.header, .header):
        fuzzCheck(partial == full, "prefix of \(prefixLength) bytes gives \(partial), whole input \(full)")
    case (.invalid, .invalid):
        break
    default:
        fuzzCheck(false, "prefix of \(prefixLength) bytes gives \(partial), whole input \(full)")
    }
}

/// The canonical addresses read back through the v1 text form.
private func checkHeader(_ header: ProxyHeader) {
    fuzzCheck((header.source == nil) == (header.destination == nil), "one address without the other")
    guard let source = header.source, let destination = header.destination else { return }
    fuzzCheck((0...65535).contains(source.port) && (0...65535).contains(destination.port), "port range")
    let ipv6 = source.host.contains(":")
    fuzzCheck(ipv6 == destination.host.contains(":"), "mixed address families")
    let text =
        "PROXY \(ipv6 ? "TCP6" : "TCP4") \(source.host) \(destination.host) \(source.port) \(destination.port)\r\n"
    let bytes = Array(text.utf8)
    fuzzCheck(bytes.count <= ProxyProtocolParser.maximumVersion1Length, "canonical v1 line too long: \(text)")
    let reparsed = ProxyProtocolParser.parse(bytes)
    let expected = ProxyHeader(version: 1, command: .proxy, source: source, destination: destination)
    fuzzCheck(reparsed == .header(expected, consumed: bytes.count), "\(text) parses as \(reparsed)")
}

@_cdecl("FuzzProxyHeader_main")
public func fuzzProxyHeaderMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    runFuzzer(argc, argv, fuzzProxyHeader)
}
