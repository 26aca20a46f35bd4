import Crypto
import Foundation

/// Session tickets: 256 random bits, given to the client as 64 hex digits, stored only as their
/// SHA-256 (`session_tickets.token_hash`). A ticket carries no data: the row says whose it is and
/// until when, so revoking it is deleting the row, and every replica sees the same rows.
///
/// Never logged and never a metric label: the server does not log request lines, and LOGIN's log
/// lines name the user and how they logged in, not the ticket.
enum SessionTickets {
    /// A new token and its hash.
    static func make() -> (token: String, hash: String) {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let token = Self.hex(bytes)
        return (token, Self.hash(token))
    }

    /// The SHA-256 of `token`, in lower-case hex: what the database stores and looks up. A token
    /// of any other shape (forged) simply finds no row.
    static func hash(_ token: String) -> String {
        Self.hex(Array(SHA256.hash(data: Array(token.lowercased().utf8))))
    }

    /// `2026-11-28T04:00:00Z`.
    static func timestamp(_ date: Date) -> String {
        var formatter = Date.ISO8601FormatStyle()
        formatter.timeZone = TimeZone(identifier: "UTC")!
        return formatter.format(date)
    }

    private static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text = [UInt8]()
        text.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
