import RapportModel
import RapportProtocol
import RapportStore

/// CONTACT-ADD, -SET, -SHOW, -LIST, -DELETE.
enum ContactCommands {
    static let contact = RequiredArgument.positional("contact", .code(maxLength: 20), "Contact number.")
    static let newContact = OptionalArgument.named(
        "contact",
        .code(maxLength: 20),
        "Contact number; omitted, the next of the setup's contact series."
    )
    static let newName = RequiredArgument.named("name", .text(maxLength: 100), "Name.")
    static let name = OptionalArgument.named("name", .text(maxLength: 100), "Name (it cannot be blank).")
    static let type = OptionalArgument.named(
        "type",
        .oneOf(ContactType.self),
        "Company or person (new contacts: company)."
    )
    static let company = ChangeArgument.named(
        "company",
        .code(maxLength: 20),
        "For a person: the company contact it belongs to."
    )
    static let salesperson = ChangeArgument.named(
        "salesperson",
        .code(maxLength: 20),
        "Salesperson responsible (new contacts: setup default)."
    )
    static let language = ChangeArgument.named(
        "language",
        .code(maxLength: 10),
        "Language code (new contacts: setup default)."
    )
    static let correspondenceType = ChangeArgument.named(
        "correspondence-type",
        .oneOf(CorrespondenceType.self),
        "Preferred delivery channel (new contacts: setup default)."
    )
    static let email = ChangeArgument.named("email", .text(maxLength: 80), "E-mail address.")
    static let phone = ChangeArgument.named("phone", .text(maxLength: 30), "Phone number.")
    static let mobilePhone = ChangeArgument.named("mobile-phone", .text(maxLength: 30), "Mobile phone number.")
    static let address = ChangeArgument.named("address", .text(maxLength: 100), "Address.")
    static let address2 = ChangeArgument.named("address-2", .text(maxLength: 50), "Address, second line.")
    static let city = ChangeArgument.named("city", .text(maxLength: 30), "City.")
    static let postCode = ChangeArgument.named("post-code", .code(maxLength: 20), "Post code.")
    static let county = ChangeArgument.named("county", .text(maxLength: 30), "County.")
    static let country = ChangeArgument.named("country", .code(maxLength: 10), "Country/region code.")
    static let territory = ChangeArgument.named("territory", .code(maxLength: 10), "Territory code.")
    static let excludeFromSegment = OptionalArgument.named(
        "exclude-from-segment",
        .bool,
        "Segments skip the contact unless told to ignore exclusions (new: false)."
    )
    static let privacyBlocked = OptionalArgument.named("privacy-blocked", .bool, "Blocked due to privacy (new: false).")

    static let fields = [
        type.spec, company.spec, salesperson.spec, language.spec, correspondenceType.spec, email.spec, phone.spec,
        mobilePhone.spec, address.spec, address2.spec, city.spec, postCode.spec, county.spec, country.spec,
        territory.spec, excludeFromSegment.spec, privacyBlocked.spec,
    ]

    // CONTACT-LIST's filters.
    static let ofType = OptionalArgument.named("type", .oneOf(ContactType.self), "Only companies or only persons.")
    static let ofCompany = OptionalArgument.named("company", .code(maxLength: 20), "Only the persons of this company.")
    static let ofSalesperson = OptionalArgument.named(
        "salesperson",
        .code(maxLength: 20),
        "Only contacts of this salesperson."
    )
    static let ofLanguage = OptionalArgument.named(
        "language",
        .code(maxLength: 10),
        "Only contacts with this language."
    )
    static let namePrefix = OptionalArgument.named(
        "name",
        .text(maxLength: 100),
        "Only names starting with this text (any letter case)."
    )
    static let ofPostCode = OptionalArgument.named("post-code", .code(maxLength: 20), "Only this post code.")
    static let ofCountry = OptionalArgument.named("country", .code(maxLength: 10), "Only this country/region.")
    static let ofTerritory = OptionalArgument.named("territory", .code(maxLength: 10), "Only this territory.")
    static let withExclusion = OptionalArgument.named("exclude-from-segment", .bool, "Only contacts with this flag.")
    static let withPrivacyBlock = OptionalArgument.named("privacy-blocked", .bool, "Only contacts with this flag.")

