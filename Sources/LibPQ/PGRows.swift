/// A column of a result: its name and type.
public struct PGColumn: Sendable, Hashable {
    public var name: String
    public var type: PGType
}

/// The rows of a result, copied out of libpq before the result was cleared.
///
/// All values live in one byte buffer with one (offset, length) pair per cell, so a result of
/// 100,000 rows is a handful of allocations, and nothing here can outlive or leak a `PGresult`.
public struct PGRows: Sendable, RandomAccessCollection {
    public let columns: [PGColumn]
    /// Rows changed by INSERT/UPDATE/DELETE (`PQcmdTuples`), or the number of rows returned.
    public let affectedRows: Int
    let storage: [UInt8]
    /// Per cell: offset into `storage` and length; length -1 means NULL.
    let cells: [(offset: Int32, length: Int32)]
    let rowCount: Int

    init(columns: [PGColumn], affectedRows: Int, storage: [UInt8], cells: [(offset: Int32, length: Int32)]) {
        self.columns = columns
        self.affectedRows = affectedRows
        self.storage = storage
        self.cells = cells
        self.rowCount = columns.isEmpty ? 0 : cells.count / columns.count
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { self.rowCount }
    public subscript(position: Int) -> PGRow { PGRow(rows: self, index: position) }

    /// The index of the column with this name.
    public func columnIndex(_ name: String) throws -> Int {
        guard let index = self.columns.firstIndex(where: { $0.name == name }) else {
            throw PGError(.decoding, "no column named \(name) in the result")
        }
        return index
    }
}

/// One row of a result.
public struct PGRow: Sendable {
    let rows: PGRows
    public let index: Int

    public var columnCount: Int { self.rows.columns.count }

    /// True when the value in `column` is NULL.
    public func isNull(_ column: Int) -> Bool {
        self.rows.cells[self.index * self.rows.columns.count + column].length < 0
    }

    /// Decodes the value in `column`; throws when it is NULL (unless `T` is Optional) or of another type.
    public func decode<T: PGDecodable>(_ type: T.Type = T.self, at column: Int) throws -> T {
        guard column >= 0, column < self.rows.columns.count else {
            throw PGError(.decoding, "column \(column) out of range (\(self.rows.columns.count) columns)")
        }
        let cell = self.rows.cells[self.index * self.rows.columns.count + column]
        let info = self.rows.columns[column]
        if cell.length < 0 {
            return try T.pgNull(column: info.name)
        }
        let start = Int(cell.offset)
        let bytes = self.rows.storage[start..<(start + Int(cell.length))]
        do {
            return try T(pgText: bytes, type: info.type)
        } catch let error as PGError {
            throw PGError(.decoding, "column \(info.name): \(error.message)")
        }
    }

    /// Decodes the value of the column named `name`.
    public func decode<T: PGDecodable>(_ type: T.Type = T.self, named name: String) throws -> T {
        try self.decode(type, at: try self.rows.columnIndex(name))
    }
}
