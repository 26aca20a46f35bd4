import LibPQ
import RapportModel

/// Bulk import of contacts, all or nothing inside the caller's transaction, at the speed of
/// `COPY`: the database reads the CSV rows itself (`COPY … FROM STDIN (FORMAT csv)`) into a
/// temporary staging table of text columns, the rows are checked set-based in SQL (the same
/// rules and words as `CONTACT-ADD`), numbers are drawn from the contact series for blank `no`,
/// and one `INSERT … SELECT` writes them all. Swift never reads a row on the way in.
///
/// Refusals name the file's line of the first bad row (`line 7: …`, the staging row number mapped
/// by the caller's `line`), and nothing is written. Checks run in the order the import always used:
/// the rows' own fields (and numbers typed twice), typed versus drawn numbers, numbers already
/// taken, salespeople, languages, companies. The cheap ones run before the insert; the ones the
/// database enforces anyway (unique numbers, references) are only looked for when the insert
/// fails, so a good file costs one scan before its insert.
public enum ContactImportStore {
    /// The database could not read the payload as CSV with the header's columns (`COPY` refused it).
    /// The transaction is usable again (the copy ran under a savepoint).
    public struct UnreadableFile: Error, CustomStringConvertible {
        public var message: String
        public var description: String { self.message }
    }

    /// Imports `data` (CSV records without the header row, whose columns are `columns`) and returns
    /// how many contacts were created.
    ///
    /// - `line`: the file line of staging row n (1-based, in file order).
    /// - `diagnose`: checks the file's rows in Swift and throws the first bad row's refusal; called
    ///   before any refusal of this function, so the rows' own problems are reported first and in
    ///   file order, exactly as when every row was read in Swift.
    @discardableResult
    public static func importCSV(
        _ connection: PGConnection,
        columns: [ContactImport.Column],
        data: ArraySlice<UInt8>,
        line: (Int) -> Int,
        diagnose: () throws -> Void
    ) throws -> Int {
        let sql = SQL(columns: columns, cells: data.withUnsafeBytes { ContactImportCells($0) })
        try connection.execute("SAVEPOINT contact_import_copy")
        let copied: Int
        do {
            try connection.execute(PGQuery(sql: sql.createStaging))
            copied = try data.withUnsafeBytes { bytes in try connection.copyIn(sql.copy, data: bytes) }
        } catch let error as PGError where error.sqlState?.hasPrefix("22") == true {
            try connection.execute("ROLLBACK TO SAVEPOINT contact_import_copy")
            try connection.execute("RELEASE SAVEPOINT contact_import_copy")
            throw UnreadableFile(message: error.message)
        }
        try connection.execute("RELEASE SAVEPOINT contact_import_copy")

        // One cheap scan for what numbering needs (none without a no column: every row draws one);
        // the field rules are checked by the insert itself.
        let count: Int
        let blank: Int
        let firstTyped: Int?
        let firstBlank: Int?
        if columns.contains(.no) {
            let summary = try connection.query(PGQuery(sql: sql.summary))[0]
            count = try summary.decode(Int.self, at: 0)
            blank = try summary.decode(Int.self, at: 1)
            firstTyped = try summary.decode(Int?.self, at: 2)
            firstBlank = try summary.decode(Int?.self, at: 3)
        } else {
            (count, blank, firstTyped, firstBlank) = (copied, copied, nil, 1)
        }
        guard count > 0 else { return 0 }

        let setup = try MarketingSetupStore.get(connection)
        if let firstTyped {
            try Self.at(line(firstTyped), diagnose) {
                try NumberSeriesStore.checkManual(connection, series: setup.contactNos)
            }
        }
        var drawn = Drawn.none
        if let firstBlank {
            guard let series = setup.contactNos else {
                try diagnose()
                throw StoreError.invalid("line \(line(firstBlank)): Contact Nos. must have a value in Marketing Setup")
            }
            let numbers = try Self.at(line(firstBlank), diagnose) {
                try NumberSeriesStore.take(connection, series, count: blank)
            }
            drawn = Drawn(numbers)
            if case .list = drawn {
                try connection.execute(
                    """
                    CREATE TEMP TABLE contact_import_drawn ON COMMIT DROP AS
                    SELECT d.no, d.r FROM unnest(\(MasterDataTextArray(numbers))::text[]) WITH ORDINALITY AS d(no, r)
                    """
                )
            }
        }
        let rows = sql.rows(drawn, ranked: firstTyped != nil)

        try connection.execute("SAVEPOINT contact_import_insert")
        let inserted: Int
        do {
            inserted = try connection.execute(
                """
                INSERT INTO contacts (no, type, company_no, name, salesperson_code, language_code,
                    correspondence_type, email, phone_no, mobile_phone_no, address, address_2, city, post_code,
                    county, country_code, territory_code, exclude_from_segment, privacy_blocked)
                SELECT t.no, t.type, t.company_no, t.name,
                       coalesce(t.salesperson_code, \(setup.defaultSalespersonCode)),
                       coalesce(t.language_code, \(setup.defaultLanguageCode)),
                       coalesce(t.correspondence_type, \(setup.defaultCorrespondenceType?.rawValue)),
                       t.email, t.phone_no, t.mobile_phone_no, t.address, t.address_2, t.city, t.post_code,
                       t.county, t.country_code, t.territory_code, t.exclude_from_segment, t.privacy_blocked
                FROM (\(unescaped: rows)) AS t
                WHERE NOT t.bad
                """
            )
        } catch let error as PGError where error.kind == .server {
            try connection.execute("ROLLBACK TO SAVEPOINT contact_import_insert")
            try diagnose()
            try Self.findRefusal(connection, rows: rows, line: line)
            throw error
        }
        if inserted < count {
            // Rows breaking their own field rules were left out: nothing may be written.
            try connection.execute("ROLLBACK TO SAVEPOINT contact_import_insert")
            try diagnose()
            let bad = try connection.query(PGQuery(sql: "SELECT min(t.n) FROM (\(rows)) t WHERE t.bad"))[0]
            throw StoreError.invalid("line \(line(try bad.decode(Int?.self, at: 0) ?? 1)): the row is not valid")
        }
        try connection.execute("RELEASE SAVEPOINT contact_import_insert")
        // Companies exist (the foreign key saw to it); persons must name companies, not persons.
        if columns.contains(.companyNo) {
            if try !connection.query(PGQuery(sql: sql.personsNamedAsCompany)).isEmpty,
                let bad = try connection.query(PGQuery(sql: sql.personAsCompany)).first
            {
                try diagnose()
                let company = try bad.decode(String.self, at: 1)
                throw StoreError.invalid(
                    "line \(line(try bad.decode(Int.self, at: 0))): "
                        + ContactRules.Problem.notACompany(company: company).description
                )
            }
        }
        return inserted
    }