    static let columns = [
        ResultColumn("contact", .code), ResultColumn("type", .enumeration), ResultColumn("name", .text),
        ResultColumn("company", .code), ResultColumn("salesperson", .code), ResultColumn("language", .code),
        ResultColumn("correspondence-type", .enumeration), ResultColumn("email", .text),
        ResultColumn("phone", .text), ResultColumn("mobile-phone", .text), ResultColumn("address", .text),
        ResultColumn("address-2", .text), ResultColumn("city", .text), ResultColumn("post-code", .code),
        ResultColumn("county", .text), ResultColumn("country", .code), ResultColumn("territory", .code),
        ResultColumn("exclude-from-segment", .bool), ResultColumn("privacy-blocked", .bool),
    ]

    static let add = MasterDataCommand.write(
        CommandSpec(
            name: "CONTACT-ADD",
            summary: "Create a contact: a company, or a person who may belong to a company.",
            arguments: [newContact.spec, newName.spec] + fields,
            requiredRole: .salesperson,
            help: """
                Without contact=, the number comes from the marketing setup's contact series (SETUP-MARKETING \
                contact-nos=); a typed number needs a series that allows manual numbers, or none. Blank \
                correspondence type, salesperson and language take the marketing setup's defaults.
                """,
            example: [
                "CONTACT-ADD name=\"Ann Lee\" type=person company=CT000001 email=ann@acme.example idem=c-17",
                "* contact=CT000002 type=person name=\"Ann Lee\" company=CT000001 salesperson=AH language= "
                    + "correspondence-type=email email=ann@acme.example phone= mobile-phone= address= address-2= "
                    + "city= post-code= county= country= territory= exclude-from-segment=false privacy-blocked=false",
                "OK contact CT000002 created",
            ],
            results: columns
        ).idempotent()
    ) { invocation, _, connection in
        let arguments = invocation.arguments
        let changes = Self.changes(arguments)
        let typed = arguments[Self.newContact]
        var contact = Contact(no: typed ?? "", type: changes.type ?? .company, name: arguments[Self.newName])
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
        let created = try ContactStore.create(connection, contact, numbered: typed == nil)
        return .ok("contact \(created.no) created", [line(created)])
    }

    static let set = MasterDataCommand.write(
        CommandSpec(
            name: "CONTACT-SET",
            summary: "Change a contact; absent fields stay, an empty value blanks one.",
            arguments: [contact.spec, name.spec] + fields,
            requiredRole: .salesperson,
            help: """
                Type and company cannot change while interaction log entries are linked to the contact, nor the \
                company while the contact is on a segment. A contact that becomes a company loses its company.
                """,
            example: [
                "CONTACT-SET CT000002 phone=\"+44 20 7946 0001\" salesperson=",
                "* contact=CT000002 type=person name=\"Ann Lee\" company=CT000001 salesperson= language= "
                    + "correspondence-type=email email=ann@acme.example phone=\"+44 20 7946 0001\" mobile-phone= "
                    + "address= address-2= city= post-code= county= country= territory= exclude-from-segment=false "
                    + "privacy-blocked=false",
                "OK contact CT000002 changed",
            ],
            results: columns
        ).idempotent()
    ) { invocation, _, connection in
        var changes = Self.changes(invocation.arguments)
        changes.name = invocation.arguments[Self.name]
        let updated = try ContactStore.update(connection, invocation.arguments[Self.contact], changes)
        return .ok("contact \(updated.no) changed", [line(updated)])
    }

    static let show = MasterDataCommand.read(
        CommandSpec(
            name: "CONTACT-SHOW",
            summary: "Show one contact.",
            arguments: [contact.spec],
            requiredRole: .salesperson,
            help: "Every field is on the data line, blank ones as key=.",
            example: [
                "CONTACT-SHOW CT000001",
                "* contact=CT000001 type=company name=\"Acme Ltd\" company= salesperson=AH language= "
                    + "correspondence-type=email email=info@acme.example phone= mobile-phone= address= address-2= "
                    + "city=London post-code= county= country=GB territory= exclude-from-segment=false "
                    + "privacy-blocked=false",
                "OK",
            ],
            results: columns
        )
    ) { invocation, _, connection in
        let no = invocation.arguments[Self.contact]
        guard let contact = try ContactStore.get(connection, no) else {
            throw CommandError(.notFound, "Contact \(no) does not exist")
        }
        return .ok("", [line(contact)])
    }

