import Foundation
import LibPQ
import RapportModel
import RapportProtocol

/// The reads an interaction needs before it is written, each one statement in the caller's transaction.
enum InteractionLookups {
    /// The database's date and time: one clock for every replica of the server.
    struct Clock {
        var today: CalendarDate
        var hour: Int
        var minute: Int
        var second: Int
        var microsecond: Int

        /// The guide's default time (rounded up to the minute).
        var guideTime: TimeOfDay {
            WorkClock.roundedUp(hour: hour, minute: minute, second: second, microsecond: microsecond)
        }
        /// The time as it is (document logging).
        var exactTime: TimeOfDay { WorkClock.exact(hour: hour, minute: minute, second: second) }
    }

    /// The clock from a row whose first four columns are CURRENT_DATE, hour, minute and microseconds.
    static func clock(from row: PGRow) throws -> Clock {
        let microseconds = try row.decode(Int.self, at: 3)
        return Clock(
            today: CalendarDate(try row.decode(PGDate.self, at: 0)),
            hour: try row.decode(Int.self, at: 1),
            minute: try row.decode(Int.self, at: 2),
            second: microseconds / 1_000_000,
            microsecond: microseconds % 1_000_000
        )
    }

    /// A template with its language rows; nil when it does not exist.
    static func template(_ connection: PGConnection, _ code: String) throws
        -> (InteractionTemplateDefaults, [InteractionLanguageRowWithAttachment])?
    {
        let answers = try connection.queries([self.templateQuery(code), self.templateLanguagesQuery(code)])
        guard let row = answers[0].first else { return nil }
        return (try self.template(from: row), try answers[1].map(self.templateLanguage(from:)))
    }

    static func templateQuery(_ code: String) -> PGQuery {
        "SELECT \(unescaped: self.templateColumns("t", prefix: "")) FROM interaction_templates t WHERE t.code = \(code)"
    }

    /// The template columns the checks need, read from `alias` and named `prefix` + column (so that one
    /// statement can read a template beside other rows).
    static func templateColumns(_ alias: String, prefix: String) -> String {
        [
            "code", "interaction_group_code", "description", "unit_cost", "unit_duration", "information_flow::text",
            "initiated_by::text", "campaign_no", "campaign_target", "campaign_response", "correspondence_type::text",
            "ignore_contact_corres_type", "language_code_default", "wizard_action::text", "word_template_code",
        ].map { column in
            let name = column.hasSuffix("::text") ? String(column.dropLast(6)) : column
            return "\(alias).\(column) AS \(prefix)\(name)"
        }.joined(separator: ", ")
    }

    static func templateLanguagesQuery(_ code: String) -> PGQuery {
        """
        SELECT language_code, attachment_no, word_template_code FROM interaction_template_languages
        WHERE template_code = \(code) ORDER BY language_code NULLS FIRST
        """
    }

    static func template(from row: PGRow) throws -> InteractionTemplateDefaults {
        try self.template(from: row, prefix: "")
    }

    static func template(from row: PGRow, prefix p: String) throws -> InteractionTemplateDefaults {
        InteractionTemplateDefaults(
            code: try row.decode(String.self, named: p + "code"),
            groupCode: try row.decode(String.self, named: p + "interaction_group_code"),
            description: try row.decode(String?.self, named: p + "description"),
            unitCost: try row.decode(Decimal.self, named: p + "unit_cost"),
            unitDuration: try row.decode(Decimal.self, named: p + "unit_duration"),
            informationFlow: try row.decode(String?.self, named: p + "information_flow").flatMap(
                InformationFlow.init(rawValue:)
            ),
            initiatedBy: try row.decode(String?.self, named: p + "initiated_by").flatMap(InitiatedBy.init(rawValue:)),
            campaignNo: try row.decode(String?.self, named: p + "campaign_no"),
            campaignTarget: try row.decode(Bool.self, named: p + "campaign_target"),
            campaignResponse: try row.decode(Bool.self, named: p + "campaign_response"),
            correspondenceType: try row.decode(String?.self, named: p + "correspondence_type")
                .flatMap(CorrespondenceType.init(rawValue:)),
            ignoreContactCorrespondenceType: try row.decode(Bool.self, named: p + "ignore_contact_corres_type"),
            languageCodeDefault: try row.decode(String?.self, named: p + "language_code_default"),
            wizardAction: try row.decode(String?.self, named: p + "wizard_action").flatMap(
                WizardAction.init(rawValue:)
            ),
            wordTemplateCode: try row.decode(String?.self, named: p + "word_template_code")
        )
    }

