import RapportModel
import RapportProtocol
import RapportStore

/// CONTACT-ADD, -SET, -SHOW, -LIST, -DELETE.
enum ContactCommands {
    typealias A = MasterDataArguments

    static let no = A.positional("no", .code(maxLength: 20), "Contact number.")
    static let fields: [ArgumentSpec] = [
        A.named("type", .enumeration(["company", "person"]), "Company or person (new contacts: company)."),
        A.named("company", .code(maxLength: 20), "For a person: the company contact it belongs to."),
        A.named("salesperson", .code(maxLength: 20), "Salesperson responsible (new contacts: setup default)."),
        A.named("language", .code(maxLength: 10), "Language code (new contacts: setup default)."),
        A.named(
            "correspondence-type",
            .enumeration(A.correspondenceTypes),
            "Preferred delivery channel (new contacts: setup default)."
        ),
        A.named("email", .text(maxLength: 80), "E-mail address."),
        A.named("phone", .text(maxLength: 30), "Phone number."),
        A.named("mobile-phone", .text(maxLength: 30), "Mobile phone number."),
        A.named("address", .text(maxLength: 100), "Address."),
        A.named("address-2", .text(maxLength: 50), "Address, second line."),
        A.named("city", .text(maxLength: 30), "City."),
        A.named("post-code", .code(maxLength: 20), "Post code."),
        A.named("county", .text(maxLength: 30), "County."),
        A.named("country", .code(maxLength: 10), "Country/region code."),
        A.named("territory", .code(maxLength: 10), "Territory code."),
        A.named("exclude-from-segment", .bool, "Segments skip the contact unless told to ignore exclusions."),
        A.named("privacy-blocked", .bool, "Blocked due to privacy."),
    ]
    static let clearable = [
        "company", "salesperson", "language", "correspondence-type", "email", "phone", "mobile-phone", "address",
        "address-2", "city", "post-code", "county", "country", "territory",
    ]

