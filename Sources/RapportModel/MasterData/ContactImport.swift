/// One contact read from an import file, checked field by field (references to other records are
/// checked by the store, set-based).
public struct ContactImportRow: Sendable, Equatable {
    /// Line of the file the row comes from, for messages.
    public var line: Int
    /// nil: drawn from the contact number series.
    public var no: String?
    public var type: ContactType = .company
    public var name: String = ""
    public var companyNo: String?
    public var salespersonCode: String?
    public var languageCode: String?
    public var correspondenceType: CorrespondenceType?
    public var email: String?
    public var phoneNo: String?
    public var mobilePhoneNo: String?
    public var address: String?
    public var address2: String?
    public var city: String?
    public var postCode: String?
    public var county: String?
    public var countryCode: String?
    public var territoryCode: String?
    public var excludeFromSegment = false
    public var privacyBlocked = false

    public init(line: Int) {
        self.line = line
    }
}

/// Contacts from CSV: a header row names the columns (any order, any subset that includes
/// `name`), every other row is one contact. Blank cells are blank fields; `type` defaults to
/// company (as in the reference), booleans to false.
public enum ContactImport {
    /// The columns an import file may have, by their canonical (database) names.
    public enum Column: String, CaseIterable, Sendable {
        case no, type, name
        case companyNo = "company_no"
        case salespersonCode = "salesperson_code"
        case languageCode = "language_code"
        case correspondenceType = "correspondence_type"
        case email
        case phoneNo = "phone_no"
        case mobilePhoneNo = "mobile_phone_no"
        case address
        case address2 = "address_2"
        case city
        case postCode = "post_code"
        case county
        case countryCode = "country_code"
        case territoryCode = "territory_code"
        case excludeFromSegment = "exclude_from_segment"
        case privacyBlocked = "privacy_blocked"

        /// Accepts the canonical name, the protocol's argument name (`company`, `phone`, …), any
        /// letter case, and hyphens or blanks for underscores.
        public init?(header: String) {
            let key = header.trimmingWhitespace().lowercased()
                .replacingAll("-", with: "_").replacingAll(" ", with: "_")
            if let column = Column(rawValue: key) {
                self = column
                return
            }
            let aliases: [String: Column] = [
                "company": .companyNo, "salesperson": .salespersonCode, "language": .languageCode,
                "phone": .phoneNo, "mobile_phone": .mobilePhoneNo, "address2": .address2,
                "country": .countryCode, "territory": .territoryCode, "e_mail": .email,
            ]
            guard let column = aliases[key] else { return nil }
            self = column
        }
    }

    /// A refusal naming the line of the file it concerns.
    public struct Problem: Error, Equatable, CustomStringConvertible {
        public var line: Int
        public var message: String

        public init(line: Int, message: String) {
            self.line = line
            self.message = message
        }

        public var description: String { "line \(self.line): \(self.message)" }
    }

    /// The columns a header row names, in order: every name known, none twice, `name` among them.
    public static func columns(header: [String], line: Int) throws(Problem) -> [Column] {
        var columns: [Column] = []
        for name in header {
            guard let column = Column(header: name) else {
                throw Problem(line: line, message: "unknown column \"\(name)\"")
            }
            guard !columns.contains(column) else {
                throw Problem(line: line, message: "column \(column.rawValue) appears twice")
            }
            columns.append(column)
        }
        guard columns.contains(.name) else { throw Problem(line: line, message: "the header has no name column") }
        return columns
    }

    /// The contacts of a CSV file already cut into records (header first), every row checked field by
    /// field, in order: the first bad row is refused with its line. `firstLine` is the line number the
    /// first data row has in the file the client split this part from (nil: the lines as sent).
    ///
    /// The server does not read rows this way when importing (the database reads them, `COPY`); it
    /// runs this on a refused file to name its first bad row with the same words as always.
    public static func parse(
        _ records: some Sequence<(line: Int, fields: [String])>,
        firstLine: Int? = nil
    ) throws(Problem) -> [ContactImportRow] {
        var iterator = records.makeIterator()
        guard let header = iterator.next() else { throw Problem(line: 1, message: "the file is empty") }
        let columns = try Self.columns(header: header.fields, line: header.line)
        let offset = firstLine.map { $0 - (header.line + 1) } ?? 0
        var rows: [ContactImportRow] = []
        var seen: Set<String> = []
        while let record = iterator.next() {
            let line = record.line + offset
            guard record.fields.count == columns.count else {
                throw Problem(line: line, message: "expected \(columns.count) fields, found \(record.fields.count)")
            }
            var row = ContactImportRow(line: line)
            for (column, value) in zip(columns, record.fields) {
                do throws(FieldProblem) {
                    try row.set(column, value)
                } catch {
                    throw Problem(line: line, message: error.message)
                }
            }
            guard !row.name.isEmpty else { throw Problem(line: line, message: "Name must have a value") }
            if row.type == .company, row.companyNo != nil {
                throw Problem(line: line, message: ContactRules.Problem.companyWithCompany.description)
            }
            if let no = row.no {
                if row.companyNo == no {
                    throw Problem(line: line, message: ContactRules.Problem.ownCompany.description)
                }
                guard seen.insert(no).inserted else {
                    throw Problem(line: line, message: "contact \(no) appears twice in the file")
                }
            }
            rows.append(row)
        }
        return rows
    }

