import LibPQ
import RapportModel

/// A contact (reference §1.17): a company, or a person who may belong to a company.
public struct Contact: Sendable, Equatable {
    public var no: String
    public var type: ContactType
    public var companyNo: String?
    public var name: String
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
    public var excludeFromSegment: Bool
    public var privacyBlocked: Bool

    public init(no: String = "", type: ContactType = .company, name: String) {
        self.no = no
        self.type = type
        self.name = name
        self.excludeFromSegment = false
        self.privacyBlocked = false
    }
}

/// Changes to a contact: nil leaves a field, `.some(nil)` blanks it.
public struct ContactChanges: Sendable, Equatable {
    public var type: ContactType?
    public var companyNo: String??
    public var name: String?
    public var salespersonCode: String??
    public var languageCode: String??
    public var correspondenceType: CorrespondenceType??
    public var email: String??
    public var phoneNo: String??
    public var mobilePhoneNo: String??
    public var address: String??
    public var address2: String??
    public var city: String??
    public var postCode: String??
    public var county: String??
    public var countryCode: String??
    public var territoryCode: String??
    public var excludeFromSegment: Bool?
    public var privacyBlocked: Bool?

    public init() {}
}

/// Which contacts CONTACT-LIST returns: every given filter must match; pages in number order.
public struct ContactFilter: Sendable, Equatable {
    public var type: ContactType?
    public var companyNo: String?
    public var salespersonCode: String?
    public var languageCode: String?
    /// Case-insensitive start of the name.
    public var namePrefix: String?
    public var postCode: String?
    public var countryCode: String?
    public var territoryCode: String?
    public var excludeFromSegment: Bool?
    public var privacyBlocked: Bool?
    /// Keyset pagination: contacts numbered after this one.
    public var after: String?
    public var limit: Int = 100

    public init() {}
}

extension Contact {
    static let columns = """
        no, type, company_no, name, salesperson_code, language_code, correspondence_type, email, phone_no,
        mobile_phone_no, address, address_2, city, post_code, county, country_code, territory_code,
        exclude_from_segment, privacy_blocked
        """

    init(row: PGRow) throws {
        let typeText = try row.decode(String.self, at: 1)
        guard let type = ContactType(rawValue: typeText) else {
            throw PGError(.decoding, "unknown contact type \(typeText)")
        }
        self.init(no: try row.decode(String.self, at: 0), type: type, name: try row.decode(String.self, at: 3))
        self.companyNo = try row.decode(String?.self, at: 2)
        self.salespersonCode = try row.decode(String?.self, at: 4)
        self.languageCode = try row.decode(String?.self, at: 5)
        self.correspondenceType = try row.decode(String?.self, at: 6).flatMap(CorrespondenceType.init)
        self.email = try row.decode(String?.self, at: 7)
        self.phoneNo = try row.decode(String?.self, at: 8)
        self.mobilePhoneNo = try row.decode(String?.self, at: 9)
        self.address = try row.decode(String?.self, at: 10)
        self.address2 = try row.decode(String?.self, at: 11)
        self.city = try row.decode(String?.self, at: 12)
        self.postCode = try row.decode(String?.self, at: 13)
        self.county = try row.decode(String?.self, at: 14)
        self.countryCode = try row.decode(String?.self, at: 15)
        self.territoryCode = try row.decode(String?.self, at: 16)
        self.excludeFromSegment = try row.decode(Bool.self, at: 17)
        self.privacyBlocked = try row.decode(Bool.self, at: 18)
    }
}
