import RapportProtocol

/// How `rapport` prints data lines.
public enum OutputFormat: String, Sendable, CaseIterable {
    /// Aligned columns for people.
    case table
    /// A JSON array of objects (every value a string).
    case json
    /// RFC 4180 CSV with a header row.
    case csv

    /// Renders the data lines of a reply; empty when there is nothing to show in a table.
    public func render(_ dataLines: [DataLine]) -> String {
        let table = ResponseTable(dataLines: dataLines)
        switch self {
        case .table: return TableRenderer.render(table)
        case .json: return JSONRenderer.render(table)
        case .csv: return CSVRenderer.render(table)
        }
    }
}
