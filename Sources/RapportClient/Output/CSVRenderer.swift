/// Renders a ``ResponseTable`` as CSV (RFC 4180): a header row, then the rows, each ending with CRLF.
///
/// A field is quoted when it holds a comma, a double quote, CR or LF; quotes inside are doubled. Absent cells
/// are empty fields.
public enum CSVRenderer {
    /// The CSV text, or empty when there are no columns.
    public static func render(_ table: ResponseTable) -> String {
        guard !table.columns.isEmpty else { return "" }
        let records = [table.columns] + table.rows.map { $0.map { $0 ?? "" } }
        return records.map { $0.map(Self.field).joined(separator: ",") + "\r\n" }.joined()
    }

    /// `value` as one CSV field.
    public static func field(_ value: String) -> String {
        let needsQuotes = value.unicodeScalars.contains { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" }
        guard needsQuotes else { return value }
        return "\"" + value.replacing("\"", with: "\"\"") + "\""
    }
}
