import RapportModel
import RapportProtocol
import RapportStore

/// CONTACT-ALT-ADDRESS-ADD, -SET, -LIST, -DELETE: a contact's alternative addresses with date ranges.
enum AltAddressCommands {
    static let contact = RequiredArgument.positional("contact", .code(maxLength: 20), "Contact No.")
    static let code = RequiredArgument.positional("alt-address", .code(maxLength: 10), "Alternative address code.")
    static let companyName = ChangeArgument.named("company-name", .text(maxLength: 100), "Company name.")
    static let address = ChangeArgument.named("address", .text(maxLength: 100), "Address.")
    static let address2 = ChangeArgument.named("address-2", .text(maxLength: 50), "Address, second line.")
    static let city = ChangeArgument.named("city", .text(maxLength: 30), "City.")
    static let postCode = ChangeArgument.named("post-code", .code(maxLength: 20), "Post code.")
    static let county = ChangeArgument.named("county", .text(maxLength: 30), "County.")
    static let country = ChangeArgument.named("country", .code(maxLength: 10), "Country/region code.")
    static let email = ChangeArgument.named("email", .text(maxLength: 80), "E-mail address; delivery uses it.")
    static let phone = ChangeArgument.named("phone", .text(maxLength: 30), "Phone number.")
    static let startingDate = ChangeArgument.named(
        "starting-date",
        .date,
        "First day the address is active; blank: open."
    )
    static let endingDate = ChangeArgument.named("ending-date", .date, "Last day the address is active; blank: open.")
    static let fields = [
        companyName.spec, address.spec, address2.spec, city.spec, postCode.spec, county.spec, country.spec,
        email.spec, phone.spec, startingDate.spec, endingDate.spec,
    ]

    static let columns = [
        ResultColumn("contact", .code), ResultColumn("alt-address", .code), ResultColumn("company-name", .text),
        ResultColumn("address", .text), ResultColumn("address-2", .text), ResultColumn("city", .text),
        ResultColumn("post-code", .code), ResultColumn("county", .text), ResultColumn("country", .code),
        ResultColumn("email", .text), ResultColumn("phone", .text), ResultColumn("starting-date", .date),
        ResultColumn("ending-date", .date),
    ]

    static func line(_ a: AltAddress) -> DataLine {
        .shaped(
            Self.columns,
            [
                "contact": a.contactNo, "alt-address": a.code, "company-name": a.companyName, "address": a.address,
                "address-2": a.address2, "city": a.city, "post-code": a.postCode, "county": a.county,
                "country": a.countryCode, "email": a.email, "phone": a.phoneNo,
                "starting-date": a.startingDate?.description, "ending-date": a.endingDate?.description,
            ]
        )
    }

    static let exampleLine =
        "* contact=CT000001 alt-address=SUMMER company-name= address=\"1 Beach Road\" address-2= city=Brighton "
        + "post-code= county= country=GB email=summer@acme.example phone= starting-date=2025-06-01 "
        + "ending-date=2025-08-31"

    static func changes(_ arguments: BoundArguments) -> AltAddressChanges {
        var c = AltAddressChanges()
        c.companyName = arguments[Self.companyName].update
        c.address = arguments[Self.address].update
        c.address2 = arguments[Self.address2].update
        c.city = arguments[Self.city].update
        c.postCode = arguments[Self.postCode].update
        c.county = arguments[Self.county].update
        c.countryCode = arguments[Self.country].update
        c.email = arguments[Self.email].update
        c.phoneNo = arguments[Self.phone].update
        c.startingDate = arguments[Self.startingDate].update
        c.endingDate = arguments[Self.endingDate].update
        return c
    }

