import Foundation
import LibPQ

/// Contacts named by their name instead of their number: the name must match exactly one contact, in any
/// letter case (the stored search name); otherwise a refusal lists the candidates.
public enum ContactNames {
    /// At most this many candidates are listed in a refusal.
    static let shown = 10

    /// The number of the one contact called `name` (any letter case).
    public static func resolve(_ connection: PGConnection, name: String) throws -> String {
        let trimmed = name.trimmingCharacters(in: .whitespaces)
        let rows = try connection.query(
            """
            SELECT no, name FROM contacts WHERE search_name = upper(\(trimmed))
            ORDER BY no LIMIT \(Self.shown + 1)
            """
        )
        if rows.count == 1 { return try rows[0].decode(String.self, at: 0) }
        if rows.isEmpty {
            // Name the contacts that start with it, to help the caller.
            let similar = try connection.query(
                """
                SELECT no, name FROM contacts WHERE search_name LIKE upper(\(Self.escapeLike(trimmed))) || '%'
                ORDER BY search_name, no LIMIT \(Self.shown + 1)
                """
            )
            let hint = similar.isEmpty ? "" : "; names that start so: " + (try Self.describe(similar))
            throw StoreError.notFound("There is no contact named \"\(trimmed)\"\(hint).")
        }
        throw StoreError.invalid(
            "The name \"\(trimmed)\" matches several contacts: \(try Self.describe(rows)); give the contact's No."
        )
    }

    static func describe(_ rows: PGRows) throws -> String {
        var parts = try rows.prefix(Self.shown).map {
            "\(try $0.decode(String.self, at: 0)) (\(try $0.decode(String.self, at: 1)))"
        }
        if rows.count > Self.shown { parts.append("…") }
        return parts.joined(separator: ", ")
    }

    static func escapeLike(_ text: String) -> String {
        var escaped = ""
        for character in text {
            if character == "%" || character == "_" || character == "\\" { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped
    }
}
