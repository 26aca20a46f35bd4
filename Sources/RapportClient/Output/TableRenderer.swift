/// Renders a ``ResponseTable`` as aligned text: a header, a rule, then one line per row.
///
/// When every column is positional (`1`, `2`, …, as in `HELP`), header and rule say nothing and are left out.
/// Columns are separated by two spaces and padded to their widest cell, except the last (no trailing blanks).
/// Control characters in values are shown escaped (`\n`, `\t`, `\u{1B}`) so that each row stays on one line.
public enum TableRenderer {
    /// The table as text ending with a line feed, or empty when there are no columns or no rows.
    public static func render(_ table: ResponseTable) -> String {
        guard !table.columns.isEmpty, !table.rows.isEmpty else { return "" }
        let showsHeader = table.columns.contains { Int($0) == nil }
        let header = showsHeader ? table.columns : table.columns.map { _ in "" }
        let rows = table.rows.map { $0.map { Self.visible($0 ?? "") } }
        var widths = header.map(DisplayWidth.of)
        for row in rows {
            for (index, cell) in row.enumerated() { widths[index] = max(widths[index], DisplayWidth.of(cell)) }
        }
        let rule = widths.map { String(repeating: "-", count: $0) }
        let lines = showsHeader ? [header, rule] + rows : rows
        return lines.map { Self.line($0, widths: widths) }.joined()
    }

    private static func line(_ cells: [String], widths: [Int]) -> String {
        var text = ""
        for (index, cell) in cells.enumerated() {
            if index > 0 { text += "  " }
            text += cell
            if index < cells.count - 1 {
                text += String(repeating: " ", count: widths[index] - DisplayWidth.of(cell))
            }
        }
        while text.hasSuffix(" ") { text.removeLast() }
        return text + "\n"
    }

    /// `value` with control characters replaced by escapes.
    static func visible(_ value: String) -> String {
        var result = ""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20 || (0x7F..<0xA0).contains(scalar.value):
                result += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
