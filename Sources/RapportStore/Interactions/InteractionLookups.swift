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

    static func clock(_ connection: PGConnection) throws -> Clock {
        let row = try connection.query(
            """
            SELECT CURRENT_DATE, extract(hour FROM LOCALTIME)::int, extract(minute FROM LOCALTIME)::int,
                   extract(microseconds FROM LOCALTIME)::bigint
            """
        )[0]
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
        let rows = try connection.query(
            """
            SELECT code, interaction_group_code, description, unit_cost, unit_duration,
                   information_flow::text, initiated_by::text, campaign_no, campaign_target, campaign_response,
                   correspondence_type::text, ignore_contact_corres_type, language_code_default,
                   wizard_action::text, word_template_code
            FROM interaction_templates WHERE code = \(code)
            """
        )
        guard let row = rows.first else { return nil }
        let template = InteractionTemplateDefaults(
            code: try row.decode(String.self, at: 0),
            groupCode: try row.decode(String.self, at: 1),
            description: try row.decode(String?.self, at: 2),
            unitCost: try row.decode(Decimal.self, at: 3),
            unitDuration: try row.decode(Decimal.self, at: 4),
            informationFlow: try row.decode(String?.self, at: 5).flatMap(InformationFlow.init(rawValue:)),
            initiatedBy: try row.decode(String?.self, at: 6).flatMap(InitiatedBy.init(rawValue:)),
            campaignNo: try row.decode(String?.self, at: 7),
            campaignTarget: try row.decode(Bool.self, at: 8),
            campaignResponse: try row.decode(Bool.self, at: 9),
            correspondenceType: try row.decode(String?.self, at: 10).flatMap(CorrespondenceType.init(rawValue:)),
            ignoreContactCorrespondenceType: try row.decode(Bool.self, at: 11),
            languageCodeDefault: try row.decode(String?.self, at: 12),
            wizardAction: try row.decode(String?.self, at: 13).flatMap(WizardAction.init(rawValue:)),
            wordTemplateCode: try row.decode(String?.self, at: 14)
        )
        let languages = try connection.query(
            """
            SELECT language_code, attachment_no, word_template_code FROM interaction_template_languages
            WHERE template_code = \(code) ORDER BY language_code NULLS FIRST
            """
        ).map { row in
            InteractionLanguageRowWithAttachment(
                languageCode: try row.decode(String?.self, at: 0),
                attachmentNo: try row.decode(Int64?.self, at: 1),
                wordTemplateCode: try row.decode(String?.self, at: 2)
            )
        }
        return (template, languages)
    }

    /// A contact; nil when it does not exist.
    static func contact(_ connection: PGConnection, _ no: String) throws -> InteractionContact? {
        let rows = try connection.query(
            """
            SELECT no, type::text, company_no, salesperson_code, language_code, correspondence_type::text, email
            FROM contacts WHERE no = \(no)
            """
        )
        guard let row = rows.first else { return nil }
        return InteractionContact(
            no: try row.decode(String.self, at: 0),
            type: ContactType(rawValue: try row.decode(String.self, at: 1)) ?? .person,
            companyNo: try row.decode(String?.self, at: 2),
            salespersonCode: try row.decode(String?.self, at: 3),
            languageCode: try row.decode(String?.self, at: 4),
            correspondenceType: try row.decode(String?.self, at: 5).flatMap(CorrespondenceType.init(rawValue:)),
            email: try row.decode(String?.self, at: 6)
        )
    }

    /// The contact's alternative address active on `date` (reference 3.2 R2): code and e-mail.
    static func activeAltAddress(_ connection: PGConnection, contactNo: String, date: CalendarDate) throws
        -> (code: String, email: String?)?
    {
        let rows = try connection.query(
            """
            SELECT code, email FROM contact_alt_addresses
            WHERE contact_no = \(contactNo)
              AND (starting_date IS NULL OR starting_date <= \(date.pgValue)::date)
              AND (ending_date IS NULL OR ending_date >= \(date.pgValue)::date)
            ORDER BY code LIMIT 1
            """
        )
        guard let row = rows.first else { return nil }
        return (try row.decode(String.self, at: 0), try row.decode(String?.self, at: 1))
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

    /// The largest attachment the setup accepts, in bytes.
    static func maximumAttachmentBytes(_ connection: PGConnection) throws -> Int {
        try connection.query("SELECT max_attachment_bytes FROM marketing_setup").first?.decode(Int.self, at: 0)
            ?? 10_485_760
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
