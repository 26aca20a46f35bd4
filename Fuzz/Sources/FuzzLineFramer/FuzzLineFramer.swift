import FuzzSupport
import RapportProtocol

/// Line framer, including literals `{N}`: the input fed in chunks (sizes from the second input byte) must give
/// the same frames as fed at once; no frame breaks the limits, the framer never keeps more than an unfinished
/// line (limit + 2) or an accepted literal, and at end of input everything is consumed.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLineFramer(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = FuzzInput(data, size)
    let limits = framerLimits(input)
    let whole = frameAll(input.body, chunks: [input.body.count], limits: limits)
    let split = frameAll(input.body, chunks: input.chunks(of: input.body.count), limits: limits)
    fuzzCheck(whole == split, "chunked input framed differently:\n\(whole)\nvs\n\(split)")
    return 0
}

@_cdecl("FuzzLineFramer_main")
public func fuzzLineFramerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    runFuzzer(argc, argv, fuzzLineFramer)
}
