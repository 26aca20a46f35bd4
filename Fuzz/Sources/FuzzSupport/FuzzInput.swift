/// A fuzz input cut into a small header and the bytes under test.
///
/// The first byte selects the limits (see ``configuration``), the second seeds the chunk sizes in which the
/// bytes are fed (0: one chunk). Shorter inputs are all body, with the defaults.
public struct FuzzInput {
    /// The configuration byte; its high bit asks for the production limits.
    public let configuration: UInt8
    /// The seed of ``ChunkSplitter``.
    public let chunkSeed: UInt8
    /// The bytes under test.
    public let body: [UInt8]

    /// The length of the header that precedes the body.
    public static let headerLength = 2

    public init(_ data: UnsafePointer<UInt8>?, _ size: Int) {
        let bytes = Array(UnsafeBufferPointer(start: data, count: size))
        if bytes.count >= Self.headerLength {
            self.configuration = bytes[0]
            self.chunkSeed = bytes[1]
            self.body = Array(bytes[Self.headerLength...])
        } else {
            self.configuration = 0x80
            self.chunkSeed = 0
            self.body = bytes
        }
    }

    /// Whether the production limits are asked for.
    public var usesDefaultLimits: Bool { self.configuration & 0x80 != 0 }

    /// The low bits of the configuration byte, for small limits that the fuzzer can exceed.
    public var smallLimit: Int { Int(self.configuration & 0x7F) }

    /// The chunk sizes for `count` bytes.
    public func chunks(of count: Int) -> [Int] {
        var splitter = ChunkSplitter(seed: self.chunkSeed)
        return splitter.sizes(total: count)
    }
}

/// Deterministic chunk sizes from a one-byte seed: seed 0 is one chunk; otherwise 1…(seed % 32 + 1) bytes each.
public struct ChunkSplitter {
    private var state: UInt64
    private let maximumChunk: Int
    private let whole: Bool

    public init(seed: UInt8) {
        self.whole = seed == 0
        self.maximumChunk = Int(seed % 32) + 1
        self.state = 0x9E37_79B9_7F4A_7C15 &* (UInt64(seed) &+ 1)
    }

    /// Sizes adding up to `total`.
    public mutating func sizes(total: Int) -> [Int] {
        if self.whole || total == 0 { return [total] }
        var result: [Int] = []
        var remaining = total
        while remaining > 0 {
            let size = min(remaining, Int(self.nextRandom() % UInt64(self.maximumChunk)) + 1)
            result.append(size)
            remaining -= size
        }
        return result
    }

    /// splitmix64.
    private mutating func nextRandom() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Stops the process with a message libFuzzer reports as a crash, with the input saved.
public func fuzzCheck(
    _ condition: @autoclosure () -> Bool,
    _ message: @autoclosure () -> String,
    file: StaticString = #fileID,
    line: UInt = #line
) {
    if !condition() { fatalError("fuzz invariant violated: \(message())", file: file, line: line) }
}
