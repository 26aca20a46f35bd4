import RapportProtocol

/// Prints the data lines of one run page by page (`--all` sends several requests), with columns that never
/// change between rows.
///
/// Columns: the command's declared result columns (`HELP <VERB>`) when it has some, else the keys of the first
/// page with rows, in first-seen order (positional values as `1`, `2`, …). JSON with declared columns writes every
/// declared key with a typed value; without, each row's keys as seen, as strings. JSON is one array, written as
/// rows arrive; CSV has its header once (also for no rows when columns are declared); a table has its header once
/// and its widths grow page by page. A table wider than `autoVerticalWidth` turns vertical (decided on the first
/// page, kept for the run).
public struct RowStream: Sendable {
    public let format: OutputFormat
    public private(set) var vertical: Bool
    private let declared: [ResultColumn]
    private let autoVerticalWidth: Int?
    private var columns: [String]?
    private var types: [String: ResultColumn.ValueType] = [:]
    private var widths: [Int] = []
    /// Rows written so far.
    public private(set) var rowCount = 0

    public init(format: OutputFormat, declared: [ResultColumn], vertical: Bool = false, autoVerticalWidth: Int? = nil) {
        self.format = format
        self.declared = declared
        self.vertical = vertical
        self.autoVerticalWidth = autoVerticalWidth
        if !declared.isEmpty {
            self.columns = declared.map(\.name)
            for column in declared { self.types[column.name] = column.type }
        }
    }

    /// The text for one page of data lines (payloads are not part of the rows).
    public mutating func page(_ dataLines: [DataLine]) -> String {
        let firstRows = self.rowCount == 0
        if self.columns == nil, !dataLines.isEmpty {
            self.columns = ResponseTable(dataLines: dataLines).columns
        }
        defer { self.rowCount += dataLines.count }
        switch self.format {
        case .json: return self.json(dataLines, first: firstRows)
        case .csv:
            let header = firstRows ? self.csvHeader() : ""
            guard let columns = self.columns else { return header }
            return header + dataLines.map { Self.csvRecord(Self.cells($0, columns: columns)) }.joined()
        case .table:
            guard let columns = self.columns, !dataLines.isEmpty else { return "" }
            let rows = dataLines.map { Self.cells($0, columns: columns) }
            if firstRows, !self.vertical, let limit = self.autoVerticalWidth,
                Self.tableWidth(columns: columns, rows: rows) > limit
            {
                self.vertical = true
            }
            if self.vertical { return self.verticalBlocks(rows, columns: columns) }
            return self.table(rows, columns: columns, first: firstRows)
        }
    }

    /// What ends the output: the JSON array's end (or `[]`), a CSV header when no page wrote one.
    public mutating func finish() -> String {
        switch self.format {
        case .json: return self.rowCount == 0 ? "[]\n" : "\n]\n"
        case .csv, .table: return ""
        }
    }

    // MARK: Cells

    /// The values of `line` under `columns` by name (positional values are `1`, `2`, …); first value wins.
    static func cells(_ line: DataLine, columns: [String]) -> [String?] {
        var byName: [String: String] = [:]
        var position = 0
        for token in line.tokens {
            switch token {
            case .positional(let text):
                position += 1
                if byName[String(position)] == nil { byName[String(position)] = text }
            case .named(let key, let value):
                if byName[key] == nil { byName[key] = value }
            }
        }
        return columns.map { byName[$0] }
    }

    // MARK: JSON

    private func json(_ lines: [DataLine], first: Bool) -> String {
        var text = ""
        for (index, line) in lines.enumerated() {
            text += first && index == 0 ? "[\n" : ",\n"
            text += "  {" + self.jsonMembers(line).joined(separator: ",") + "}"
        }
        return text
    }

    private func jsonMembers(_ line: DataLine) -> [String] {
        if !self.declared.isEmpty {
            let cells = Self.cells(line, columns: self.declared.map(\.name))
            return zip(self.declared, cells).map { column, value in
                JSONRenderer.string(column.name) + ":" + TypedValue.json(value ?? "", type: column.type)
            }
        }
        // Nothing declared: the row's own keys, as strings (absent keys are left out).
        let table = ResponseTable(dataLines: [line])
        return zip(table.columns, table.rows.first ?? []).compactMap { column, value in
            value.map { JSONRenderer.string(column) + ":" + JSONRenderer.string($0) }
        }
    }

    // MARK: CSV

    private func csvHeader() -> String {
        guard let columns = self.columns else { return "" }
        return columns.map(CSVRenderer.field).joined(separator: ",") + "\r\n"
    }

    private static func csvRecord(_ cells: [String?]) -> String {
        cells.map { CSVRenderer.field($0 ?? "") }.joined(separator: ",") + "\r\n"
    }

    // MARK: Table

    private static func showsHeader(_ columns: [String]) -> Bool { columns.contains { Int($0) == nil } }

    static func tableWidth(columns: [String], rows: [[String?]]) -> Int {
        var widths = Self.showsHeader(columns) ? columns.map(DisplayWidth.of) : columns.map { _ in 0 }
        for row in rows {
            for (index, cell) in row.enumerated() {
                widths[index] = max(widths[index], DisplayWidth.of(TableRenderer.visible(cell ?? "")))
            }
        }
        return widths.reduce(0, +) + 2 * max(0, widths.count - 1)
    }

    private mutating func table(_ rows: [[String?]], columns: [String], first: Bool) -> String {
        let showsHeader = Self.showsHeader(columns)
        if self.widths.isEmpty { self.widths = showsHeader ? columns.map(DisplayWidth.of) : columns.map { _ in 0 } }
        let visibleRows = rows.map { $0.map { TableRenderer.visible($0 ?? "") } }
        for row in visibleRows {
            for (index, cell) in row.enumerated() {
                self.widths[index] = max(self.widths[index], DisplayWidth.of(cell))
            }
        }
        var lines = visibleRows
        if first, showsHeader { lines = [columns, self.widths.map { String(repeating: "-", count: $0) }] + lines }
        return lines.map { Self.line($0, widths: self.widths) }.joined()
    }

    private static func line(_ cells: [String], widths: [Int]) -> String {
        var text = ""
        for (index, cell) in cells.enumerated() {
            if index > 0 { text += "  " }
            text += cell
            if index < cells.count - 1 {
                text += String(repeating: " ", count: max(0, widths[index] - DisplayWidth.of(cell)))
            }
        }
        while text.hasSuffix(" ") { text.removeLast() }
        return text + "\n"
    }

    // MARK: Vertical

    /// One block per row, like psql's `\x`: a `-[ RECORD n ]-` rule, then `key: value` lines.
    private func verticalBlocks(_ rows: [[String?]], columns: [String]) -> String {
        let keyWidth = columns.map(DisplayWidth.of).max() ?? 0
        var text = ""
        for (offset, row) in rows.enumerated() {
            text += "-[ RECORD \(self.rowCount + offset + 1) ]" + String(repeating: "-", count: max(3, keyWidth)) + "\n"
            for (column, value) in zip(columns, row) {
                guard let value else { continue }
                let pad = String(repeating: " ", count: keyWidth - DisplayWidth.of(column))
                let shown = TableRenderer.visible(value)
                text += shown.isEmpty ? "\(column):\n" : "\(column):\(pad) \(shown)\n"
            }
        }
        return text
    }
}
