import Foundation

/// Money and quantities as the protocol prints them: at least two decimals ("8.00", "12.125").
enum Amount {
    /// Decimal arithmetic only: a binary floating-point formatter would print 9999999999999999.99 as
    /// 10000000000000000.00.
    static func text(_ value: Decimal) -> String {
        let plain = (value as NSDecimalNumber).description(withLocale: Locale(identifier: "en_US_POSIX"))
        guard let dot = plain.firstIndex(of: ".") else { return plain + ".00" }
        let decimals = plain.distance(from: plain.index(after: dot), to: plain.endIndex)
        return decimals >= 2 ? plain : plain + String(repeating: "0", count: 2 - decimals)
    }
}
