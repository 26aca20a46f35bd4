import Foundation

/// One statement parameter as libpq sends it: a type, and bytes in text or binary format (nil = NULL).
public struct PGBind: Sendable, Hashable {
    public var type: PGType
    public var bytes: [UInt8]?
    /// Binary format; only used for `bytea`, everything else travels as text.
    public var isBinary: Bool

    public init(type: PGType, text: String?) {
        self.type = type
        self.bytes = text.map { Array($0.utf8) }
        self.isBinary = false
    }

    public init(type: PGType, binary: [UInt8]?) {
        self.type = type
        self.bytes = binary
        self.isBinary = true
    }
}

/// A Swift value that can be sent as a statement parameter.
public protocol PGEncodable: Sendable {
    var pgBind: PGBind { get }
}

extension String: PGEncodable {
    public var pgBind: PGBind { PGBind(type: .text, text: self) }
}

extension Substring: PGEncodable {
    public var pgBind: PGBind { PGBind(type: .text, text: String(self)) }
}

extension Int: PGEncodable {
    public var pgBind: PGBind { PGBind(type: .int8, text: String(self)) }
}

extension Int64: PGEncodable {
    public var pgBind: PGBind { PGBind(type: .int8, text: String(self)) }
}

extension Int32: PGEncodable {
    public var pgBind: PGBind { PGBind(type: .int4, text: String(self)) }
}

extension Int16: PGEncodable {
    public var pgBind: PGBind { PGBind(type: .int2, text: String(self)) }
}

extension Bool: PGEncodable {
    public var pgBind: PGBind { PGBind(type: .bool, text: self ? "t" : "f") }
}

extension Decimal: PGEncodable {
    public var pgBind: PGBind {
        PGBind(
            type: .numeric,
            text: (self as NSDecimalNumber).description(withLocale: Locale(identifier: "en_US_POSIX"))
        )
    }
}

extension UUID: PGEncodable {
    public var pgBind: PGBind { PGBind(type: .uuid, text: self.uuidString.lowercased()) }
}

extension Date: PGEncodable {
    /// Sent as `timestamptz` in UTC with microseconds.
    public var pgBind: PGBind { PGBind(type: .timestamptz, text: PGTimestamp.format(self)) }
}

extension PGDate: PGEncodable {
    public var pgBind: PGBind { PGBind(type: .date, text: self.description) }
}

extension PGTime: PGEncodable {
    public var pgBind: PGBind { PGBind(type: .time, text: self.description) }
}

/// Raw bytes, sent as `bytea` in binary format (no escaping).
public struct PGBytes: Hashable, Sendable, PGEncodable {
    public var bytes: [UInt8]
    public init(_ bytes: [UInt8]) { self.bytes = bytes }
    public var pgBind: PGBind { PGBind(type: .bytea, binary: self.bytes) }
}

extension Optional: PGEncodable where Wrapped: PGEncodable {
    public var pgBind: PGBind {
        switch self {
        case .some(let value): return value.pgBind
        case .none:
            // The type of a NULL still matters to PostgreSQL's overload resolution.
            var bind = (Wrapped.self as? any PGNullTyped.Type)?.pgNullBind ?? PGBind(type: .unknown, text: nil)
            bind.bytes = nil
            return bind
        }
    }
}

/// Types that know their PostgreSQL type when they are NULL.
protocol PGNullTyped {
    static var pgNullBind: PGBind { get }
}

