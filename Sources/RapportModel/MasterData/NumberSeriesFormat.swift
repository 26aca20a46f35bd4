/// Number series arithmetic (BC's IncStr), the same rules as the SQL function
/// `rapport_next_number`: the rightmost run of digits is incremented, keeping its zero-padding
/// width (`CT0009` → `CT0010`; a carry widens it, `99` → `100`), and the ending number is never
/// passed. Used where many numbers are handed out at once (the contact import), so the series row
/// is updated once instead of once per number.
public struct NumberSeriesFormat: Sendable, Equatable {
    public var code: String
    public var startingNo: String
    public var endingNo: String?
    public var lastNoUsed: String?
    public var incrementBy: Int

    public init(code: String, startingNo: String, endingNo: String?, lastNoUsed: String?, incrementBy: Int) {
        self.code = code
        self.startingNo = startingNo
        self.endingNo = endingNo
        self.lastNoUsed = lastNoUsed
        self.incrementBy = incrementBy
    }

    /// Why no number can be handed out.
    public enum Problem: Error, Equatable, CustomStringConvertible {
        case noDigits(series: String, number: String)
        case exhausted(series: String, next: String, ending: String)
        case tooLong(series: String, next: String)

        public var description: String {
            switch self {
            case .noDigits(let series, let number):
                return "number series \(series): \(number) contains no digits"
            case .exhausted(let series, let next, let ending):
                return
                    "number series \(series) is exhausted: the next number \(next) would pass the ending number "
                    + ending
            case .tooLong(let series, let next):
                return "number series \(series): the next number \(next) is longer than 20 characters"
            }
        }
    }

    /// The next `count` numbers, in order; `lastNoUsed` becomes the last of them.
    public mutating func take(_ count: Int) throws(Problem) -> [String] {
        guard count > 0 else { return [] }
        var numbers: [String] = []
        numbers.reserveCapacity(count)
        let first = try self.peek()
        numbers.append(first)
        self.lastNoUsed = first
        // Fast path for the usual case, a digit run that fits an Int: count in integers and pad.
        if let parts = Self.split(first), parts.digits.count <= 17, let start = Int(parts.digits) {
            let ending = self.endingNo.flatMap(Self.split).flatMap { $0.digits.count <= 17 ? Int($0.digits) : nil }
            let width = parts.digits.count
            for step in 1..<count {
                let value = start + step * self.incrementBy
                var digits = String(value)
                if digits.count < width { digits = String(repeating: "0", count: width - digits.count) + digits }
                let candidate = parts.prefix + digits + parts.suffix
                if let ending, value > ending {
                    throw .exhausted(series: self.code, next: candidate, ending: self.endingNo!)
                }
                guard candidate.count <= 20 else { throw .tooLong(series: self.code, next: candidate) }
                numbers.append(candidate)
            }
            self.lastNoUsed = numbers.last
            return numbers
        }
        for _ in 1..<count {
            let next = try self.peek()
            numbers.append(next)
            self.lastNoUsed = next
        }
        return numbers
    }

    /// The number `take(1)` would hand out, without taking it.
    public func peek() throws(Problem) -> String {
        let candidate: String
        if let last = self.lastNoUsed {
            guard let parts = Self.split(last) else { throw .noDigits(series: self.code, number: last) }
            candidate = parts.prefix + Self.add(self.incrementBy, to: parts.digits) + parts.suffix
        } else {
            candidate = self.startingNo
        }
        if let ending = self.endingNo, let end = Self.split(ending), let next = Self.split(candidate),
            Self.compare(next.digits, end.digits) > 0
        {
            throw .exhausted(series: self.code, next: candidate, ending: ending)
        }
        guard candidate.count <= 20 else { throw .tooLong(series: self.code, next: candidate) }
        return candidate
    }

    /// Prefix, the rightmost run of digits, and the non-digit suffix; nil without digits.
    static func split(_ number: String) -> (prefix: String, digits: String, suffix: String)? {
        let characters = Array(number)
        guard let last = characters.lastIndex(where: \.isASCIIDigit) else { return nil }
        var first = last
        while first > 0, characters[first - 1].isASCIIDigit { first -= 1 }
        return (String(characters[..<first]), String(characters[first...last]), String(characters[(last + 1)...]))
    }

    /// `digits + amount`, keeping the width of `digits` (zero padding) unless the sum is wider.
    static func add(_ amount: Int, to digits: String) -> String {
        var result = Array(digits.utf8.map { Int($0) - 48 })
        var carry = amount
        var index = result.count - 1
        while carry > 0 {
            if index < 0 {
                result.insert(0, at: 0)
                index = 0
            }
            let sum = result[index] + carry
            result[index] = sum % 10
            carry = sum / 10
            index -= 1
        }
        return String(result.map { Character(Unicode.Scalar(UInt8(48 + $0))) })
    }

    /// Compares two digit strings as numbers.
    static func compare(_ lhs: String, _ rhs: String) -> Int {
        let a = lhs.drop { $0 == "0" }
        let b = rhs.drop { $0 == "0" }
        if a.count != b.count { return a.count < b.count ? -1 : 1 }
        return a == b ? 0 : (a < b ? -1 : 1)
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { self >= "0" && self <= "9" }
}
