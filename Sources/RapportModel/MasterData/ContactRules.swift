/// A contact's type and company link, and the guards on changing or deleting them (reference
/// §3.12 R7). The store gathers the facts; the rules decide and word the refusal.
public enum ContactRules {
    public enum Problem: Error, Equatable, CustomStringConvertible {
        case deleteOnUnloggedSegments(contact: String)
        case companyChangeOnUnloggedSegments
        case linkedLogEntries(field: String)
        case companyHasPersons(company: String)
        case companyWithCompany
        case ownCompany
        case companyNotFound(company: String)
        case notACompany(company: String)

        public var description: String {
            switch self {
            case .deleteOnUnloggedSegments(let contact):
                return "You cannot delete the Contact record of the \(contact) because the contact is assigned one "
                    + "or more unlogged segments."
            case .companyChangeOnUnloggedSegments:
                return "You cannot change Company No. because one or more unlogged segments are assigned to the "
                    + "contact."
            case .linkedLogEntries(let field):
                return "\(field) cannot be changed because one or more interaction log entries are linked to the "
                    + "contact."
            case .companyHasPersons(let company):
                return "Company contact \(company) has persons; delete them or link them to another company first."
            case .companyWithCompany:
                return "A company contact cannot belong to a company; only persons have a Company No."
            case .ownCompany:
                return "A contact cannot be its own company."
            case .companyNotFound(let company):
                return "Company contact \(company) does not exist."
            case .notACompany(let company):
                return "Contact \(company) is not a company; Company No. must name a company contact."
            }
        }

        /// How the request is put right, added after the reference's sentence on the wire.
        public var fix: String? {
            switch self {
            case .deleteOnUnloggedSegments, .companyChangeOnUnloggedSegments:
                return "Remove the contact from those segments first (SEGMENT-LINE-REMOVE)."
            case .linkedLogEntries: return "Create a new contact instead."
            case .companyHasPersons: return nil
            case .companyWithCompany: return "Give type=person, or blank company=."
            case .ownCompany: return "Give another company=."
            case .companyNotFound: return "Give an existing company=, or create it with CONTACT-ADD."
            case .notACompany: return "Give a company's number in company=."
            }
        }

        /// The reference's sentence, then the fix.
        public var withFix: String {
            guard let fix = self.fix else { return self.description }
            return self.description.hasSuffix(".") ? "\(self.description) \(fix)" : "\(self.description); \(fix)"
        }
    }

    /// Type and company of a contact.
    public struct Link: Sendable, Equatable {
        public var type: ContactType
        public var companyNo: String?

        public init(type: ContactType, companyNo: String?) {
            self.type = type
            self.companyNo = companyNo
        }
    }

    /// What the store knows about a contact's use elsewhere.
    public struct Usage: Sendable, Equatable {
        /// On a line of a segment (segments are deleted when logged, so every line is unlogged).
        public var isOnUnloggedSegments: Bool
        /// Interaction log entries name it as their contact.
        public var hasLogEntries: Bool
        /// For a company: how many persons belong to it.
        public var personCount: Int

        public init(isOnUnloggedSegments: Bool = false, hasLogEntries: Bool = false, personCount: Int = 0) {
            self.isOnUnloggedSegments = isOnUnloggedSegments
            self.hasLogEntries = hasLogEntries
            self.personCount = personCount
        }
    }

    /// A new contact's link: only persons have a company, and it must be a company contact.
    /// `companyType` is the type of the contact `link.companyNo` names (nil: it does not exist).
    public static func checkNew(no: String?, _ link: Link, companyType: ContactType?) throws(Problem) {
        try self.checkCompany(no: no, link, companyType: companyType)
    }

    /// Changing `from` into `to`: R7's guards, then the link rules.
    public static func checkChange(
        no: String,
        from: Link,
        to: Link,
        usage: Usage,
        companyType: ContactType?
    ) throws(Problem) {
        let typeChanges = from.type != to.type
        let companyChanges = from.companyNo != to.companyNo
        if typeChanges {
            if usage.hasLogEntries { throw .linkedLogEntries(field: "Type") }
            if from.type == .company, usage.personCount > 0 { throw .companyHasPersons(company: no) }
        }
        if companyChanges {
            if usage.isOnUnloggedSegments { throw .companyChangeOnUnloggedSegments }
            if usage.hasLogEntries { throw .linkedLogEntries(field: "Company No.") }
            try self.checkCompany(no: no, to, companyType: companyType)
        } else if typeChanges, to.type == .company, to.companyNo != nil {
            throw .companyWithCompany
        }
    }

    /// Deleting a contact: refused while it is on a segment, and for a company while it has persons.
    public static func checkDelete(no: String, type: ContactType, usage: Usage) throws(Problem) {
        if usage.isOnUnloggedSegments { throw .deleteOnUnloggedSegments(contact: no) }
        if type == .company, usage.personCount > 0 { throw .companyHasPersons(company: no) }
    }

    private static func checkCompany(no: String?, _ link: Link, companyType: ContactType?) throws(Problem) {
        guard let company = link.companyNo else { return }
        guard link.type == .person else { throw .companyWithCompany }
        guard company != no else { throw .ownCompany }
        guard let companyType else { throw .companyNotFound(company: company) }
        guard companyType == .company else { throw .notACompany(company: company) }
    }
}