    static let add = MasterDataCommand.write(
        CommandSpec(
            name: "CONTACT-ALT-ADDRESS-ADD",
            summary: "Give a contact an alternative address, active in a date range.",
            arguments: [contact.spec, code.spec] + fields,
            requiredRole: .salesperson,
            help: """
                The date ranges of one contact's alternative addresses must not overlap. Interactions and \
                segment lines dated in the range take the address, and e-mail delivery goes to its e-mail \
                when it has one.
                """,
            example: [
                "CONTACT-ALT-ADDRESS-ADD CT000001 SUMMER address=\"1 Beach Road\" city=Brighton country=GB "
                    + "email=summer@acme.example starting-date=2025-06-01 ending-date=2025-08-31 idem=a-1",
                Self.exampleLine, "OK alternative address SUMMER of contact CT000001 created",
            ],
            results: columns
        ).idempotent()
    ) { invocation, _, connection in
        let arguments = invocation.arguments
        var address = AltAddress(contactNo: arguments[Self.contact], code: arguments[Self.code])
        Self.changes(arguments).apply(to: &address)
        let created = try AltAddressStore.add(connection, address)
        return .ok("alternative address \(created.code) of contact \(created.contactNo) created", [line(created)])
    }

    static let set = MasterDataCommand.write(
        CommandSpec(
            name: "CONTACT-ALT-ADDRESS-SET",
            summary: "Change an alternative address; absent fields stay, an empty value blanks one.",
            arguments: [contact.spec, code.spec] + fields,
            requiredRole: .salesperson,
            help: "Entries already logged keep the address they were logged with.",
            example: [
                "CONTACT-ALT-ADDRESS-SET CT000001 SUMMER ending-date=2025-08-31", Self.exampleLine,
                "OK alternative address SUMMER of contact CT000001 changed",
            ],
            results: columns
        ).idempotent()
    ) { invocation, _, connection in
        let arguments = invocation.arguments
        let updated = try AltAddressStore.update(
            connection,
            contactNo: arguments[Self.contact],
            code: arguments[Self.code],
            Self.changes(arguments)
        )
        return .ok("alternative address \(updated.code) of contact \(updated.contactNo) changed", [line(updated)])
    }

    static let list = MasterDataCommand.list(
        CommandSpec(
            name: "CONTACT-ALT-ADDRESS-LIST",
            summary: "List a contact's alternative addresses.",
            arguments: [contact.spec] + Paging.arguments("alternative addresses"),
            requiredRole: .salesperson,
            help: "In code order.",
            example: [
                "CONTACT-ALT-ADDRESS-LIST CT000001", Self.exampleLine, "OK 1 alternative address total=1",
            ],
            results: columns
        ),
        keys: [.code(maxLength: 10)]
    ) { invocation, _, connection, page in
        let contact = invocation.arguments[Self.contact]
        let rows = try AltAddressStore.list(connection, contactNo: contact, after: page.code(0), limit: page.fetch)
        let total = try AltAddressStore.count(connection, contactNo: contact)
        return Paging.reply(
            rows,
            page,
            noun: "alternative address",
            plural: "alternative addresses",
            total: total,
            key: { [$0.code] },
            line: line
        )
    }

    static let delete = MasterDataCommand.write(
        CommandSpec(
            name: "CONTACT-ALT-ADDRESS-DELETE",
            summary: "Delete an alternative address.",
            arguments: [contact.spec, code.spec],
            requiredRole: .salesperson,
            help: "Segment lines not yet logged lose it; logged entries keep its code.",
            example: [
                "CONTACT-ALT-ADDRESS-DELETE CT000001 SUMMER idem=a-2",
                "OK alternative address SUMMER of contact CT000001 deleted",
            ]
        ).idempotent()
    ) { invocation, _, connection in
        let arguments = invocation.arguments
        let (contact, code) = (arguments[Self.contact], arguments[Self.code])
        _ = try AltAddressStore.delete(connection, contactNo: contact, code: code)
        return .ok("alternative address \(code) of contact \(contact) deleted")
    }

    static let all = [add, set, list, delete]
    static var specs: [CommandSpec] { all.map(\.spec) }
    static func make(_ context: ServerContext) -> [Command] { all }
}
