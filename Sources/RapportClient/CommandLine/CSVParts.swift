/// Splits a CSV file into parts that each fit in one request, for imports larger than the server's
/// payload limit. Every part starts with the file's header row and holds whole records (a line break
/// inside a quoted field does not end a record), and knows the file line of its first data row, so
/// the server can name the line of a bad row in the file itself.
public struct CSVPart: Sendable, Equatable {
    /// The header row followed by this part's records.
    public var bytes: [UInt8]
    /// File line number of the part's first data row (the header is line 1).
    public var firstLine: Int
    /// How many bytes of the file (without the repeated header) the part carries: for a progress bar.
    public var fileBytes: Int
}

public enum CSVParts {
    /// Cuts `file` into parts of about `maximumBytes` each (a single record larger than that becomes a
    /// part of its own). A file with only a header gives no parts.
    public static func split(_ file: [UInt8], maximumBytes: Int) -> [CSVPart] {
        let records = Self.recordRanges(file)
        guard let header = records.first else { return [] }
        let headerBytes = Array(file[header.range])
        var parts: [CSVPart] = []
        var current: [UInt8] = []
        var currentFirstLine = 0
        var currentFileBytes = 0
        for record in records.dropFirst() {
            let size = record.range.count
            if !current.isEmpty, headerBytes.count + current.count + size > maximumBytes {
                parts.append(CSVPart(bytes: headerBytes + current, firstLine: currentFirstLine, fileBytes: currentFileBytes))
                current = []
                currentFileBytes = 0
            }
            if current.isEmpty { currentFirstLine = record.line }
            current.append(contentsOf: file[record.range])
            currentFileBytes += size
        }
        if !current.isEmpty {
            parts.append(CSVPart(bytes: headerBytes + current, firstLine: currentFirstLine, fileBytes: currentFileBytes))
        }
        return parts
    }

    /// Each record's bytes (with its line break) and the file line it starts on.
    static func recordRanges(_ file: [UInt8]) -> [(range: Range<Int>, line: Int)] {
        var records: [(range: Range<Int>, line: Int)] = []
        var start = 0
        var line = 1
        var startLine = 1
        var quoted = false
        for (index, byte) in file.enumerated() {
            if byte == UInt8(ascii: "\"") { quoted.toggle() }
            guard byte == UInt8(ascii: "\n") else { continue }
            line += 1
            if !quoted {
                records.append((start..<(index + 1), startLine))
                start = index + 1
                startLine = line
            }
        }
        if start < file.count { records.append((start..<file.count, startLine)) }
        return records
    }
}
