/// Reads CSV (RFC 4180) from bytes: comma-separated fields, double quotes around fields that
/// hold commas, quotes (doubled) or line breaks; LF, CRLF or CR line ends; a UTF-8 byte order mark
/// is skipped; empty lines are skipped. Every record remembers the line it starts on, so a refusal
/// can name it.
///
/// The one CSV reader of the project: the client cuts files into parts of whole records with it
/// (``spans(_:)``), and the server reads a file's header row and, when the database refuses a file,
/// finds the first bad record with it (``records(_:)``).
public enum CSVReader {
    public struct Record: Sendable, Equatable {
        /// 1-based line number of the record's first character.
        public var line: Int
        public var fields: [String]

        public init(line: Int, fields: [String]) {
            self.line = line
            self.fields = fields
        }
    }

    /// Where a record is, without its fields.
    public struct Span: Sendable, Equatable {
        /// 1-based line number of the record's first character.
        public var line: Int
        /// The record's bytes, without its line end.
        public var content: Range<Int>
        /// Index just after the record's line end (or the end of the bytes).
        public var next: Int

        public init(line: Int, content: Range<Int>, next: Int) {
            self.line = line
            self.content = content
            self.next = next
        }
    }

    public struct Problem: Error, Equatable, CustomStringConvertible {
        public var line: Int
        public var message: String

        public init(line: Int, message: String) {
            self.line = line
            self.message = message
        }

        public var description: String { "line \(self.line): \(self.message)" }
    }

    private static let quote = UInt8(ascii: "\"")
    private static let comma = UInt8(ascii: ",")
    private static let lf = UInt8(ascii: "\n")
    private static let cr = UInt8(ascii: "\r")

    /// All records of `bytes`, in order, with their fields.
    public static func records(_ bytes: [UInt8]) throws(Problem) -> [Record] {
        var records: [Record] = []
        try Self.scan(bytes, fields: true) { fields, span in
            records.append(Record(line: span.line, fields: fields))
            return true
        }
        return records
    }

    /// Where every record of `bytes` is, in order, without building its fields (fast: for cutting a
    /// file into parts and for counting records). Refuses what ``records(_:)`` refuses, except text
    /// that is not UTF-8.
    public static func spans(_ bytes: [UInt8]) throws(Problem) -> [Span] {
        var spans: [Span] = []
        try Self.scan(bytes, fields: false) { _, span in
            spans.append(span)
            return true
        }
        return spans
    }

    /// The first record of `bytes` (the header row of a file) and where it is; nil without records.
    public static func first(_ bytes: [UInt8]) throws(Problem) -> (record: Record, span: Span)? {
        var first: (Record, Span)?
        try Self.scan(bytes, fields: true) { fields, span in
            first = (Record(line: span.line, fields: fields), span)
            return false
        }
        return first
    }

    /// Calls `emit` with each record's fields (empty unless `fields`) and span until it returns false.
    private static func scan(
        _ bytes: [UInt8],
        fields wantsFields: Bool,
        _ emit: ([String], Span) -> Bool
    ) throws(Problem) {
        let result: Result<Void, Problem> = bytes.withUnsafeBufferPointer { buffer in
            do throws(Problem) {
                try self.read(buffer, wantsFields: wantsFields, emit)
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        try result.get()
    }

    private static func read(
        _ buffer: UnsafeBufferPointer<UInt8>,
        wantsFields: Bool,
        _ emit: ([String], Span) -> Bool
    ) throws(Problem) {
        var index = 0
        let end = buffer.count
        if end >= 3, buffer[0] == 0xEF, buffer[1] == 0xBB, buffer[2] == 0xBF { index = 3 }
        var line = 1
        var recordLine = 1
        var recordStart = index
        var fieldCount = 0
        var fields: [String] = []
        var quoted: [UInt8] = []

        func text(_ bytes: UnsafeBufferPointer<UInt8>) throws(Problem) -> String {
            guard let text = String(validating: bytes, as: UTF8.self) else {
                throw Problem(line: line, message: "the text is not valid UTF-8")
            }
            return text
        }

        while index < end {
            // One field, starting at `index`.
            if buffer[index] == Self.quote {
                // Quoted: runs to the closing quote, which a comma, line end or the end must follow.
                index += 1
                quoted.removeAll(keepingCapacity: true)
                var closed = false
                while index < end {
                    let byte = buffer[index]
                    if byte == Self.quote {
                        if index + 1 < end, buffer[index + 1] == Self.quote {
                            if wantsFields { quoted.append(Self.quote) }
                            index += 2
                            continue
                        }
                        index += 1
                        closed = true
                        break
                    }
                    if byte == 0 { throw Problem(line: line, message: "the text contains a NUL character") }
                    if byte == Self.lf || (byte == Self.cr && !(index + 1 < end && buffer[index + 1] == Self.lf)) {
                        line += 1
                    }
                    if wantsFields { quoted.append(byte) }
                    index += 1
                }
                guard closed else { throw Problem(line: recordLine, message: "a quoted field is not closed") }
                if index < end, buffer[index] != Self.comma, buffer[index] != Self.lf, buffer[index] != Self.cr {
                    throw Problem(line: line, message: "unexpected character after a closing quote")
                }
                if wantsFields {
                    fields.append(try quoted.withUnsafeBufferPointer { bytes throws(Problem) in try text(bytes) })
                }
                fieldCount += 1
            } else {
                // Plain: up to the next comma or line end, taken as one slice.
                let start = index
                while index < end {
                    let byte = buffer[index]
                    if byte == Self.comma || byte == Self.lf || byte == Self.cr { break }
                    if byte == 0 { throw Problem(line: line, message: "the text contains a NUL character") }
                    index += 1
                }
                let isEmptyLine =
                    start == index && fieldCount == 0
                    && (index == end || buffer[index] == Self.lf || buffer[index] == Self.cr)
                if !isEmptyLine {
                    if wantsFields { fields.append(try text(UnsafeBufferPointer(rebasing: buffer[start..<index]))) }
                    fieldCount += 1
                }
            }
            // What ends the field: a comma (another field follows), a line end or the end.
            if index < end, buffer[index] == Self.comma {
                index += 1
                if index == end {
                    if wantsFields { fields.append("") }
                    fieldCount += 1
                }
                continue
            }
            let contentEnd = index
            if index < end {
                index += (buffer[index] == Self.cr && index + 1 < end && buffer[index + 1] == Self.lf) ? 2 : 1
                line += 1
            }
            if fieldCount > 0 {
                let span = Span(line: recordLine, content: recordStart..<contentEnd, next: index)
                guard emit(fields, span) else { return }
                fields.removeAll(keepingCapacity: true)
                fieldCount = 0
            }
            recordLine = line
            recordStart = index
        }
        if fieldCount > 0 { _ = emit(fields, Span(line: recordLine, content: recordStart..<end, next: end)) }
    }
}
