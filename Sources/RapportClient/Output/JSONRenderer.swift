/// Renders a ``ResponseTable`` as a JSON array with one object per row, one row per line.
///
/// Keys keep the column order; absent cells are left out of their object; every value is a string, since the
/// wire carries no types.
public enum JSONRenderer {
    /// The array as text ending with a line feed (`[]` when there are no rows).
    public static func render(_ table: ResponseTable) -> String {
        guard !table.rows.isEmpty else { return "[]\n" }
        let objects = table.rows.map { row in
            let members = zip(table.columns, row).compactMap { column, value in
                value.map { Self.string(column) + ":" + Self.string($0) }
            }
            return "  {" + members.joined(separator: ",") + "}"
        }
        return "[\n" + objects.joined(separator: ",\n") + "\n]\n"
    }

    /// `value` as a JSON string literal.
    public static func string(_ value: String) -> String {
        var result = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F || scalar == "\u{2028}" || scalar == "\u{2029}":
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default:
                result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
