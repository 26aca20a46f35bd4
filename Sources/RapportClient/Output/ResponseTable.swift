import RapportProtocol

/// The data lines of a reply as rows and columns.
///
/// Columns are the keys of named tokens and the positions of positional tokens (`1`, `2`, … counted per line),
/// in the order they are first seen. A cell is nil when its line has no such token.
public struct ResponseTable: Sendable, Equatable {
    /// Column names in first-seen order.
    public var columns: [String]
    /// One row per data line, one cell per column.
    public var rows: [[String?]]

    /// Creates a table from explicit columns and rows.
    public init(columns: [String], rows: [[String?]]) {
        self.columns = columns
        self.rows = rows
    }

    /// Lays out the tokens of `dataLines` (payloads are not part of the table).
    public init(dataLines: [DataLine]) {
        var columns: [String] = []
        var indexByColumn: [String: Int] = [:]
        var cellsByLine: [[(column: Int, value: String)]] = []
        for line in dataLines {
            var cells: [(column: Int, value: String)] = []
            var position = 0
            for token in line.tokens {
                let (name, value): (String, String)
                switch token {
                case .positional(let text):
                    position += 1
                    (name, value) = (String(position), text)
                case .named(let key, let text):
                    (name, value) = (key, text)
                }
                let index = indexByColumn[name] ?? columns.count
                if index == columns.count {
                    columns.append(name)
                    indexByColumn[name] = index
                }
                cells.append((index, value))
            }
            cellsByLine.append(cells)
        }
        self.columns = columns
        self.rows = cellsByLine.map { cells in
            var row = [String?](repeating: nil, count: columns.count)
            // A repeated key on one line keeps its first value, like a column can hold one.
            for (column, value) in cells where row[column] == nil { row[column] = value }
            return row
        }
    }
}