extension String: PGNullTyped { static var pgNullBind: PGBind { PGBind(type: .text, text: nil) } }
extension Int: PGNullTyped { static var pgNullBind: PGBind { PGBind(type: .int8, text: nil) } }
extension Int64: PGNullTyped { static var pgNullBind: PGBind { PGBind(type: .int8, text: nil) } }
extension Int32: PGNullTyped { static var pgNullBind: PGBind { PGBind(type: .int4, text: nil) } }
extension Int16: PGNullTyped { static var pgNullBind: PGBind { PGBind(type: .int2, text: nil) } }
extension Bool: PGNullTyped { static var pgNullBind: PGBind { PGBind(type: .bool, text: nil) } }
extension Decimal: PGNullTyped { static var pgNullBind: PGBind { PGBind(type: .numeric, text: nil) } }
extension UUID: PGNullTyped { static var pgNullBind: PGBind { PGBind(type: .uuid, text: nil) } }
extension Date: PGNullTyped { static var pgNullBind: PGBind { PGBind(type: .timestamptz, text: nil) } }
extension PGDate: PGNullTyped { static var pgNullBind: PGBind { PGBind(type: .date, text: nil) } }
extension PGTime: PGNullTyped { static var pgNullBind: PGBind { PGBind(type: .time, text: nil) } }
extension PGBytes: PGNullTyped { static var pgNullBind: PGBind { PGBind(type: .bytea, binary: nil) } }

extension Array: PGEncodable where Element == String {
    /// Sent as `text[]`, for `= ANY($1)` over a selection.
    public var pgBind: PGBind {
        let elements = self.map { element -> String in
            var quoted = "\""
            for scalar in element.unicodeScalars {
                if scalar == "\"" || scalar == "\\" { quoted.append("\\") }
                quoted.unicodeScalars.append(scalar)
            }
            return quoted + "\""
        }
        return PGBind(type: .textArray, text: "{" + elements.joined(separator: ",") + "}")
    }
}

/// A list of integers sent as `int8[]`, for `= ANY($1)` over a selection of entry numbers.
public struct PGInt64Array: Hashable, Sendable, PGEncodable {
    public var values: [Int64]
    public init(_ values: [Int64]) { self.values = values }
    public var pgBind: PGBind {
        PGBind(type: .int8Array, text: "{" + self.values.map(String.init).joined(separator: ",") + "}")
    }
}

/// Formats and parses `timestamptz` text in the session's fixed ISO style and UTC zone.
enum PGTimestamp {
    static func format(_ date: Date) -> String {
        var seconds = date.timeIntervalSince1970
        var whole = seconds.rounded(.down)
        var micros = Int(((seconds - whole) * 1_000_000).rounded())
        if micros == 1_000_000 {
            whole += 1
            micros = 0
        }
        seconds = whole
        let days = Int((seconds / 86_400).rounded(.down))
        let secondOfDay = Int(seconds) - days * 86_400
        let (year, month, day) = civilFromDays(days)
        return pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2) + " " + pad(secondOfDay / 3600, 2) + ":"
            + pad(secondOfDay / 60 % 60, 2) + ":" + pad(secondOfDay % 60, 2) + "." + pad(micros, 6) + "+00"
    }

    /// Parses `YYYY-MM-DD HH:MM:SS[.ffffff]+HH[:MM]` (what PostgreSQL prints with DateStyle ISO).
    static func parse(_ text: String) -> Date? {
        let parts = text.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, let date = PGDate(parts[0]) else { return nil }
        var clock = Substring(parts[1])
        var offsetSeconds = 0
        if let signIndex = clock.lastIndex(where: { $0 == "+" || $0 == "-" }) {
            let zone = clock[clock.index(after: signIndex)...].split(separator: ":")
            guard (1...3).contains(zone.count), let hours = Int(zone[0]) else { return nil }
            let minutes = zone.count > 1 ? Int(zone[1]) ?? 0 : 0
            let sign = clock[signIndex] == "-" ? -1 : 1
            offsetSeconds = sign * (hours * 3600 + minutes * 60)
            clock = clock[..<signIndex]
        }
        guard let time = PGTime(clock) else { return nil }
        let days = daysFromCivil(date.year, date.month, date.day)
        let seconds = days * 86_400 + time.hour * 3600 + time.minute * 60 + time.second - offsetSeconds
        return Date(timeIntervalSince1970: Double(seconds) + Double(time.microsecond) / 1_000_000)
    }

    // Howard Hinnant's days-from-civil algorithms: exact for the proleptic Gregorian calendar.
    static func daysFromCivil(_ year: Int, _ month: Int, _ day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civilFromDays(_ days: Int) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
