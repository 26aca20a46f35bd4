import LibPQ
import RapportModel

/// Contacts, inside the caller's transaction: numbering and defaults from the marketing setup,
/// and the change and delete guards of reference §3.12 R7.
public enum ContactStore {
    /// Creates a contact. Without a number (`numbered`), it is drawn from the setup's contact
    /// series; blank correspondence type, salesperson and language take the setup's defaults.
    public static func create(_ connection: PGConnection, _ contact: Contact, numbered: Bool) throws -> Contact {
        var contact = contact
        try Self.checkName(contact.name)
        let setup = try MarketingSetupStore.get(connection)
        if numbered {
            guard let series = setup.contactNos else {
                throw StoreError.invalid(
                    "Contact Nos. must have a value in Marketing Setup: set one with SETUP-MARKETING contact-nos=<series>"
                )
            }
            contact.no = try NumberSeriesStore.next(connection, series)
        } else {
            try NumberSeriesStore.checkManual(connection, series: setup.contactNos)
        }
        contact.correspondenceType = contact.correspondenceType ?? setup.defaultCorrespondenceType
        contact.salespersonCode = contact.salespersonCode ?? setup.defaultSalespersonCode
        contact.languageCode = contact.languageCode ?? setup.defaultLanguageCode
        let link = ContactRules.Link(type: contact.type, companyNo: contact.companyNo)
        try Self.rule {
            try ContactRules.checkNew(no: contact.no, link, companyType: try Self.type(connection, contact.companyNo))
        }
        try Self.checkReferences(connection, salesperson: contact.salespersonCode, language: contact.languageCode)
        return try MasterDataLookup.inserting("Contact \(contact.no) already exists") {
            let rows = try connection.query(
                """
                INSERT INTO contacts (\(unescaped: Contact.columns))
                VALUES (\(contact.no), \(contact.type.rawValue), \(contact.companyNo), \(contact.name),
                        \(contact.salespersonCode), \(contact.languageCode), \(contact.correspondenceType?.rawValue),
                        \(contact.email), \(contact.phoneNo), \(contact.mobilePhoneNo), \(contact.address),
                        \(contact.address2), \(contact.city), \(contact.postCode), \(contact.county),
                        \(contact.countryCode), \(contact.territoryCode), \(contact.excludeFromSegment),
                        \(contact.privacyBlocked))
                RETURNING \(unescaped: Contact.columns)
                """
            )
            return try Contact(row: rows[0])
        }
    }

    /// Changes a contact. Type and company changes are guarded (R7); a contact that becomes a
    /// company loses its company link unless the request sets one (which is then refused).
    public static func update(_ connection: PGConnection, _ no: String, _ changes: ContactChanges) throws -> Contact {
        if let name = changes.name { try Self.checkName(name) }
        let current = try Self.lock(connection, no)
        let from = ContactRules.Link(type: current.type, companyNo: current.companyNo)
        var to = ContactRules.Link(
            type: changes.type ?? current.type,
            companyNo: changes.companyNo ?? current.companyNo
        )
        if changes.companyNo == nil, to.type == .company { to.companyNo = nil }
        if from != to {
            let usage = try Self.usage(connection, current, entries: true)
            let companyType = try Self.type(connection, to.companyNo)
            try Self.rule {
                try ContactRules.checkChange(no: no, from: from, to: to, usage: usage, companyType: companyType)
            }
        }
        try Self.checkReferences(
            connection,
            salesperson: changes.salespersonCode ?? nil,
            language: changes.languageCode ?? nil
        )
        var assignments = MasterDataAssignments()
        if to.type != from.type { assignments.set("type", to.type.rawValue) }
        if to.companyNo != from.companyNo { assignments.set("company_no", to.companyNo) }
        assignments.set("name", ifGiven: changes.name)
        assignments.set("salesperson_code", change: changes.salespersonCode)
        assignments.set("language_code", change: changes.languageCode)
        assignments.set("correspondence_type", change: changes.correspondenceType.map { $0?.rawValue })
        assignments.set("email", change: changes.email)
        assignments.set("phone_no", change: changes.phoneNo)
        assignments.set("mobile_phone_no", change: changes.mobilePhoneNo)
        assignments.set("address", change: changes.address)
        assignments.set("address_2", change: changes.address2)
        assignments.set("city", change: changes.city)
        assignments.set("post_code", change: changes.postCode)
        assignments.set("county", change: changes.county)
        assignments.set("country_code", change: changes.countryCode)
        assignments.set("territory_code", change: changes.territoryCode)
        assignments.set("exclude_from_segment", ifGiven: changes.excludeFromSegment)
        assignments.set("privacy_blocked", ifGiven: changes.privacyBlocked)
        if assignments.isEmpty { return current }
        let rows = try connection.query(
            assignments.update("contacts", keyColumn: "no", key: no, returning: Contact.columns)
        )
        return try Contact(row: rows[0])
    }

