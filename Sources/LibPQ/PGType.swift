/// The PostgreSQL type OIDs this module encodes and decodes (from `pg_type`).
public struct PGType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let bool = PGType(rawValue: 16)
    public static let bytea = PGType(rawValue: 17)
    public static let char = PGType(rawValue: 18)
    public static let name = PGType(rawValue: 19)
    public static let int8 = PGType(rawValue: 20)
    public static let int2 = PGType(rawValue: 21)
    public static let int4 = PGType(rawValue: 23)
    public static let text = PGType(rawValue: 25)
    public static let oid = PGType(rawValue: 26)
    public static let unknown = PGType(rawValue: 705)
    public static let bpchar = PGType(rawValue: 1042)
    public static let varchar = PGType(rawValue: 1043)
    public static let date = PGType(rawValue: 1082)
    public static let time = PGType(rawValue: 1083)
    public static let timestamp = PGType(rawValue: 1114)
    public static let timestamptz = PGType(rawValue: 1184)
    public static let numeric = PGType(rawValue: 1700)
    public static let uuid = PGType(rawValue: 2950)
    public static let textArray = PGType(rawValue: 1009)
    public static let int8Array = PGType(rawValue: 1016)

    /// Types whose text form is plain text.
    static let textLike: Set<PGType> = [.text, .varchar, .bpchar, .name, .char, .unknown]
    /// Integer types.
    static let integers: Set<PGType> = [.int2, .int4, .int8, .oid]

    public var description: String {
        switch self {
        case .bool: return "bool"
        case .bytea: return "bytea"
        case .int8: return "int8"
        case .int2: return "int2"
        case .int4: return "int4"
        case .text: return "text"
        case .varchar: return "varchar"
        case .date: return "date"
        case .time: return "time"
        case .timestamptz: return "timestamptz"
        case .numeric: return "numeric"
        case .uuid: return "uuid"
        default: return "oid \(self.rawValue)"
        }
    }
}