    struct FieldProblem: Error {
        var message: String
    }
}

extension ContactImportRow {
    fileprivate mutating func set(_ column: ContactImport.Column, _ raw: String) throws(ContactImport.FieldProblem) {
        switch column {
        case .no: self.no = try Self.code(raw, "No.", 20)
        case .type:
            let word = raw.trimmingWhitespace().lowercased()
            if word.isEmpty { return }
            guard let type = ContactType(rawValue: word) else {
                throw .init(message: "Type must be company or person, not \"\(raw)\"")
            }
            self.type = type
        case .name: self.name = try Self.text(raw, "Name", 100) ?? ""
        case .companyNo: self.companyNo = try Self.code(raw, "Company No.", 20)
        case .salespersonCode: self.salespersonCode = try Self.code(raw, "Salesperson Code", 20)
        case .languageCode: self.languageCode = try Self.code(raw, "Language Code", 10)
        case .correspondenceType:
            let word = raw.trimmingWhitespace().lowercased().replacingAll(" ", with: "_")
            if word.isEmpty { return }
            guard let type = CorrespondenceType(rawValue: word) else {
                throw .init(message: "Correspondence Type must be hard_copy or email, not \"\(raw)\"")
            }
            self.correspondenceType = type
        case .email: self.email = try Self.text(raw, "E-Mail", 80)
        case .phoneNo: self.phoneNo = try Self.text(raw, "Phone No.", 30)
        case .mobilePhoneNo: self.mobilePhoneNo = try Self.text(raw, "Mobile Phone No.", 30)
        case .address: self.address = try Self.text(raw, "Address", 100)
        case .address2: self.address2 = try Self.text(raw, "Address 2", 50)
        case .city: self.city = try Self.text(raw, "City", 30)
        case .postCode: self.postCode = try Self.code(raw, "Post Code", 20)
        case .county: self.county = try Self.text(raw, "County", 30)
        case .countryCode: self.countryCode = try Self.code(raw, "Country/Region Code", 10)
        case .territoryCode: self.territoryCode = try Self.code(raw, "Territory Code", 10)
        case .excludeFromSegment: self.excludeFromSegment = try Self.flag(raw, "Exclude from Segment")
        case .privacyBlocked: self.privacyBlocked = try Self.flag(raw, "Privacy Blocked")
        }
    }

    private static func code(_ raw: String, _ field: String, _ maximum: Int) throws(ContactImport.FieldProblem)
        -> String?
    {
        guard let code = Code.normalize(raw) else { return nil }
        guard code.unicodeScalars.count <= maximum else {
            throw .init(message: "\(field) must be at most \(maximum) characters")
        }
        return code
    }

    /// Free text: kept as written; blank (only spaces) is no value.
    private static func text(_ raw: String, _ field: String, _ maximum: Int) throws(ContactImport.FieldProblem)
        -> String?
    {
        guard !raw.trimmingWhitespace().isEmpty else { return nil }
        guard raw.unicodeScalars.count <= maximum else {
            throw .init(message: "\(field) must be at most \(maximum) characters")
        }
        return raw
    }

    private static func flag(_ raw: String, _ field: String) throws(ContactImport.FieldProblem) -> Bool {
        switch raw.trimmingWhitespace().lowercased() {
        case "", "false", "no", "0": return false
        case "true", "yes", "1": return true
        default: throw .init(message: "\(field) must be true or false, not \"\(raw)\"")
        }
    }
}

extension String {
    fileprivate func replacingAll(_ target: Character, with replacement: Character) -> String {
        String(self.map { $0 == target ? replacement : $0 })
    }
}
