import Foundation

/// A Swift type that can be read from a value in PostgreSQL's text format.
///
/// Decoding checks the column type: reading an `int4` as `String` or a `text` as `Int` throws
/// instead of guessing, so a changed query cannot silently change meaning.
public protocol PGDecodable: Sendable {
    init(pgText bytes: ArraySlice<UInt8>, type: PGType) throws
    /// The value for SQL NULL; throws for non-optional types.
    static func pgNull(column: String) throws -> Self
}

extension PGDecodable {
    public static func pgNull(column: String) throws -> Self {
        throw PGError(.decoding, "column \(column) is NULL, expected \(Self.self)")
    }
}

extension Optional: PGDecodable where Wrapped: PGDecodable {
    public init(pgText bytes: ArraySlice<UInt8>, type: PGType) throws {
        self = .some(try Wrapped(pgText: bytes, type: type))
    }

    public static func pgNull(column: String) throws -> Self { .none }
}

func requireType(_ type: PGType, in accepted: Set<PGType>, for swiftType: Any.Type) throws {
    guard accepted.contains(type) else {
        throw PGError(.decoding, "cannot decode \(type) as \(swiftType)")
    }
}

func text(_ bytes: ArraySlice<UInt8>) -> String {
    String(decoding: bytes, as: UTF8.self)
}

extension String: PGDecodable {
    public init(pgText bytes: ArraySlice<UInt8>, type: PGType) throws {
        try requireType(type, in: PGType.textLike, for: String.self)
        self = text(bytes)
    }
}

/// Parses a decimal integer without going through String.
func parseInteger(_ bytes: ArraySlice<UInt8>) -> Int? {
    var iterator = bytes.makeIterator()
    guard var byte = iterator.next() else { return nil }
    var negative = false
    if byte == UInt8(ascii: "-") {
        negative = true
        guard let next = iterator.next() else { return nil }
        byte = next
    }
    var value = 0
    while true {
        guard byte >= 48, byte <= 57 else { return nil }
        let (multiplied, overflow1) = value.multipliedReportingOverflow(by: 10)
        let (added, overflow2) = multiplied.addingReportingOverflow(negative ? -Int(byte - 48) : Int(byte - 48))
        guard !overflow1, !overflow2 else { return nil }
        value = added
        guard let next = iterator.next() else { return value }
        byte = next
    }
}

extension Int: PGDecodable {
    public init(pgText bytes: ArraySlice<UInt8>, type: PGType) throws {
        try requireType(type, in: PGType.integers, for: Int.self)
        guard let value = parseInteger(bytes) else { throw PGError(.decoding, "bad integer \(text(bytes))") }
        self = value
    }
}

extension Int64: PGDecodable {
    public init(pgText bytes: ArraySlice<UInt8>, type: PGType) throws {
        self = Int64(try Int(pgText: bytes, type: type))
    }
}

extension Int32: PGDecodable {
    public init(pgText bytes: ArraySlice<UInt8>, type: PGType) throws {
        let value = try Int(pgText: bytes, type: type)
        guard let narrow = Int32(exactly: value) else { throw PGError(.decoding, "\(value) does not fit Int32") }
        self = narrow
    }
}

extension Int16: PGDecodable {
    public init(pgText bytes: ArraySlice<UInt8>, type: PGType) throws {
        let value = try Int(pgText: bytes, type: type)
        guard let narrow = Int16(exactly: value) else { throw PGError(.decoding, "\(value) does not fit Int16") }
        self = narrow
    }
}

extension Bool: PGDecodable {
    public init(pgText bytes: ArraySlice<UInt8>, type: PGType) throws {
        try requireType(type, in: [.bool], for: Bool.self)
        switch bytes.first {
        case UInt8(ascii: "t"): self = true
        case UInt8(ascii: "f"): self = false
        default: throw PGError(.decoding, "bad boolean \(text(bytes))")
        }
    }
}

extension Decimal: PGDecodable {
    public init(pgText bytes: ArraySlice<UInt8>, type: PGType) throws {
        try requireType(type, in: PGType.integers.union([.numeric]), for: Decimal.self)
        let string = text(bytes)
        // Decimal(string:) accepts a prefix ("1x" → 1); insist on the whole text being a number.
        guard !string.isEmpty, string.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "." || $0 == "-") }),
            let value = Decimal(string: string, locale: Locale(identifier: "en_US_POSIX"))
        else { throw PGError(.decoding, "cannot decode numeric \(string) as Decimal") }
        self = value
    }
}

extension UUID: PGDecodable {
    public init(pgText bytes: ArraySlice<UInt8>, type: PGType) throws {
        try requireType(type, in: [.uuid], for: UUID.self)
        guard let value = UUID(uuidString: text(bytes)) else { throw PGError(.decoding, "bad uuid \(text(bytes))") }
        self = value
    }
}

extension Date: PGDecodable {
    public init(pgText bytes: ArraySlice<UInt8>, type: PGType) throws {
        try requireType(type, in: [.timestamptz], for: Date.self)
        guard let value = PGTimestamp.parse(text(bytes)) else {
            throw PGError(.decoding, "cannot decode timestamptz \(text(bytes))")
        }
        self = value
    }
}

extension PGDate: PGDecodable {
    public init(pgText bytes: ArraySlice<UInt8>, type: PGType) throws {
        try requireType(type, in: [.date], for: PGDate.self)
        guard let value = PGDate(text(bytes)) else { throw PGError(.decoding, "cannot decode date \(text(bytes))") }
        self = value
    }
}

extension PGTime: PGDecodable {
    public init(pgText bytes: ArraySlice<UInt8>, type: PGType) throws {
        try requireType(type, in: [.time], for: PGTime.self)
        guard let value = PGTime(text(bytes)) else { throw PGError(.decoding, "cannot decode time \(text(bytes))") }
        self = value
    }
}

extension PGBytes: PGDecodable {
    /// `bytea` in hex output format: `\x` followed by two hex digits per byte.
    public init(pgText bytes: ArraySlice<UInt8>, type: PGType) throws {
        try requireType(type, in: [.bytea], for: PGBytes.self)
        guard bytes.count >= 2, bytes.first == UInt8(ascii: "\\"),
            bytes[bytes.startIndex + 1] == UInt8(ascii: "x"), bytes.count % 2 == 0
        else { throw PGError(.decoding, "bytea is not in hex format") }
        var result: [UInt8] = []
        result.reserveCapacity((bytes.count - 2) / 2)
        var index = bytes.startIndex + 2
        while index < bytes.endIndex {
            guard let high = hexValue(bytes[index]), let low = hexValue(bytes[index + 1]) else {
                throw PGError(.decoding, "bad hex digit in bytea")
            }
            result.append(high << 4 | low)
            index += 2
        }
        self.init(result)
    }
}

func hexValue(_ byte: UInt8) -> UInt8? {
    switch byte {
    case 48...57: return byte - 48
    case 97...102: return byte - 87
    case 65...70: return byte - 55
    default: return nil
    }
}