    /// After a failed insert (rolled back): the first refusal in the import's order, if any.
    private static func findRefusal(_ connection: PGConnection, rows: String, line: (Int) -> Int) throws {
        let with = "WITH r AS MATERIALIZED (SELECT * FROM (\(rows)) t WHERE NOT t.bad)"
        if let twice = try connection.query(
            PGQuery(
                sql: """
                    \(with) SELECT n, no FROM (SELECT n, no, row_number() OVER (PARTITION BY no ORDER BY n) AS k FROM r) x
                    WHERE k = 2 ORDER BY n LIMIT 1
                    """
            )
        ).first {
            throw StoreError.conflict(
                "line \(line(try twice.decode(Int.self, at: 0))): contact \(try twice.decode(String.self, at: 1)) appears twice in the file"
            )
        }
        if let taken = try connection.query(
            PGQuery(sql: "\(with) SELECT r.n, r.no FROM r JOIN contacts c ON c.no = r.no ORDER BY r.n LIMIT 1")
        ).first {
            throw StoreError.conflict(
                "line \(line(try taken.decode(Int.self, at: 0))): Contact \(try taken.decode(String.self, at: 1)) already exists"
            )
        }
        for (column, table, caption) in [
            ("salesperson_code", "salespeople", "Salesperson"), ("language_code", "languages", "Language"),
        ] {
            if let unknown = try connection.query(
                PGQuery(
                    sql: """
                        \(with) SELECT r.n, r.\(column) FROM r
                        WHERE r.\(column) IS NOT NULL AND NOT EXISTS (SELECT 1 FROM \(table) x WHERE x.code = r.\(column))
                        ORDER BY r.n LIMIT 1
                        """
                )
            ).first {
                throw StoreError.notFound(
                    "line \(line(try unknown.decode(Int.self, at: 0))): \(caption) \(try unknown.decode(String.self, at: 1)) does not exist"
                )
            }
        }
        // A person's company: a company of the file, or else of the database.
        if let bad = try connection.query(
            PGQuery(
                sql: """
                    \(with), f AS (SELECT DISTINCT ON (no) no, type FROM r ORDER BY no, n DESC)
                    SELECT r.n, r.no, r.type, r.company_no, coalesce(f.type, c.type::text)
                    FROM r LEFT JOIN f ON f.no = r.company_no LEFT JOIN contacts c ON c.no = r.company_no
                    WHERE r.company_no IS NOT NULL
                      AND (r.type <> 'person' OR r.company_no = r.no OR coalesce(f.type, c.type::text) IS DISTINCT FROM 'company')
                    ORDER BY r.n LIMIT 1
                    """
            )
        ).first {
            let n = try bad.decode(Int.self, at: 0)
            let no = try bad.decode(String.self, at: 1)
            let type = ContactType(rawValue: try bad.decode(String.self, at: 2)) ?? .company
            let company = try bad.decode(String.self, at: 3)
            let companyType = try bad.decode(String?.self, at: 4).flatMap(ContactType.init(rawValue:))
            do throws(ContactRules.Problem) {
                try ContactRules.checkNew(no: no, .init(type: type, companyNo: company), companyType: companyType)
            } catch {
                throw StoreError.invalid("line \(line(n)): \(error.description)")
            }
        }
    }