    /// Deletes a contact (R7): refused while it is on a segment line (or, for a company, while it
    /// has persons). A person's log entries move to its company; a company's entries keep but lose
    /// their contact and company.
    public static func delete(_ connection: PGConnection, _ no: String) throws {
        let contact = try Self.lock(connection, no)
        let usage = try Self.usage(connection, contact, entries: false)
        try Self.rule { try ContactRules.checkDelete(no: no, type: contact.type, usage: usage) }
        try OpportunityStore.checkContactDelete(connection, no)
        switch contact.type {
        case .company:
            try connection.execute(
                """
                UPDATE interaction_log_entries
                SET contact_no = NULL, contact_company_no = NULL, contact_alt_address_code = NULL
                WHERE contact_no = \(no)
                """
            )
            // Entries of persons that belonged to the company when they were logged.
            try connection.execute(
                "UPDATE interaction_log_entries SET contact_company_no = NULL WHERE contact_company_no = \(no)"
            )
            try connection.execute(
                "UPDATE segment_lines SET contact_company_no = NULL WHERE contact_company_no = \(no)"
            )
        case .person:
            try connection.execute(
                """
                UPDATE interaction_log_entries
                SET contact_no = \(contact.companyNo), contact_company_no = \(contact.companyNo),
                    contact_alt_address_code = NULL
                WHERE contact_no = \(no)
                """
            )
        }
        try MasterDataLookup.deleting("Contact \(no) cannot be deleted because other records refer to it") {
            try connection.execute("DELETE FROM contacts WHERE no = \(no)")
        }
    }

    public static func get(_ connection: PGConnection, _ no: String) throws -> Contact? {
        try connection.query("SELECT \(unescaped: Contact.columns) FROM contacts WHERE no = \(no)")
            .first.map(Contact.init(row:))
    }

    /// One page of contacts in number order.
    public static func list(_ connection: PGConnection, _ filter: ContactFilter) throws -> [Contact] {
        try connection.query(
            """
            SELECT \(unescaped: Contact.columns) FROM contacts
            WHERE (\(filter.type?.rawValue)::text IS NULL OR type = \(filter.type?.rawValue))
              AND (\(filter.companyNo)::text IS NULL OR company_no = \(filter.companyNo))
              AND (\(filter.salespersonCode)::text IS NULL OR salesperson_code = \(filter.salespersonCode))
              AND (\(filter.languageCode)::text IS NULL OR language_code = \(filter.languageCode))
              AND (\(filter.namePrefix)::text IS NULL OR starts_with(search_name, upper(\(filter.namePrefix))))
              AND (\(filter.postCode)::text IS NULL OR post_code = \(filter.postCode))
              AND (\(filter.countryCode)::text IS NULL OR country_code = \(filter.countryCode))
              AND (\(filter.territoryCode)::text IS NULL OR territory_code = \(filter.territoryCode))
              AND (\(filter.excludeFromSegment)::boolean IS NULL OR exclude_from_segment = \(filter.excludeFromSegment))
              AND (\(filter.privacyBlocked)::boolean IS NULL OR privacy_blocked = \(filter.privacyBlocked))
              AND (\(filter.after)::text IS NULL OR no > \(filter.after))
            ORDER BY no
            LIMIT \(filter.limit)
            """
        ).map(Contact.init(row:))
    }

    private static func lock(_ connection: PGConnection, _ no: String) throws -> Contact {
        let rows = try connection.query(
            "SELECT \(unescaped: Contact.columns) FROM contacts WHERE no = \(no) FOR UPDATE"
        )
        guard let row = rows.first else { throw StoreError.notFound("Contact \(no) does not exist") }
        return try Contact(row: row)
    }

    /// The type of contact `no`; nil when there is no such contact (or no number).
    static func type(_ connection: PGConnection, _ no: String?) throws -> ContactType? {
        guard let no else { return nil }
        let rows = try connection.query("SELECT type FROM contacts WHERE no = \(no)")
        return try rows.first.flatMap { ContactType(rawValue: try $0.decode(String.self, at: 0)) }
    }

    private static func usage(_ connection: PGConnection, _ contact: Contact, entries: Bool) throws
        -> ContactRules.Usage
    {
        let row = try connection.query(
            """
            SELECT EXISTS (SELECT 1 FROM segment_lines WHERE contact_no = \(contact.no)),
                   \(entries) AND EXISTS (SELECT 1 FROM interaction_log_entries WHERE contact_no = \(contact.no)),
                   (SELECT count(*) FROM contacts WHERE company_no = \(contact.no))
            """
        )[0]
        return ContactRules.Usage(
            isOnUnloggedSegments: try row.decode(Bool.self, at: 0),
            hasLogEntries: try row.decode(Bool.self, at: 1),
            personCount: try row.decode(Int.self, at: 2)
        )
    }

    static func checkReferences(_ connection: PGConnection, salesperson: String?, language: String?) throws {
        try MasterDataLookup.require(
            connection,
            salesperson,
            in: "salespeople",
            "Salesperson \(salesperson ?? "") does not exist"
        )
        try MasterDataLookup.require(connection, language, in: "languages", "Language \(language ?? "") does not exist")
    }

    /// A contact's name is never blank (the import refuses it likewise).
    private static func checkName(_ name: String) throws {
        if name.allSatisfy(\.isWhitespace) { throw StoreError.invalid("Name must have a value: give name=") }
    }

    /// Runs a contact rule, turning its refusal into a store refusal.
    private static func rule(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch let problem as ContactRules.Problem {
            switch problem {
            case .companyNotFound: throw StoreError.notFound(problem.withFix)
            default: throw StoreError.invalid(problem.withFix)
            }
        }
    }
}