    static func templateLanguage(from row: PGRow) throws -> InteractionLanguageRowWithAttachment {
        InteractionLanguageRowWithAttachment(
            languageCode: try row.decode(String?.self, named: "language_code"),
            attachmentNo: try row.decode(Int64?.self, named: "attachment_no"),
            wordTemplateCode: try row.decode(String?.self, named: "word_template_code")
        )
    }

    /// A contact; nil when it does not exist.
    static func contact(_ connection: PGConnection, _ no: String) throws -> InteractionContact? {
        try connection.query(self.contactQuery(no)).first.map(self.contact(from:))
    }

    static func contactQuery(_ no: String) -> PGQuery {
        "SELECT \(unescaped: self.contactColumns("c", prefix: "")) FROM contacts c WHERE c.no = \(no)"
    }

    /// The contact columns the checks and the reply need (with the company's name), read from `alias` and
    /// named `prefix` + column.
    static func contactColumns(_ alias: String, prefix: String) -> String {
        [
            "no", "type::text", "company_no", "salesperson_code", "language_code", "correspondence_type::text", "email",
            "name", "privacy_blocked",
        ].map { column in
            let name = column.hasSuffix("::text") ? String(column.dropLast(6)) : column
            return "\(alias).\(column) AS \(prefix)\(name)"
        }.joined(separator: ", ")
            + ", (SELECT company.name FROM contacts company WHERE company.no = \(alias).company_no) AS \(prefix)company_name"
    }

    static func contact(from row: PGRow) throws -> InteractionContact {
        try self.contact(from: row, prefix: "")
    }

    static func contact(from row: PGRow, prefix p: String) throws -> InteractionContact {
        InteractionContact(
            no: try row.decode(String.self, named: p + "no"),
            type: ContactType(rawValue: try row.decode(String.self, named: p + "type")) ?? .person,
            companyNo: try row.decode(String?.self, named: p + "company_no"),
            salespersonCode: try row.decode(String?.self, named: p + "salesperson_code"),
            languageCode: try row.decode(String?.self, named: p + "language_code"),
            correspondenceType: try row.decode(String?.self, named: p + "correspondence_type")
                .flatMap(CorrespondenceType.init(rawValue:)),
            email: try row.decode(String?.self, named: p + "email"),
            privacyBlocked: try row.decode(Bool.self, named: p + "privacy_blocked")
        )
    }

    /// The contact's alternative address active on `date` (reference 3.2 R2): code and e-mail.
    static func activeAltAddress(_ connection: PGConnection, contactNo: String, date: CalendarDate) throws
        -> (code: String, email: String?)?
    {
        try connection.query(self.altAddressQuery(contactNo: contactNo, date: date)).first.map(self.altAddress(from:))
    }

    /// The alternative address active on `date`, or on the database's today when `date` is nil.
    static func altAddressQuery(contactNo: String, date: CalendarDate?) -> PGQuery {
        """
        SELECT code, email FROM contact_alt_addresses
        WHERE contact_no = \(contactNo)
          AND (starting_date IS NULL OR starting_date <= COALESCE(\(date?.pgValue)::date, CURRENT_DATE))
          AND (ending_date IS NULL OR ending_date >= COALESCE(\(date?.pgValue)::date, CURRENT_DATE))
        ORDER BY code LIMIT 1
        """
    }

    static func altAddress(from row: PGRow) throws -> (code: String, email: String?) {
        (try row.decode(String.self, named: "code"), try row.decode(String?.self, named: "email"))
    }

    /// Whether the salesperson is blocked; nil when it does not exist.
    static func salespersonBlocked(_ connection: PGConnection, _ code: String) throws -> Bool? {
        try connection.query("SELECT blocked FROM salespeople WHERE code = \(code)").first?.decode(Bool.self, at: 0)
    }

    static func campaignExists(_ connection: PGConnection, _ no: String) throws -> Bool {
        try !connection.query("SELECT 1 FROM campaigns WHERE no = \(no)").isEmpty
    }

    static func languageExists(_ connection: PGConnection, _ code: String) throws -> Bool {
        try !connection.query("SELECT 1 FROM languages WHERE code = \(code)").isEmpty
    }
}

/// A template language row with its attachment number.
struct InteractionLanguageRowWithAttachment {
    var languageCode: String?
    var attachmentNo: Int64?
    var wordTemplateCode: String?

    var row: InteractionLanguageRow {
        InteractionLanguageRow(
            languageCode: self.languageCode,
            hasAttachment: self.attachmentNo != nil,
            wordTemplateCode: self.wordTemplateCode
        )
    }
}