    /// Runs `body`; a store refusal is prefixed with `line`, after `diagnose` had its say.
    private static func at<T>(_ line: Int, _ diagnose: () throws -> Void, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as StoreError {
            try diagnose()
            switch error {
            case .invalid(let text): throw StoreError.invalid("line \(line): \(text)")
            case .notFound(let text): throw StoreError.notFound("line \(line): \(text)")
            case .conflict(let text): throw StoreError.conflict("line \(line): \(text)")
            }
        }
    }
}

/// How the numbers drawn for rows without one are laid out, for SQL.
enum Drawn: Equatable {
    /// No row without a number.
    case none
    /// The k-th drawn number is `prefix + (start + (k-1)·step, zero-padded to width) + suffix`.
    case formula(prefix: String, start: Int, step: Int, width: Int, suffix: String)
    /// Anything else: the numbers, in a temporary table `contact_import_drawn (no, r)`.
    case list

    init(_ numbers: [String]) {
        guard let first = numbers.first, let formula = Self.formula(first, numbers.count > 1 ? numbers[1] : nil)
        else {
            self = numbers.isEmpty ? .none : .list
            return
        }
        // The formula must give every number the series gave (NumberSeriesFormat's rules).
        for (index, number) in numbers.enumerated() where formula.number(index + 1) != number {
            self = .list
            return
        }
        self = formula
    }

    private static func formula(_ first: String, _ second: String?) -> Drawn? {
        let characters = Array(first.utf8)
        guard let last = characters.lastIndex(where: { $0 >= 48 && $0 <= 57 }) else { return nil }
        var start = last
        while start > 0, characters[start - 1] >= 48, characters[start - 1] <= 57 { start -= 1 }
        let digits = String(decoding: characters[start...last], as: UTF8.self)
        guard digits.count <= 17, let value = Int(digits) else { return nil }
        let prefix = String(decoding: characters[..<start], as: UTF8.self)
        let suffix = String(decoding: characters[(last + 1)...], as: UTF8.self)
        var step = 1
        if let second, second.hasPrefix(prefix), second.hasSuffix(suffix),
            let next = Int(second.dropFirst(prefix.count).dropLast(suffix.count))
        {
            step = next - value
        }
        guard step > 0 else { return nil }
        return .formula(prefix: prefix, start: value, step: step, width: digits.count, suffix: suffix)
    }

    func number(_ rank: Int) -> String? {
        guard case .formula(let prefix, let start, let step, let width, let suffix) = self else { return nil }
        var digits = String(start + (rank - 1) * step)
        if digits.count < width { digits = String(repeating: "0", count: width - digits.count) + digits }
        return prefix + digits + suffix
    }
}