    static let specs: [CommandSpec] = [
        CommandSpec(
            name: "CONTACT-ADD",
            summary: "Create a contact: a company, or a person who may belong to a company.",
            arguments: [
                A.named("no", .code(maxLength: 20), "Contact number; omitted, the next of the setup's contact series."),
                A.named("name", .text(maxLength: 100), "Name.", required: true),
            ] + fields,
            requiredRole: .salesperson,
            help: """
                Without no=, the number comes from the marketing setup's contact series (SETUP-MARKETING \
                contact-nos=); a typed number needs a series that allows manual numbers, or none. Blank \
                correspondence type, salesperson and language take the marketing setup's defaults.
                """,
            example: [
                "CONTACT-ADD name=\"Ann Lee\" type=person company=CT000001 email=ann@acme.example idem=c-17",
                "* no=CT000002 type=person name=\"Ann Lee\" company=CT000001 salesperson=AH "
                    + "correspondence-type=email email=ann@acme.example exclude-from-segment=false "
                    + "privacy-blocked=false",
                "OK contact CT000002 created",
            ]
        ).idempotent(),
        CommandSpec(
            name: "CONTACT-SET",
            summary: "Change a contact; absent fields stay, an empty text or clear= blanks a field.",
            arguments: [no, A.named("name", .text(maxLength: 100), "Name.")] + fields + [A.clear(clearable)],
            requiredRole: .salesperson,
            help: """
                Type and company cannot change while interaction log entries are linked to the contact, nor the \
                company while the contact is on a segment. A contact that becomes a company loses its company.
                """,
            example: [
                "CONTACT-SET CT000002 phone=\"+44 20 7946 0001\" clear=salesperson",
                "* no=CT000002 type=person name=\"Ann Lee\" company=CT000001 correspondence-type=email "
                    + "email=ann@acme.example phone=\"+44 20 7946 0001\" exclude-from-segment=false "
                    + "privacy-blocked=false",
                "OK contact CT000002 changed",
            ]
        ).idempotent(),
        CommandSpec(
            name: "CONTACT-SHOW",
            summary: "Show one contact.",
            arguments: [no],
            requiredRole: .salesperson,
            help: "Blank fields are left out of the data line.",
            example: [
                "CONTACT-SHOW CT000001",
                "* no=CT000001 type=company name=\"Acme Ltd\" salesperson=AH correspondence-type=email "
                    + "email=info@acme.example city=London country=GB exclude-from-segment=false privacy-blocked=false",
                "OK",
            ]
        ),
        CommandSpec(
            name: "CONTACT-LIST",
            summary: "List contacts in number order, filtered, one page at a time.",
            arguments: [
                A.named("type", .enumeration(["company", "person"]), "Only companies or only persons."),
                A.named("company", .code(maxLength: 20), "Only the persons of this company."),
                A.named("salesperson", .code(maxLength: 20), "Only contacts of this salesperson."),
                A.named("language", .code(maxLength: 10), "Only contacts with this language."),
                A.named("name", .text(maxLength: 100), "Only names starting with this text (any letter case)."),
                A.named("post-code", .code(maxLength: 20), "Only this post code."),
                A.named("country", .code(maxLength: 10), "Only this country/region."),
                A.named("territory", .code(maxLength: 10), "Only this territory."),
                A.named("exclude-from-segment", .bool, "Only contacts with this flag."),
                A.named("privacy-blocked", .bool, "Only contacts with this flag."),
            ] + Paging.arguments("contacts"),
            requiredRole: .salesperson,
            help: "In number order; the filters stay the same from page to page.",
            example: [
                "CONTACT-LIST type=person company=CT000001 limit=2",
                "* no=CT000002 type=person name=\"Ann Lee\" company=CT000001 exclude-from-segment=false "
                    + "privacy-blocked=false",
                "* no=CT000005 type=person name=\"Bo Ma\" company=CT000001 exclude-from-segment=false "
                    + "privacy-blocked=false",
                "OK 2 contacts next=CT000005",
            ]
        ),
        CommandSpec(
            name: "CONTACT-DELETE",
            summary: "Delete a contact that is on no segment.",
            arguments: [no],
            requiredRole: .manager,
            help: """
                A person's interaction log entries move to its company; a company's entries stay without \
                contact and company. A company with persons is not deleted.
                """,
            example: ["CONTACT-DELETE CT000002", "OK contact CT000002 deleted"]
        ).idempotent(),
    ]

    static func make(_ context: ServerContext) -> [Command] {
        [
            MasterDataCommand.write(context, specs[0]) { invocation, _, connection in
                let input = try MasterDataInput(invocation)
                let changes = Self.changes(input)
                var contact = Contact(
                    no: input.arguments.code("no") ?? "",
                    type: changes.type ?? .company,
                    name: input.arguments.text("name")!
                )
                Self.apply(changes, to: &contact)
                let created = try ContactStore.create(connection, contact, numbered: !input.arguments.contains("no"))
                return .ok("contact \(created.no) created", [line(created)])
            },
            MasterDataCommand.write(context, specs[1]) { invocation, _, connection in
                let input = try MasterDataInput(invocation, clearable: clearable)
                var changes = Self.changes(input)
                changes.name = input.arguments.text("name")
                let updated = try ContactStore.update(connection, input.arguments.code("no")!, changes)
                return .ok("contact \(updated.no) changed", [line(updated)])
            },
            MasterDataCommand.read(context, specs[2]) { invocation, _, connection in
                let no = invocation.arguments.code("no")!
                guard let contact = try ContactStore.get(connection, no) else {
                    throw CommandError(.notFound, "Contact \(no) does not exist")
                }
                return .ok("", [line(contact)])
            },
            MasterDataCommand.list(context, specs[3], keys: [.code(maxLength: 20)]) { invocation, _, connection, page in
                let arguments = invocation.arguments
                var filter = ContactFilter()
                filter.type = arguments.enumeration("type").flatMap(ContactType.init)
                filter.companyNo = arguments.code("company")
                filter.salespersonCode = arguments.code("salesperson")
                filter.languageCode = arguments.code("language")
                filter.namePrefix = arguments.text("name")
                filter.postCode = arguments.code("post-code")
                filter.countryCode = arguments.code("country")
                filter.territoryCode = arguments.code("territory")
                filter.excludeFromSegment = arguments.bool("exclude-from-segment")
                filter.privacyBlocked = arguments.bool("privacy-blocked")
                filter.after = page.code(0)
                filter.limit = page.fetch
                let contacts = try ContactStore.list(connection, filter)
                return Paging.reply(contacts, page, noun: "contact", key: { [$0.no] }, line: line)
            },
            MasterDataCommand.write(context, specs[4]) { invocation, _, connection in
                let no = invocation.arguments.code("no")!
                try ContactStore.delete(connection, no)
                return .ok("contact \(no) deleted")
            },
        ]
    }

