import LibPQ
import RapportModel

/// Bulk import of contacts, all or nothing inside the caller's transaction: every row is checked
/// first (set-based look-ups, never a query per row), then the rows are inserted with one
/// multi-row statement per batch (`INSERT … SELECT … FROM unnest(…)`), companies before persons
/// so persons may name companies of the same file.
public enum ContactImportStore {
    /// Rows per INSERT statement.
    public static let batchSize = 5_000

    /// Imports `rows` and returns how many contacts were created. A refusal names the first bad
    /// row's line (`line 7: …`) and nothing is written.
    @discardableResult
    public static func importRows(_ connection: PGConnection, _ rows: [ContactImportRow]) throws -> Int {
        guard !rows.isEmpty else { return 0 }
        var rows = rows
        let setup = try MarketingSetupStore.get(connection)
        try Self.number(connection, &rows, setup: setup)
        try Self.checkNumbers(connection, rows)
        try Self.checkCodes(connection, rows.map { ($0.line, $0.salespersonCode) }, table: "salespeople", "Salesperson")
        try Self.checkCodes(connection, rows.map { ($0.line, $0.languageCode) }, table: "languages", "Language")
        try Self.checkCompanies(connection, rows)

        let ordered = rows.filter { $0.type == .company } + rows.filter { $0.type == .person }
        var start = 0
        while start < ordered.count {
            let end = min(start + Self.batchSize, ordered.count)
            try Self.insert(connection, ordered[start..<end], setup: setup)
            start = end
        }
        return ordered.count
    }

    /// Draws numbers for the rows without one, after checking that typed numbers are allowed.
    private static func number(_ connection: PGConnection, _ rows: inout [ContactImportRow], setup: MarketingSetup)
        throws
    {
        if let typed = rows.first(where: { $0.no != nil }) {
            try Self.at(typed.line) { try NumberSeriesStore.checkManual(connection, series: setup.contactNos) }
        }
        let missing = rows.indices.filter { rows[$0].no == nil }
        guard let first = missing.first else { return }
        guard let series = setup.contactNos else {
            throw StoreError.invalid("line \(rows[first].line): Contact Nos. must have a value in Marketing Setup")
        }
        let numbers = try Self.at(rows[first].line) {
            try NumberSeriesStore.take(connection, series, count: missing.count)
        }
        for (index, number) in zip(missing, numbers) { rows[index].no = number }
    }

    /// Numbers are unique in the file and new to the database.
    private static func checkNumbers(_ connection: PGConnection, _ rows: [ContactImportRow]) throws {
        var seen: Set<String> = []
        for row in rows where !seen.insert(row.no!).inserted {
            throw StoreError.conflict("line \(row.line): contact \(row.no!) appears twice in the file")
        }
        let taken = try Set(
            connection.query(
                """
                SELECT c.no FROM unnest(\(MasterDataTextArray(rows.map { $0.no! }))::text[]) AS t(no)
                JOIN contacts c ON c.no = t.no
                """
            ).map { try $0.decode(String.self, at: 0) }
        )
        if let row = rows.first(where: { taken.contains($0.no!) }) {
            throw StoreError.conflict("line \(row.line): Contact \(row.no!) already exists")
        }
    }

    /// Every code given exists in `table`.
    private static func checkCodes(
        _ connection: PGConnection,
        _ codes: [(line: Int, code: String?)],
        table: String,
        _ caption: String
    ) throws {
        let distinct = Array(Set(codes.compactMap(\.code)))
        guard !distinct.isEmpty else { return }
        let unknown = try Set(
            connection.query(
                """
                SELECT t.code FROM unnest(\(distinct)::text[]) AS t(code)
                WHERE NOT EXISTS (SELECT 1 FROM \(unescaped: table) x WHERE x.code = t.code)
                """
            ).map { try $0.decode(String.self, at: 0) }
        )
        if let bad = codes.first(where: { $0.code.map(unknown.contains) == true }) {
            throw StoreError.notFound("line \(bad.line): \(caption) \(bad.code!) does not exist")
        }
    }

