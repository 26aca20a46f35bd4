import Foundation
import LibPQ
import RapportModel
import RapportProtocol

/// Everything the checks of one new interaction read, fetched in **one round trip** (a pipeline of
/// prepared statements, together with the transaction's BEGIN and the idempotency claim) for the keys
/// the request names and the ones the rules can derive from them (the contact's salesperson and
/// language, the template's campaign and default language, the user's salesperson). A key that no
/// rule foresaw is read on demand, so the answer never depends on what was prefetched.
///
/// The same round trip draws the numbers of the new entry and, when one will be needed, of its
/// attachment, so that the writes that follow need no answer and go out with the COMMIT.
final class InteractionReads {
    let connection: PGConnection
    let clock: InteractionLookups.Clock
    let maximumAttachmentBytes: Int
    /// Drawn for a new entry (written with OVERRIDING SYSTEM VALUE); nil for a resumed one.
    let entryNo: Int64?
    /// Drawn when the template has attachments or layouts (merged, issue 15) or content is uploaded; nil otherwise.
    private(set) var attachmentNo: Int64?
    /// The acting user's full name (an outbound entry's title falls back on it).
    let userFullName: String?
    private var contacts: [String: InteractionContact?] = [:]
    private var contactNames: [String: String?] = [:]
    private var templates: [String: (InteractionTemplateDefaults, [InteractionLanguageRowWithAttachment])?] = [:]
    private var salespeople: [String: Salesperson?] = [:]
    private var campaigns: [String: Bool] = [:]
    private var languages: [String: Bool] = [:]
    private var altAddresses: [AltAddressKey: (code: String, email: String?)?] = [:]

    struct Salesperson {
        var blocked: Bool
        var name: String?
    }

    private struct AltAddressKey: Hashable {
        var contactNo: String
        var date: CalendarDate
    }

    /// Reads what a new interaction for `input` needs, in one round trip with whatever the connection
    /// has queued.
    init(
        _ connection: PGConnection,
        input: InteractionInput,
        actor: ActingUser,
        newEntry: Bool,
        uploads: Bool
    ) throws {
        self.connection = connection
        let contactNo = input.contactNo.value
        let templateCode = input.templateCode.value
        let date = input.date.value
        let answers = try connection.queries(
            Self.statements(input: input, actor: actor, newEntry: newEntry, uploads: uploads)
        )
        let row = answers[0][0]
        self.clock = try InteractionLookups.clock(from: row)
        self.maximumAttachmentBytes = try row.decode(Int?.self, named: "max_attachment_bytes") ?? 10_485_760
        self.entryNo = try row.decode(Int64?.self, named: "drawn_entry_no")
        self.attachmentNo = try row.decode(Int64?.self, named: "drawn_attachment_no")
        self.userFullName = try row.decode(String?.self, named: "user_full_name")
        if let contactNo {
            let found = try row.decode(String?.self, named: "c_no") != nil
            self.contacts.updateValue(
                found ? try InteractionLookups.contact(from: row, prefix: "c_") : nil,
                forKey: contactNo
            )
            if found {
                self.contactNames.updateValue(try row.decode(String?.self, named: "c_name"), forKey: contactNo)
                if let company = try row.decode(String?.self, named: "c_company_no") {
                    self.contactNames.updateValue(
                        try row.decode(String?.self, named: "c_company_name"),
                        forKey: company
                    )
                }
            }
            self.altAddresses.updateValue(
                try answers[3].first.map(InteractionLookups.altAddress(from:)),
                forKey: AltAddressKey(contactNo: contactNo, date: date ?? self.clock.today)
            )
        }
        if let templateCode {
            let found = try row.decode(String?.self, named: "t_code") != nil
            let template =
                found
                ? (
                    try InteractionLookups.template(from: row, prefix: "t_"),
                    try answers[1].map(InteractionLookups.templateLanguage(from:))
                ) : nil
            self.templates.updateValue(template, forKey: templateCode)
        }
        // Every candidate asked for is known now: present or absent.
        for code in [input.salespersonCode.value, actor.salespersonCode].compactMap({ $0 }) {
            self.salespeople.updateValue(nil, forKey: code)
        }
        if let contact = contactNo.flatMap({ self.contacts[$0] ?? nil }), let code = contact.salespersonCode {
            self.salespeople.updateValue(nil, forKey: code)
        }
        let template = templateCode.flatMap { self.templates[$0] ?? nil }?.0
        for no in [input.campaignNo.value, template?.campaignNo].compactMap({ $0 }) { self.campaigns[no] = false }
        let contact = contactNo.flatMap { self.contacts[$0] ?? nil }
        for code in [input.languageCode.value, contact?.languageCode, template?.languageCodeDefault].compactMap({ $0 })
        {
            self.languages[code] = false
        }
        for code in answers[2] {
            let key = try code.decode(String.self, at: 1)
            switch try code.decode(String.self, at: 0) {
            case "salesperson":
                self.salespeople[key] = Salesperson(
                    blocked: try code.decode(Bool.self, at: 2),
                    name: try code.decode(String?.self, at: 3)
                )
            case "campaign": self.campaigns[key] = true
            default: self.languages[key] = true
            }
        }
    }