/// What the bytes of an import's CSV records say about their cells, found in one pass over the bytes
/// (a few milliseconds for 8 MiB), so that the import's SQL can leave out work no cell needs:
/// trimming every cell with the Unicode white-space set (`btrim`, a multibyte trim) costs more than
/// all the insert's other expressions together.
public struct ContactImportCells: Equatable, Sendable {
    /// Some cell may begin or end with white space (Unicode White_Space, the set `btrim` is given).
    /// Conservative: false only when no cell, as `COPY … (FORMAT csv)` reads the records, does.
    public var mayNeedTrimming: Bool
    /// Every byte is ASCII, so changing case byte by byte (`COLLATE "C"`) gives what Swift's
    /// `uppercased()`/`lowercased()` give.
    public var ascii: Bool

    public init(mayNeedTrimming: Bool, ascii: Bool) {
        self.mayNeedTrimming = mayNeedTrimming
        self.ascii = ascii
    }

    /// Scans CSV records (no header row; `"` quotes, doubled inside quotes; `,` separates cells).
    ///
    /// A cell's first character follows the start, a `,`, a line end or a `"`; its last one precedes
    /// the end, a `,`, a line end or a `"`; inside quotes (the quote parity tells, as COPY tracks it)
    /// `,` and line ends are text, so only a `"` bounds a cell there. White space next to none of
    /// those is inside a cell. Line ends are white space too, but outside quotes they end the record.
    public init(_ bytes: UnsafeRawBufferPointer) {
        let count = bytes.count
        var ascii = true
        var edge = false
        var quoted = false
        var index = 0
        // Inside quotes, `,` and line ends are text: only `"` bounds a cell there.
        @inline(__always) func boundary(_ byte: UInt8, _ quoted: Bool) -> Bool {
            byte == 0x22 || (!quoted && (byte == 0x2C || byte == 0x0A || byte == 0x0D))
        }
        @inline(__always) func atEdge(_ start: Int, _ end: Int) -> Bool {
            start == 0 || end == count || boundary(bytes[start - 1], quoted) || boundary(bytes[end], quoted)
        }
        while index < count {
            let byte = bytes[index]
            if byte < 0x80 {
                switch byte {
                case 0x22: quoted.toggle()
                case 0x20, 0x09, 0x0B, 0x0C:
                    if !edge, atEdge(index, index + 1) { edge = true }
                case 0x0A, 0x0D:
                    if !edge, quoted,
                        (index > 0 && bytes[index - 1] == 0x22) || (index + 1 < count && bytes[index + 1] == 0x22)
                    {
                        edge = true
                    }
                default: break
                }
                index += 1
                continue
            }
            ascii = false
            let length = Self.whiteSpaceLength(bytes, index)
            if length > 0, !edge, atEdge(index, index + length) { edge = true }
            index += max(length, 1)
        }
        self.mayNeedTrimming = edge
        self.ascii = ascii
    }

    /// The UTF-8 length of the non-ASCII White_Space character at `index` (U+0085, U+00A0, U+1680,
    /// U+2000–U+200A, U+2028, U+2029, U+202F, U+205F, U+3000), 0 for anything else.
    private static func whiteSpaceLength(_ bytes: UnsafeRawBufferPointer, _ index: Int) -> Int {
        let lead = bytes[index]
        let count = bytes.count
        if lead == 0xC2 {
            guard index + 1 < count else { return 0 }
            let next = bytes[index + 1]
            return next == 0x85 || next == 0xA0 ? 2 : 0
        }
        guard lead == 0xE1 || lead == 0xE2 || lead == 0xE3, index + 2 < count else { return 0 }
        let second = bytes[index + 1]
        let third = bytes[index + 2]
        switch (lead, second) {
        case (0xE1, 0x9A): return third == 0x80 ? 3 : 0
        case (0xE2, 0x80):
            return (0x80...0x8A).contains(third) || third == 0xA8 || third == 0xA9 || third == 0xAF ? 3 : 0
        case (0xE2, 0x81): return third == 0x9F ? 3 : 0
        case (0xE3, 0x80): return third == 0x80 ? 3 : 0
        default: return 0
        }
    }
}

