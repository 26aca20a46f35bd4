import LibPQ
import RapportModel

/// What a business relation links a company contact to.
public enum AccountKind: String, Sendable, CaseIterable {
    case customer
    case vendor
    case bankAccount = "bank_account"

    var caption: String {
        switch self {
        case .customer: "customer"
        case .vendor: "vendor"
        case .bankAccount: "bank account"
        }
    }
}

/// A company contact linked to a customer, vendor or bank account number.
public struct ContactRelation: Sendable, Equatable {
    public var contactNo: String
    public var contactName: String
    public var kind: AccountKind
    public var accountNo: String
    public var businessRelationCode: String?
}

/// Contact business relations (reference 3.7, 3.15 R4): at most one account of each kind per contact and
/// one contact per account; only companies are linked. DOCUMENT-LOG customer= / vendor= finds the
/// contact through them.
public enum BusinessRelationStore {
    static let select = """
        SELECT r.contact_no, c.name, r.link_to, r.account_no, r.business_relation_code
        FROM contact_business_relations r JOIN contacts c ON c.no = r.contact_no
        """

    static func decode(_ row: PGRow) throws -> ContactRelation {
        ContactRelation(
            contactNo: try row.decode(String.self, at: 0),
            contactName: try row.decode(String.self, at: 1),
            kind: AccountKind(rawValue: try row.decode(String.self, at: 2)) ?? .customer,
            accountNo: try row.decode(String.self, at: 3),
            businessRelationCode: try row.decode(String?.self, at: 4)
        )
    }

    public static func link(
        _ connection: PGConnection,
        contactNo: String,
        kind: AccountKind,
        accountNo: String,
        businessRelation: String
    ) throws -> ContactRelation {
        guard
            let type = try connection.query("SELECT type FROM contacts WHERE no = \(contactNo) FOR UPDATE").first?
                .decode(String.self, at: 0)
        else { throw StoreError.notFound("Contact \(contactNo) does not exist.") }
        guard type == ContactType.company.rawValue else {
            throw StoreError.invalid(
                "Contact \(contactNo) is a person: business relations link company contacts; link its company"
            )
        }
        try CodeTableStore.require(connection, .businessRelations, businessRelation)
        if let row = try connection.query(
            """
            SELECT contact_no, account_no FROM contact_business_relations
            WHERE link_to = \(kind.rawValue) AND (contact_no = \(contactNo) OR account_no = \(accountNo))
            ORDER BY contact_no = \(contactNo) DESC LIMIT 1
            """
        ).first {
            let (other, account) = (try row.decode(String.self, at: 0), try row.decode(String.self, at: 1))
            if other == contactNo {
                throw StoreError.conflict(
                    "Contact \(contactNo) is already linked to \(kind.caption) \(account): unlink it first"
                )
            }
            throw StoreError.conflict("The \(kind.caption) \(accountNo) is already linked to contact \(other)")
        }
        try connection.execute(
            """
            INSERT INTO contact_business_relations (contact_no, link_to, account_no, business_relation_code)
            VALUES (\(contactNo), \(kind.rawValue), \(accountNo), \(businessRelation))
            """
        )
        return try connection.query(
            "\(unescaped: Self.select) WHERE r.contact_no = \(contactNo) AND r.link_to = \(kind.rawValue)"
        ).map(Self.decode)[0]
    }

    /// Removes a contact's link of one kind; returns the account it was linked to.
    public static func unlink(_ connection: PGConnection, contactNo: String, kind: AccountKind) throws -> String {
        guard
            let row = try connection.query(
                """
                DELETE FROM contact_business_relations WHERE contact_no = \(contactNo) AND link_to = \(kind.rawValue)
                RETURNING account_no
                """
            ).first
        else { throw StoreError.notFound("Contact \(contactNo) is not linked to a \(kind.caption).") }
        return try row.decode(String.self, at: 0)
    }

    public static func count(_ connection: PGConnection, contactNo: String?, kind: AccountKind?) throws -> Int {
        try connection.query(
            """
            SELECT count(*) FROM contact_business_relations
            WHERE (\(contactNo)::text IS NULL OR contact_no = \(contactNo))
              AND (\(kind?.rawValue)::text IS NULL OR link_to = \(kind?.rawValue))
            """
        )[0].decode(Int.self, at: 0)
    }

    /// Links in contact and kind order, keyset-paged on both.
    public static func list(
        _ connection: PGConnection,
        contactNo: String?,
        kind: AccountKind?,
        after: (String, String)?,
        limit: Int
    ) throws -> [ContactRelation] {
        try connection.query(
            """
            \(unescaped: Self.select)
            WHERE (\(contactNo)::text IS NULL OR r.contact_no = \(contactNo))
              AND (\(kind?.rawValue)::text IS NULL OR r.link_to = \(kind?.rawValue))
              AND (\(after?.0)::text IS NULL OR (r.contact_no, r.link_to) > (\(after?.0)::text, \(after?.1)::text))
            ORDER BY r.contact_no, r.link_to LIMIT \(limit)
            """
        ).map(Self.decode)
    }
}
