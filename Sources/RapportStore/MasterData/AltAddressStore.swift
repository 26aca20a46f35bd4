import LibPQ
import RapportProtocol

/// A contact's alternative address with the date range in which it is active (reference 3.2 R2, R7).
public struct AltAddress: Sendable, Equatable {
    public var contactNo: String
    public var code: String
    public var companyName: String?
    public var address: String?
    public var address2: String?
    public var city: String?
    public var postCode: String?
    public var county: String?
    public var countryCode: String?
    public var email: String?
    public var phoneNo: String?
    public var startingDate: CalendarDate?
    public var endingDate: CalendarDate?

    public init(contactNo: String, code: String) {
        self.contactNo = contactNo
        self.code = code
    }
}

/// Changes to an alternative address: nil leaves a field, `.some(nil)` blanks it.
public struct AltAddressChanges: Sendable, Equatable {
    public var companyName: String??
    public var address: String??
    public var address2: String??
    public var city: String??
    public var postCode: String??
    public var county: String??
    public var countryCode: String??
    public var email: String??
    public var phoneNo: String??
    public var startingDate: CalendarDate??
    public var endingDate: CalendarDate??

    public init() {}

    public func apply(to a: inout AltAddress) {
        if let v = self.companyName { a.companyName = v }
        if let v = self.address { a.address = v }
        if let v = self.address2 { a.address2 = v }
        if let v = self.city { a.city = v }
        if let v = self.postCode { a.postCode = v }
        if let v = self.county { a.county = v }
        if let v = self.countryCode { a.countryCode = v }
        if let v = self.email { a.email = v }
        if let v = self.phoneNo { a.phoneNo = v }
        if let v = self.startingDate { a.startingDate = v }
        if let v = self.endingDate { a.endingDate = v }
    }
}

/// Alternative addresses of contacts, inside the caller's transaction. The date ranges of one contact's
/// addresses must not overlap, so at most one is active on any date; log entries and segment lines take
/// the one active on their date (InteractionLookups.altAddressQuery, SegmentSQL.activeAltAddress).
public enum AltAddressStore {
    static let columns = """
        contact_no, code, company_name, address, address_2, city, post_code, county, country_code, email, phone_no,
        starting_date, ending_date
        """

    static func decode(_ row: PGRow) throws -> AltAddress {
        var a = AltAddress(contactNo: try row.decode(String.self, at: 0), code: try row.decode(String.self, at: 1))
        a.companyName = try row.decode(String?.self, at: 2)
        a.address = try row.decode(String?.self, at: 3)
        a.address2 = try row.decode(String?.self, at: 4)
        a.city = try row.decode(String?.self, at: 5)
        a.postCode = try row.decode(String?.self, at: 6)
        a.county = try row.decode(String?.self, at: 7)
        a.countryCode = try row.decode(String?.self, at: 8)
        a.email = try row.decode(String?.self, at: 9)
        a.phoneNo = try row.decode(String?.self, at: 10)
        a.startingDate = try row.decode(PGDate?.self, at: 11).map(CalendarDate.init)
        a.endingDate = try row.decode(PGDate?.self, at: 12).map(CalendarDate.init)
        return a
    }

    public static func add(_ connection: PGConnection, _ address: AltAddress) throws -> AltAddress {
        try self.lockContact(connection, address.contactNo)
        try self.check(connection, address)
        return try MasterDataLookup.inserting(
            "Alternative address \(address.code) of contact \(address.contactNo) already exists"
        ) {
            try self.decode(
                connection.query(
                    """
                    INSERT INTO contact_alt_addresses (\(unescaped: Self.columns))
                    VALUES (\(address.contactNo), \(address.code), \(address.companyName), \(address.address),
                            \(address.address2), \(address.city), \(address.postCode), \(address.county),
                            \(address.countryCode), \(address.email), \(address.phoneNo),
                            \(address.startingDate?.pgValue), \(address.endingDate?.pgValue))
                    RETURNING \(unescaped: Self.columns)
                    """
                )[0]
            )
        }
    }