    /// A person's company is a company contact, of the file or of the database.
    private static func checkCompanies(_ connection: PGConnection, _ rows: [ContactImportRow]) throws {
        var fileTypes: [String: ContactType] = [:]
        for row in rows { fileTypes[row.no!] = row.type }
        let outside = Array(Set(rows.compactMap(\.companyNo).filter { fileTypes[$0] == nil }))
        var storedTypes: [String: ContactType] = [:]
        if !outside.isEmpty {
            for row in try connection.query("SELECT no, type FROM contacts WHERE no = ANY(\(outside)::text[])") {
                storedTypes[try row.decode(String.self, at: 0)] = ContactType(
                    rawValue: try row.decode(String.self, at: 1)
                )
            }
        }
        for row in rows {
            guard let company = row.companyNo else { continue }
            do {
                try ContactRules.checkNew(
                    no: row.no,
                    .init(type: row.type, companyNo: company),
                    companyType: fileTypes[company] ?? storedTypes[company]
                )
            } catch {
                throw StoreError.invalid("line \(row.line): \(error.description)")
            }
        }
    }

    private static func insert(_ connection: PGConnection, _ rows: ArraySlice<ContactImportRow>, setup: MarketingSetup)
        throws
    {
        func column(_ value: (ContactImportRow) -> String?) -> MasterDataTextArray {
            MasterDataTextArray(rows.map { value($0) ?? "" })
        }
        func flag(_ value: (ContactImportRow) -> Bool) -> MasterDataTextArray {
            MasterDataTextArray(rows.map { value($0) ? "t" : "f" })
        }
        try connection.execute(
            """
            INSERT INTO contacts (\(unescaped: Contact.columns))
            SELECT t.no, t.type, NULLIF(t.company_no, ''), t.name,
                   coalesce(NULLIF(t.salesperson_code, ''), \(setup.defaultSalespersonCode)),
                   coalesce(NULLIF(t.language_code, ''), \(setup.defaultLanguageCode)),
                   coalesce(NULLIF(t.correspondence_type, ''), \(setup.defaultCorrespondenceType?.rawValue)),
                   NULLIF(t.email, ''), NULLIF(t.phone_no, ''), NULLIF(t.mobile_phone_no, ''),
                   NULLIF(t.address, ''), NULLIF(t.address_2, ''), NULLIF(t.city, ''), NULLIF(t.post_code, ''),
                   NULLIF(t.county, ''), NULLIF(t.country_code, ''), NULLIF(t.territory_code, ''),
                   t.exclude_from_segment::boolean, t.privacy_blocked::boolean
            FROM unnest(
                \(column(\.no))::text[], \(column { $0.type.rawValue })::text[], \(column(\.companyNo))::text[],
                \(column { $0.name })::text[], \(column(\.salespersonCode))::text[], \(column(\.languageCode))::text[],
                \(column { $0.correspondenceType?.rawValue })::text[], \(column(\.email))::text[],
                \(column(\.phoneNo))::text[], \(column(\.mobilePhoneNo))::text[], \(column(\.address))::text[],
                \(column(\.address2))::text[], \(column(\.city))::text[], \(column(\.postCode))::text[],
                \(column(\.county))::text[], \(column(\.countryCode))::text[], \(column(\.territoryCode))::text[],
                \(flag(\.excludeFromSegment))::text[], \(flag(\.privacyBlocked))::text[]
            ) AS t(no, type, company_no, name, salesperson_code, language_code, correspondence_type, email,
                   phone_no, mobile_phone_no, address, address_2, city, post_code, county, country_code,
                   territory_code, exclude_from_segment, privacy_blocked)
            """
        )
    }

    /// Runs `body`, prefixing a store refusal with the line it concerns.
    private static func at<T>(_ line: Int, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as StoreError {
            switch error {
            case .invalid(let text): throw StoreError.invalid("line \(line): \(text)")
            case .notFound(let text): throw StoreError.notFound("line \(line): \(text)")
            case .conflict(let text): throw StoreError.conflict("line \(line): \(text)")
            }
        }
    }
}