    /// The contact's and the template's columns in the first statement (built once, not per command).
    private static let contactColumns = InteractionLookups.contactColumns("c", prefix: "c_")
    private static let templateColumns = InteractionLookups.templateColumns("t", prefix: "t_")

    /// The statements `init` sends (for reading them ahead): one row of everything single (clock, drawn
    /// numbers, the contact, the template), the template's language rows, the codes to check, and the
    /// alternative address.
    static func statements(input: InteractionInput, actor: ActingUser, newEntry: Bool, uploads: Bool) -> [PGQuery] {
        let contactNo = input.contactNo.value
        let templateCode = input.templateCode.value
        let date = input.date.value
        return [
            """
            SELECT CURRENT_DATE, extract(hour FROM LOCALTIME)::int, extract(minute FROM LOCALTIME)::int,
                   extract(microseconds FROM LOCALTIME)::bigint,
                   (SELECT max_attachment_bytes FROM marketing_setup) AS max_attachment_bytes,
                   CASE WHEN \(newEntry) THEN nextval(pg_get_serial_sequence('interaction_log_entries', 'entry_no'))
                   END AS drawn_entry_no,
                   CASE WHEN \(uploads) OR EXISTS (SELECT 1 FROM interaction_template_languages
                                                   WHERE template_code = \(templateCode)
                                                     AND (attachment_no IS NOT NULL
                                                          OR custom_layout_content IS NOT NULL))
                        THEN nextval(pg_get_serial_sequence('attachments', 'no')) END AS drawn_attachment_no,
                   (SELECT full_name FROM users WHERE user_id = \(actor.userID)) AS user_full_name,
                   \(unescaped: Self.contactColumns),
                   \(unescaped: Self.templateColumns)
            FROM (SELECT 1) one
            LEFT JOIN contacts c ON c.no = \(contactNo)
            LEFT JOIN interaction_templates t ON t.code = \(templateCode)
            """,
            InteractionLookups.templateLanguagesQuery(templateCode ?? ""),
            """
            SELECT 'salesperson' AS kind, code, blocked, name FROM salespeople
            WHERE code = ANY (ARRAY[\(input.salespersonCode.value), \(actor.salespersonCode),
                                    (SELECT salesperson_code FROM contacts WHERE no = \(contactNo))])
            UNION ALL
            SELECT 'campaign', no, NULL, NULL FROM campaigns
            WHERE no = ANY (ARRAY[\(input.campaignNo.value),
                                  (SELECT campaign_no FROM interaction_templates WHERE code = \(templateCode))])
            UNION ALL
            SELECT 'language', code, NULL, NULL FROM languages
            WHERE code = ANY (ARRAY[\(input.languageCode.value),
                                    (SELECT language_code FROM contacts WHERE no = \(contactNo)),
                                    (SELECT language_code_default FROM interaction_templates
                                     WHERE code = \(templateCode))])
            """,
            InteractionLookups.altAddressQuery(contactNo: contactNo ?? "", date: date),
        ]
    }