    public static func update(_ connection: PGConnection, contactNo: String, code: String, _ changes: AltAddressChanges)
        throws -> AltAddress
    {
        try self.lockContact(connection, contactNo)
        guard
            var address = try connection.query(
                """
                SELECT \(unescaped: Self.columns) FROM contact_alt_addresses
                WHERE contact_no = \(contactNo) AND code = \(code) FOR UPDATE
                """
            ).first.map(Self.decode)
        else { throw Self.missing(contactNo, code) }
        changes.apply(to: &address)
        try self.check(connection, address)
        return try self.decode(
            connection.query(
                """
                UPDATE contact_alt_addresses
                SET company_name = \(address.companyName), address = \(address.address), address_2 = \(address.address2),
                    city = \(address.city), post_code = \(address.postCode), county = \(address.county),
                    country_code = \(address.countryCode), email = \(address.email), phone_no = \(address.phoneNo),
                    starting_date = \(address.startingDate?.pgValue), ending_date = \(address.endingDate?.pgValue)
                WHERE contact_no = \(contactNo) AND code = \(code)
                RETURNING \(unescaped: Self.columns)
                """
            )[0]
        )
    }

    public static func count(_ connection: PGConnection, contactNo: String) throws -> Int {
        try connection.query("SELECT count(*) FROM contact_alt_addresses WHERE contact_no = \(contactNo)")[0]
            .decode(Int.self, at: 0)
    }

    /// A contact's alternative addresses in code order, keyset-paged.
    public static func list(_ connection: PGConnection, contactNo: String, after: String?, limit: Int) throws
        -> [AltAddress]
    {
        guard try !connection.query("SELECT 1 FROM contacts WHERE no = \(contactNo)").isEmpty else {
            throw StoreError.notFound("Contact \(contactNo) does not exist.")
        }
        return try connection.query(
            """
            SELECT \(unescaped: Self.columns) FROM contact_alt_addresses
            WHERE contact_no = \(contactNo) AND (\(after)::text IS NULL OR code > \(after))
            ORDER BY code LIMIT \(limit)
            """
        ).map(Self.decode)
    }

    /// Deletes an alternative address; unlogged segment lines that use it lose it (logged entries keep the
    /// code as history). Returns how many segment lines lost it.
    public static func delete(_ connection: PGConnection, contactNo: String, code: String) throws -> Int {
        try self.lockContact(connection, contactNo)
        let deleted = try connection.execute(
            "DELETE FROM contact_alt_addresses WHERE contact_no = \(contactNo) AND code = \(code)"
        )
        guard deleted == 1 else { throw Self.missing(contactNo, code) }
        return try connection.execute(
            """
            UPDATE segment_lines SET contact_alt_address_code = NULL
            WHERE contact_no = \(contactNo) AND contact_alt_address_code = \(code)
            """
        )
    }

    static func missing(_ contactNo: String, _ code: String) -> StoreError {
        .notFound("Alternative address \(code) of contact \(contactNo) does not exist.")
    }

    /// Locks the contact, so that two sessions cannot add overlapping ranges at once.
    static func lockContact(_ connection: PGConnection, _ contactNo: String) throws {
        guard try !connection.query("SELECT 1 FROM contacts WHERE no = \(contactNo) FOR UPDATE").isEmpty else {
            throw StoreError.notFound("Contact \(contactNo) does not exist.")
        }
    }

    static func check(_ connection: PGConnection, _ a: AltAddress) throws {
        if let start = a.startingDate, let end = a.endingDate, start > end {
            throw StoreError.invalid(
                "Starting Date \(start) must not be after Ending Date \(end): change starting-date= or ending-date="
            )
        }
        let start = a.startingDate?.pgValue
        let end = a.endingDate?.pgValue
        if let other = try connection.query(
            """
            SELECT code, coalesce(starting_date::text, '(open)'), coalesce(ending_date::text, '(open)')
            FROM contact_alt_addresses
            WHERE contact_no = \(a.contactNo) AND code <> \(a.code)
              AND daterange(starting_date, ending_date, '[]') && daterange(\(start)::date, \(end)::date, '[]')
            ORDER BY code LIMIT 1
            """
        ).first {
            throw StoreError.conflict(
                "Alternative address \(try other.decode(String.self, at: 0)) of contact \(a.contactNo) is active "
                    + "from \(try other.decode(String.self, at: 1)) to \(try other.decode(String.self, at: 2)): "
                    + "the date ranges of a contact's alternative addresses must not overlap"
            )
        }
    }
}
