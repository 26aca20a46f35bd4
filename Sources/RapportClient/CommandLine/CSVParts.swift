import RapportProtocol

/// Splits a CSV file into parts that each fit in one request, for imports larger than the server's
/// payload limit. Every part starts with the file's header row and holds whole records (a line break
/// inside a quoted field does not end a record), and knows the file line of
/// its first data row, so the server can name the line of a bad row in the file itself. Records are
/// found with the project's one CSV reader (`CSVReader`, which the server uses too).
public struct CSVPart: Sendable, Equatable {
    /// The header row followed by this part's records.
    public var bytes: [UInt8]
    /// File line number of the part's first data row (the header is line 1).
    public var firstLine: Int
    /// How many records (contacts) the part holds: for a progress display in rows.
    public var rows: Int
    /// How many bytes of the file (without the repeated header) the part carries.
    public var fileBytes: Int
}

public enum CSVParts {
    /// Cuts `file` into parts of about `maximumBytes` each (a single record larger than that becomes a
    /// part of its own). A file with only a header gives no parts. Refuses a file whose records cannot be
    /// told apart (a quoted field not closed), naming the line.
    public static func split(_ file: [UInt8], maximumBytes: Int) throws(CSVReader.Problem) -> [CSVPart] {
        let spans = try CSVReader.spans(file)
        guard let header = spans.first else { return [] }
        var headerBytes = Array(file[header.content])
        headerBytes.append(UInt8(ascii: "\n"))
        var parts: [CSVPart] = []
        // The current part: file[start..<end], `rows` records from line `firstLine`. Blank lines between
        // its records stay in it, so the server counts the same lines as the file has.
        var start = 0
        var end = 0
        var firstLine = 0
        var rows = 0
        for span in spans.dropFirst() {
            if rows > 0, headerBytes.count + (span.next - start) > maximumBytes {
                parts.append(
                    CSVPart(
                        bytes: headerBytes + file[start..<end],
                        firstLine: firstLine,
                        rows: rows,
                        fileBytes: end - start
                    )
                )
                rows = 0
            }
            if rows == 0 {
                start = span.content.lowerBound
                firstLine = span.line
            }
            end = span.next
            rows += 1
        }
        if rows > 0 {
            parts.append(
                CSVPart(
                    bytes: headerBytes + file[start..<end],
                    firstLine: firstLine,
                    rows: rows,
                    fileBytes: end - start
                )
            )
        }
        return parts
    }
}
