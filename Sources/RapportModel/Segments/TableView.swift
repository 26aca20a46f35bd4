/// The stored form of one criteria filter row (`table_view`, at most 2048 characters), modelled on BC's
/// table views: `WHERE(No.=FILTER(CT1..CT9),Type=FILTER(person))`. Inside `FILTER(…)` a backslash escapes
/// `\`, `,` and `)`, so any value survives the round trip.
public enum TableView {
    public static let maximumLength = 2048

    /// The table view of `filters` (all of one table); nil when there are none (no row is written).
    public static func encode(_ filters: [FieldFilter]) throws(FilterError) -> String? {
        guard !filters.isEmpty else { return nil }
        let parts = filters.map { filter in
            filter.field.caption + "=FILTER(" + Self.escape(filter.expression.description) + ")"
        }
        let text = "WHERE(" + parts.joined(separator: ",") + ")"
        guard text.unicodeScalars.count <= Self.maximumLength else {
            throw FilterError("the filters are longer than \(Self.maximumLength) characters once stored")
        }
        return text
    }

    /// The filters of a stored table view of `table`.
    public static func decode(_ text: String, table: CriteriaTable) throws(FilterError) -> [FieldFilter] {
        guard text.hasPrefix("WHERE("), text.hasSuffix(")") else {
            throw FilterError("stored filter \"\(text.prefix(60))\" is not a table view")
        }
        let body = text.dropFirst("WHERE(".count).dropLast()
        var filters: [FieldFilter] = []
        var rest = Substring(body)
        while !rest.isEmpty {
            guard let marker = rest.firstRange(of: "=FILTER(") else {
                throw FilterError("stored filter \"\(text.prefix(60))\" is not a table view")
            }
            let caption = String(rest[rest.startIndex..<marker.lowerBound])
            var value = ""
            var index = marker.upperBound
            var closed = false
            while index < rest.endIndex {
                let character = rest[index]
                if character == "\\" {
                    index = rest.index(after: index)
                    guard index < rest.endIndex else { break }
                    value.append(rest[index])
                } else if character == ")" {
                    closed = true
                    index = rest.index(after: index)
                    break
                } else {
                    value.append(character)
                }
                index = rest.index(after: index)
            }
            guard closed, let field = CriteriaField.field(table: table, caption: caption) else {
                throw FilterError("stored filter \"\(text.prefix(60))\" names an unknown field \"\(caption)\"")
            }
            filters.append(FieldFilter(field, try field.filter(value)))
            rest = rest[index...]
            if rest.first == "," { rest = rest.dropFirst() }
        }
        return filters
    }

    /// `Caption = value; …` for people.
    public static func readable(_ filters: [FieldFilter]) -> String {
        filters.map { "\($0.field.caption) = \($0.expression.description)" }.joined(separator: "; ")
    }

    private static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            if character == "\\" || character == "," || character == ")" { out.append("\\") }
            out.append(character)
        }
        return out
    }
}