    static let list = MasterDataCommand.list(
        CommandSpec(
            name: "CONTACT-LIST",
            summary: "List contacts in number order, filtered, one page at a time.",
            arguments: [
                ofType.spec, ofCompany.spec, ofSalesperson.spec, ofLanguage.spec, namePrefix.spec, ofPostCode.spec,
                ofCountry.spec, ofTerritory.spec, withExclusion.spec, withPrivacyBlock.spec,
            ] + Paging.arguments("contacts"),
            requiredRole: .salesperson,
            help: "In number order; the filters stay the same from page to page.",
            example: [
                "CONTACT-LIST type=person company=CT000001 limit=2",
                "* contact=CT000002 type=person name=\"Ann Lee\" company=CT000001 salesperson= language= "
                    + "correspondence-type= email= phone= mobile-phone= address= address-2= city= post-code= "
                    + "county= country= territory= exclude-from-segment=false privacy-blocked=false",
                "* contact=CT000005 type=person name=\"Bo Ma\" company=CT000001 salesperson= language= "
                    + "correspondence-type= email= phone= mobile-phone= address= address-2= city= post-code= "
                    + "county= country= territory= exclude-from-segment=false privacy-blocked=false",
                "OK 2 contacts next=CT000005",
            ],
            results: columns
        ),
        keys: [.code(maxLength: 20)]
    ) { invocation, _, connection, page in
        let arguments = invocation.arguments
        var filter = ContactFilter()
        filter.type = arguments[Self.ofType]
        filter.companyNo = arguments[Self.ofCompany]
        filter.salespersonCode = arguments[Self.ofSalesperson]
        filter.languageCode = arguments[Self.ofLanguage]
        filter.namePrefix = arguments[Self.namePrefix]
        filter.postCode = arguments[Self.ofPostCode]
        filter.countryCode = arguments[Self.ofCountry]
        filter.territoryCode = arguments[Self.ofTerritory]
        filter.excludeFromSegment = arguments[Self.withExclusion]
        filter.privacyBlocked = arguments[Self.withPrivacyBlock]
        filter.after = page.code(0)
        filter.limit = page.fetch
        let contacts = try ContactStore.list(connection, filter)
        return Paging.reply(contacts, page, noun: "contact", key: { [$0.no] }, line: line)
    }

    static let delete = MasterDataCommand.write(
        CommandSpec(
            name: "CONTACT-DELETE",
            summary: "Delete a contact that is on no segment.",
            arguments: [contact.spec],
            requiredRole: .manager,
            help: """
                A person's interaction log entries move to its company; a company's entries stay without \
                contact and company. A company with persons is not deleted.
                """,
            example: ["CONTACT-DELETE CT000002", "OK contact CT000002 deleted"]
        ).idempotent()
    ) { invocation, _, connection in
        let no = invocation.arguments[Self.contact]
        try ContactStore.delete(connection, no)
        return .ok("contact \(no) deleted")
    }

    static let all = [add, set, show, list, delete]
    static var specs: [CommandSpec] { all.map(\.spec) }
    static func make(_ context: ServerContext) -> [Command] { all }

    /// The contact fields a request gives (shared by ADD and SET).
    static func changes(_ arguments: BoundArguments) -> ContactChanges {
        var changes = ContactChanges()
        changes.type = arguments[Self.type]
        changes.companyNo = arguments[Self.company].update
        changes.salespersonCode = arguments[Self.salesperson].update
        changes.languageCode = arguments[Self.language].update
        changes.correspondenceType = arguments[Self.correspondenceType].update
        changes.email = arguments[Self.email].update
        changes.phoneNo = arguments[Self.phone].update
        changes.mobilePhoneNo = arguments[Self.mobilePhone].update
        changes.address = arguments[Self.address].update
        changes.address2 = arguments[Self.address2].update
        changes.city = arguments[Self.city].update
        changes.postCode = arguments[Self.postCode].update
        changes.county = arguments[Self.county].update
        changes.countryCode = arguments[Self.country].update
        changes.territoryCode = arguments[Self.territory].update
        changes.excludeFromSegment = arguments[Self.excludeFromSegment]
        changes.privacyBlocked = arguments[Self.privacyBlocked]
        return changes
    }

    static func line(_ contact: Contact) -> DataLine {
        .shaped(
            columns,
            [
                "contact": contact.no, "type": contact.type.rawValue, "name": contact.name,
                "company": contact.companyNo, "salesperson": contact.salespersonCode, "language": contact.languageCode,
                "correspondence-type": contact.correspondenceType?.rawValue, "email": contact.email,
                "phone": contact.phoneNo, "mobile-phone": contact.mobilePhoneNo, "address": contact.address,
                "address-2": contact.address2, "city": contact.city, "post-code": contact.postCode,
                "county": contact.county, "country": contact.countryCode, "territory": contact.territoryCode,
                "exclude-from-segment": String(contact.excludeFromSegment),
                "privacy-blocked": String(contact.privacyBlocked),
            ]
        )
    }
}
