import Foundation

/// Money and quantities as the protocol prints them: at least two decimals ("8.00", "12.125").
enum Amount {
    static func text(_ value: Decimal) -> String {
        var rounded = Decimal()
        var copy = value
        NSDecimalRound(&rounded, &copy, 2, .plain)
        let plain = (value as NSDecimalNumber).description(withLocale: Locale(identifier: "en_US_POSIX"))
        if rounded != value { return plain }
        let formatter = NumberFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.minimumFractionDigits = 2
        formatter.maximumFractionDigits = 2
        formatter.minimumIntegerDigits = 1
        formatter.usesGroupingSeparator = false
        return formatter.string(from: value as NSDecimalNumber) ?? plain
    }
}