/// The SQL of one import, for the columns its header names.
struct SQL {
    let columns: [ContactImport.Column]
    /// What the records' bytes say: when no cell begins or ends with white space, no cell is trimmed
    /// (`btrim` would give it back unchanged); when all is ASCII, case changes byte by byte.
    var cells = ContactImportCells(mayNeedTrimming: true, ascii: false)

    /// Whitespace as Swift's `Character.isWhitespace` knows it (Unicode White_Space), for `btrim`.
    static let whitespace =
        #"E' \t\n\r\f\u000B\u0085\u00A0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u2028\u2029\u202F\u205F\u3000'"#

    var createStaging: String {
        let all = ContactImport.Column.allCases.map { "\($0.rawValue) text" }.joined(separator: ", ")
        return
            "CREATE TEMP TABLE contact_import_rows (n bigint GENERATED ALWAYS AS IDENTITY (CACHE 10000), \(all)) ON COMMIT DROP"
    }

    var copy: String {
        "COPY contact_import_rows (\(self.columns.map(\.rawValue).joined(separator: ", "))) FROM STDIN (FORMAT csv)"
    }

    private func has(_ column: ContactImport.Column) -> Bool { self.columns.contains(column) }

    private func trimmed(_ column: ContactImport.Column) -> String {
        self.cells.mayNeedTrimming ? "btrim(s.\(column.rawValue), \(Self.whitespace))" : "s.\(column.rawValue)"
    }

    /// `upper`/`lower` of `value`, byte by byte when all is ASCII. The result takes the default
    /// collation again: a "C" value compared with `contacts.no` could not use its index (a part's
    /// person-as-company check then read all of `contacts`, 0.45 s per part at 1,000,000 contacts).
    private func cased(_ function: String, _ value: String) -> String {
        self.cells.ascii
            ? "(\(function)(\(value) COLLATE \"C\") COLLATE \"default\")" : "\(function)(\(value))"
    }

    /// A code: trimmed, upper case, blank is NULL.
    private func code(_ column: ContactImport.Column) -> String {
        self.has(column) ? "NULLIF(\(self.cased("upper", self.trimmed(column))), '')" : "NULL::text"
    }

    /// Free text: as written, blank (only spaces) is NULL.
    private func text(_ column: ContactImport.Column) -> String {
        guard self.has(column) else { return "NULL::text" }
        guard self.cells.mayNeedTrimming else { return "NULLIF(s.\(column.rawValue), '')" }
        return "CASE WHEN \(self.trimmed(column)) <> '' THEN s.\(column.rawValue) END"
    }

    /// A word (type, correspondence type, yes/no): trimmed, lower case; NULL when absent.
    private func word(_ column: ContactImport.Column) -> String {
        self.has(column) ? self.cased("lower", self.trimmed(column)) : "NULL::text"
    }

    private static let codeLimits: [ContactImport.Column: Int] = [
        .no: 20, .companyNo: 20, .salespersonCode: 20, .languageCode: 10, .postCode: 20, .countryCode: 10,
        .territoryCode: 10,
    ]
    private static let textLimits: [ContactImport.Column: Int] = [
        .name: 100, .email: 80, .phoneNo: 30, .mobilePhoneNo: 30, .address: 100, .address2: 50, .city: 30,
        .county: 30,
    ]

    /// The row has no number (blank once trimmed; upper case does not make a value blank).
    private var blankNo: String { self.has(.no) ? "coalesce(\(self.trimmed(.no)), '') = ''" : "true" }

    /// count, count without number, first row with one, first row without (each cell tested once).
    var summary: String {
        """
        SELECT count(*)::bigint, count(*) FILTER (WHERE b)::bigint, min(n) FILTER (WHERE NOT b), min(n) FILTER (WHERE b)
        FROM (SELECT s.n, \(self.blankNo) AS b FROM contact_import_rows s OFFSET 0) s
        """
    }

