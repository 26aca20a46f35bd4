/// Reads CSV (RFC 4180) from bytes: comma-separated fields, double quotes around fields that
/// hold commas, quotes (doubled) or line breaks; LF or CRLF line ends; a UTF-8 byte order mark is
/// skipped; empty lines are skipped. Every record remembers the line it starts on, so a refusal
/// can name it.
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

    /// All records of `bytes`, in order.
    public static func records(_ bytes: [UInt8]) throws(Problem) -> [Record] {
        var records: [Record] = []
        let result: Result<Void, Problem> = bytes.withUnsafeBufferPointer { buffer in
            do throws(Problem) {
                try self.read(buffer) { records.append($0) }
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        try result.get()
        return records
    }

    private static func read(
        _ buffer: UnsafeBufferPointer<UInt8>,
        _ emit: (Record) -> Void
    ) throws(Problem) {
        var index = 0
        let end = buffer.count
        if end >= 3, buffer[0] == 0xEF, buffer[1] == 0xBB, buffer[2] == 0xBF { index = 3 }
        var line = 1
        var recordLine = 1
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
                            quoted.append(Self.quote)
                            index += 2
                            continue
                        }
                        index += 1
                        closed = true
                        break
                    }
                    if byte == 0 { throw Problem(line: line, message: "the text contains a NUL character") }
                    if byte == Self.lf { line += 1 }
                    quoted.append(byte)
                    index += 1
                }
                guard closed else { throw Problem(line: recordLine, message: "a quoted field is not closed") }
                if index < end, buffer[index] != Self.comma, buffer[index] != Self.lf, buffer[index] != Self.cr {
                    throw Problem(line: line, message: "unexpected character after a closing quote")
                }
                fields.append(try quoted.withUnsafeBufferPointer { bytes throws(Problem) in try text(bytes) })
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
                    start == index && fields.isEmpty
                    && (index == end || buffer[index] == Self.lf || buffer[index] == Self.cr)
                if !isEmptyLine {
                    fields.append(try text(UnsafeBufferPointer(rebasing: buffer[start..<index])))
                }
            }
            // What ends the field: a comma (another field follows), a line end or the end.
            if index < end, buffer[index] == Self.comma {
                index += 1
                if index == end { fields.append("") }
                continue
            }
            if !fields.isEmpty {
                emit(Record(line: recordLine, fields: fields))
                fields.removeAll(keepingCapacity: true)
            }
            if index < end {
                index += (buffer[index] == Self.cr && index + 1 < end && buffer[index + 1] == Self.lf) ? 2 : 1
                line += 1
            }
            recordLine = line
        }
        if !fields.isEmpty { emit(Record(line: recordLine, fields: fields)) }
    }
}