    func contact(_ no: String) throws -> InteractionContact? {
        if let known = self.contacts[no] { return known }
        let contact = try InteractionLookups.contact(self.connection, no)
        self.contacts.updateValue(contact, forKey: no)
        return contact
    }

    func template(_ code: String) throws -> (InteractionTemplateDefaults, [InteractionLanguageRowWithAttachment])? {
        if let known = self.templates[code] { return known }
        let template = try InteractionLookups.template(self.connection, code)
        self.templates.updateValue(template, forKey: code)
        return template
    }

    /// Whether the salesperson is blocked; nil when it does not exist.
    func salespersonBlocked(_ code: String) throws -> Bool? {
        try self.salesperson(code)?.blocked
    }

    func salesperson(_ code: String) throws -> Salesperson? {
        if let known = self.salespeople[code] { return known }
        let salesperson = try self.connection.query("SELECT blocked, name FROM salespeople WHERE code = \(code)").first
            .map { Salesperson(blocked: try $0.decode(Bool.self, at: 0), name: try $0.decode(String?.self, at: 1)) }
        self.salespeople.updateValue(salesperson, forKey: code)
        return salesperson
    }

    /// A contact's name (read with the contact, or now).
    func contactName(_ no: String) throws -> String? {
        if let known = self.contactNames[no] { return known }
        let name = try self.connection.query("SELECT name FROM contacts WHERE no = \(no)").first?
            .decode(String?.self, at: 0)
        self.contactNames.updateValue(name, forKey: no)
        return name
    }

    func campaignExists(_ no: String) throws -> Bool {
        if let known = self.campaigns[no] { return known }
        let exists = try InteractionLookups.campaignExists(self.connection, no)
        self.campaigns[no] = exists
        return exists
    }

    func languageExists(_ code: String) throws -> Bool {
        if let known = self.languages[code] { return known }
        let exists = try InteractionLookups.languageExists(self.connection, code)
        self.languages[code] = exists
        return exists
    }

    func activeAltAddress(contactNo: String, date: CalendarDate) throws -> (code: String, email: String?)? {
        let key = AltAddressKey(contactNo: contactNo, date: date)
        if let known = self.altAddresses[key] { return known }
        let address = try InteractionLookups.activeAltAddress(self.connection, contactNo: contactNo, date: date)
        self.altAddresses.updateValue(address, forKey: key)
        return address
    }

    /// The entry as it is written (what LOG-SHOW will read back), from the draft, the writer's extras and
    /// the names these reads know; a resumed entry keeps the fields the guide does not write.
    func entryAsWritten(
        entryNo: Int64,
        draft: InteractionDraft,
        extras: InteractionWriter.EntryExtras,
        template: InteractionTemplateDefaults?,
        contactNo: String,
        hasComments: Bool,
        resumed: InteractionLogEntry?
    ) throws -> InteractionLogEntry {
        let contactName = try self.contactName(contactNo)
        return InteractionLogEntry(
            entryNo: entryNo,
            draft: draft,
            contactCompanyNo: extras.contactCompanyNo,
            contactName: contactName,
            contactCompanyName: try extras.contactCompanyNo.flatMap(self.contactName),
            attachmentNo: extras.attachmentNo,
            userID: extras.userID,
            campaignEntryNo: extras.campaignEntryNo,
            segmentNo: resumed?.segmentNo,
            loggedSegmentEntryNo: resumed?.loggedSegmentEntryNo,
            deliveryStatus: extras.deliveryStatus,
            canceled: resumed?.canceled ?? false,
            postponed: extras.postponed,
            contactAltAddressCode: extras.contactAltAddressCode,
            emailLogged: resumed?.emailLogged ?? false,
            merged: resumed?.merged ?? false,
            hasComments: hasComments,
            title: LogEntryTitle.title(
                templateDescription: template?.description,
                templateFlow: template?.informationFlow,
                salespersonName: try draft.salespersonCode.flatMap { try self.salesperson($0)?.name },
                userFullName: self.userFullName,
                contactName: contactName
            )
        )
    }

    /// The attachment number drawn in the first round trip, once; later calls draw none.
    func takeAttachmentNo() -> Int64? {
        defer { self.attachmentNo = nil }
        return self.attachmentNo
    }
}