    /// The rows as they will be stored (numbers drawn, codes normalized), with their staging row n and
    /// `bad`: the row breaks a rule of its own fields (ContactImport's rules, mirrored). Every cell is
    /// trimmed once (the inner query is not flattened). `ranked`: rows with and without numbers are
    /// mixed, so the drawn number's rank needs counting.
    func rows(_ drawn: Drawn, ranked: Bool) -> String {
        let rank = ranked ? "row_number() OVER (PARTITION BY \(self.blankNo) ORDER BY n)" : "n"
        var inner = ["s.n", "\(rank) AS r"]
        for column in ContactImport.Column.allCases {
            if Self.codeLimits[column] != nil {
                inner.append("\(self.code(column)) AS \(column.rawValue)")
            } else if Self.textLimits[column] != nil {
                inner.append("\(self.text(column)) AS \(column.rawValue)")
            } else {
                inner.append("\(self.word(column)) AS \(column.rawValue)")
            }
        }
        let type = "CASE WHEN t.type = 'person' THEN 'person' ELSE 'company' END"
        var tests = ["t.name IS NULL"]
        for (column, limit) in Self.codeLimits.merging(Self.textLimits, uniquingKeysWith: { a, _ in a })
        where self.has(column) {
            tests.append("length(t.\(column.rawValue)) > \(limit)")
        }
        if self.has(.type) { tests.append("t.type NOT IN ('', 'company', 'person')") }
        if self.has(.correspondenceType) {
            tests.append("replace(t.correspondence_type, ' ', '_') NOT IN ('', 'hard_copy', 'email')")
        }
        for column in [ContactImport.Column.excludeFromSegment, .privacyBlocked] where self.has(column) {
            tests.append("t.\(column.rawValue) NOT IN ('', 'false', 'no', '0', 'true', 'yes', '1')")
        }
        if self.has(.companyNo) {
            tests.append("(\(type) = 'company' AND t.company_no IS NOT NULL)")
            tests.append("t.company_no = t.no")
        }
        let bad = tests.map { "(\($0)) IS TRUE" }.joined(separator: " OR ")
        let no: String
        var from = "(SELECT \(inner.joined(separator: ", ")) FROM contact_import_rows s OFFSET 0) t"
        switch drawn {
        case .none: no = "t.no"
        case .formula(let prefix, let start, let step, let width, let suffix):
            let value = "(\(start) + (t.r - 1) * \(step))::text"
            let digits = "CASE WHEN length(\(value)) < \(width) THEN lpad(\(value), \(width), '0') ELSE \(value) END"
            no = "coalesce(t.no, \(Self.literal(prefix)) || \(digits) || \(Self.literal(suffix)))"
        case .list:
            from += " LEFT JOIN contact_import_drawn d ON d.r = t.r AND t.no IS NULL"
            no = "coalesce(t.no, d.no)"
        }
        return """
            SELECT t.n, \(no) AS no, \(type) AS type, t.company_no, t.name, t.salesperson_code, t.language_code,
                   NULLIF(replace(t.correspondence_type, ' ', '_'), '') AS correspondence_type,
                   t.email, t.phone_no, t.mobile_phone_no, t.address, t.address_2, t.city, t.post_code, t.county,
                   t.country_code, t.territory_code,
                   coalesce(t.exclude_from_segment IN ('true', 'yes', '1'), false) AS exclude_from_segment,
                   coalesce(t.privacy_blocked IN ('true', 'yes', '1'), false) AS privacy_blocked,
                   \(bad) AS bad
            FROM \(from)
            """
    }

    /// Whether any company the file names is a person (after the insert): each distinct cell trimmed
    /// and each distinct name looked up once, not once per row.
    var personsNamedAsCompany: String {
        """
        SELECT 1 FROM (
            SELECT DISTINCT \(self.code(.companyNo)) AS no FROM (SELECT DISTINCT company_no FROM contact_import_rows) s
        ) k
        JOIN contacts c ON c.no = k.no WHERE c.type <> 'company' LIMIT 1
        """
    }

    /// The first row naming as its company a contact that is a person (after the insert).
    var personAsCompany: String {
        """
        SELECT s.n, c.no::text FROM contact_import_rows s JOIN contacts c ON c.no = \(self.code(.companyNo))
        WHERE c.type <> 'company' ORDER BY s.n LIMIT 1
        """
    }

    static func literal(_ text: String) -> String {
        "'" + String(text.flatMap { $0 == "'" ? ["'", "'"] : [$0] }) + "'"
    }
}