    /// The contact fields a request gives (shared by ADD and SET).
    static func changes(_ input: MasterDataInput) -> ContactChanges {
        var changes = ContactChanges()
        changes.type = input.arguments.enumeration("type").flatMap(ContactType.init)
        changes.companyNo = input.code("company")
        changes.salespersonCode = input.code("salesperson")
        changes.languageCode = input.code("language")
        changes.correspondenceType = input.enumeration("correspondence-type", CorrespondenceType.self)
        changes.email = input.text("email")
        changes.phoneNo = input.text("phone")
        changes.mobilePhoneNo = input.text("mobile-phone")
        changes.address = input.text("address")
        changes.address2 = input.text("address-2")
        changes.city = input.text("city")
        changes.postCode = input.code("post-code")
        changes.county = input.text("county")
        changes.countryCode = input.code("country")
        changes.territoryCode = input.code("territory")
        changes.excludeFromSegment = input.bool("exclude-from-segment")
        changes.privacyBlocked = input.bool("privacy-blocked")
        return changes
    }

    /// A new contact's fields from the given ones.
    static func apply(_ changes: ContactChanges, to contact: inout Contact) {
        contact.companyNo = changes.companyNo ?? nil
        contact.salespersonCode = changes.salespersonCode ?? nil
        contact.languageCode = changes.languageCode ?? nil
        contact.correspondenceType = changes.correspondenceType ?? nil
        contact.email = changes.email ?? nil
        contact.phoneNo = changes.phoneNo ?? nil
        contact.mobilePhoneNo = changes.mobilePhoneNo ?? nil
        contact.address = changes.address ?? nil
        contact.address2 = changes.address2 ?? nil
        contact.city = changes.city ?? nil
        contact.postCode = changes.postCode ?? nil
        contact.county = changes.county ?? nil
        contact.countryCode = changes.countryCode ?? nil
        contact.territoryCode = changes.territoryCode ?? nil
        contact.excludeFromSegment = changes.excludeFromSegment ?? false
        contact.privacyBlocked = changes.privacyBlocked ?? false
    }

    static func line(_ contact: Contact) -> DataLine {
        .named([
            "no": contact.no, "type": contact.type.rawValue, "name": contact.name, "company": contact.companyNo,
            "salesperson": contact.salespersonCode, "language": contact.languageCode,
            "correspondence-type": contact.correspondenceType?.rawValue, "email": contact.email,
            "phone": contact.phoneNo, "mobile-phone": contact.mobilePhoneNo, "address": contact.address,
            "address-2": contact.address2, "city": contact.city, "post-code": contact.postCode,
            "county": contact.county, "country": contact.countryCode, "territory": contact.territoryCode,
            "exclude-from-segment": String(contact.excludeFromSegment),
            "privacy-blocked": String(contact.privacyBlocked),
        ])
    }
}
