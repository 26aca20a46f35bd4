/// The values a document or e-mail body is merged with for one log entry and its contact (reference 3.9 R1:
/// contact, salesperson and company data), as text. One list of field names (``Name``) serves every format:
/// Word `MERGEFIELD`s, `«Field»` markers and Mustache `{{Field}}` tags, all matched without regard to case.
public struct MergeFields: Sendable, Equatable {
    /// Every merge field, by the name a template uses.
    public enum Name: String, CaseIterable, Sendable {
        case contactNo = "ContactNo"
        case contactName = "ContactName"
        case companyName = "CompanyName"
        case salutation = "Salutation"
        case address = "Address"
        case address2 = "Address2"
        case city = "City"
        case postCode = "PostCode"
        case county = "County"
        case countryCode = "CountryCode"
        case email = "Email"
        case phoneNo = "PhoneNo"
        case salespersonCode = "SalespersonCode"
        case salespersonName = "SalespersonName"
        case salespersonEmail = "SalespersonEmail"
        case date = "Date"
        case description = "Description"
        case subject = "Subject"
        case entryNo = "EntryNo"
        case campaignNo = "CampaignNo"
        case campaignDescription = "CampaignDescription"
        case languageCode = "LanguageCode"

        private static let byLowercasedName: [String: Name] = Dictionary(
            uniqueKeysWithValues: Name.allCases.map { ($0.rawValue.lowercased(), $0) }
        )

        /// The field a template names, whatever its case (`contactname`, `ContactName`); nil when unknown.
        public init?(lenient text: some StringProtocol) {
            guard let name = Self.byLowercasedName[text.lowercased()] else { return nil }
            self = name
        }
    }

    public var contactNo = ""
    public var contactName = ""
    public var companyName = ""
    public var salutation = ""
    public var address = ""
    public var address2 = ""
    public var city = ""
    public var postCode = ""
    public var county = ""
    public var countryCode = ""
    public var email = ""
    public var phoneNo = ""
    public var salespersonCode = ""
    public var salespersonName = ""
    public var salespersonEmail = ""
    /// ISO 8601 (`2026-11-27`).
    public var date = ""
    public var description = ""
    public var subject = ""
    public var entryNo = ""
    public var campaignNo = ""
    public var campaignDescription = ""
    public var languageCode = ""

    public init() {}

    public subscript(name: Name) -> String {
        switch name {
        case .contactNo: return self.contactNo
        case .contactName: return self.contactName
        case .companyName: return self.companyName
        case .salutation: return self.salutation
        case .address: return self.address
        case .address2: return self.address2
        case .city: return self.city
        case .postCode: return self.postCode
        case .county: return self.county
        case .countryCode: return self.countryCode
        case .email: return self.email
        case .phoneNo: return self.phoneNo
        case .salespersonCode: return self.salespersonCode
        case .salespersonName: return self.salespersonName
        case .salespersonEmail: return self.salespersonEmail
        case .date: return self.date
        case .description: return self.description
        case .subject: return self.subject
        case .entryNo: return self.entryNo
        case .campaignNo: return self.campaignNo
        case .campaignDescription: return self.campaignDescription
        case .languageCode: return self.languageCode
        }
    }

    /// Every field by its name (the Mustache context).
    public var dictionary: [String: String] {
        Dictionary(uniqueKeysWithValues: Name.allCases.map { ($0.rawValue, self[$0]) })
    }

    /// The salutation when no salutation formula exists (the schema has no salutation codes): "Dear <name>"
    /// for a person, "Dear Sir or Madam" for a company (docs/DECISIONS.md).
    public static func salutation(name: String, isPerson: Bool) -> String {
        isPerson && !name.isEmpty ? "Dear \(name)" : "Dear Sir or Madam"
    }
}
