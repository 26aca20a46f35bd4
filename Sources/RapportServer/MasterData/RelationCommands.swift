import RapportModel
import RapportProtocol
import RapportStore

/// Business relations (BUSINESS-RELATION-ADD, -SET, -LIST, -DELETE; CONTACT-RELATION-LINK, -UNLINK, -LIST),
/// mailing groups (MAILING-GROUP-ADD, -SET, -LIST, -DELETE, -JOIN, -LEAVE, -CONTACT-LIST) and campaign
/// statuses (CAMPAIGN-STATUS-ADD, -SET, -LIST, -DELETE).
enum RelationCommands {
    /// ADD, SET, LIST, DELETE of a code table: managers set them up, everyone lists them.
    static func codeTable(
        _ table: CodeTable,
        prefix: String,
        argument: String,
        noun: String,
        plural: String,
        example: (code: String, description: String),
        deleteHelp: String
    ) -> [Command] {
        let code = RequiredArgument.positional(argument, .code(maxLength: 10), "\(table.noun) code.")
        let description = OptionalArgument.named("description", .text(maxLength: 100), "Description.")
        let columns = [ResultColumn(argument, .code), ResultColumn("description", .text)]
        let exampleLine = "* \(argument)=\(example.code) description=\"\(example.description)\""
        @Sendable func line(_ r: CodeRecord) -> DataLine {
            .shaped(columns, [argument: r.code, "description": r.description])
        }
        let add = MasterDataCommand.write(
            CommandSpec(
                name: "\(prefix)-ADD",
                summary: "Create a \(noun).",
                arguments: [code.spec, description.spec],
                requiredRole: .manager,
                example: [
                    "\(prefix)-ADD \(example.code) description=\"\(example.description)\" idem=r-1", exampleLine,
                    "OK \(noun) \(example.code) created",
                ],
                results: columns
            ).idempotent()
        ) { invocation, _, connection in
            let created = try CodeTableStore.add(
                connection,
                table,
                code: invocation.arguments[code],
                description: invocation.arguments[description].flatMap { $0.isEmpty ? nil : $0 }
            )
            return .ok("\(noun) \(created.code) created", [line(created)])
        }
        let set = MasterDataCommand.write(
            CommandSpec(
                name: "\(prefix)-SET",
                summary: "Change a \(noun)'s description.",
                arguments: [code.spec, description.spec],
                requiredRole: .manager,
                example: [
                    "\(prefix)-SET \(example.code) description=\"\(example.description)\"", exampleLine,
                    "OK \(noun) \(example.code) changed",
                ],
                results: columns
            ).idempotent()
        ) { invocation, _, connection in
            let changed = try CodeTableStore.set(
                connection,
                table,
                code: invocation.arguments[code],
                description: invocation.arguments[description].flatMap { $0.isEmpty ? nil : $0 }
            )
            return .ok("\(noun) \(changed.code) changed", [line(changed)])
        }
        let list = MasterDataCommand.list(
            CommandSpec(
                name: "\(prefix)-LIST",
                summary: "List the \(plural).",
                arguments: Paging.arguments(plural),
                requiredRole: .salesperson,
                example: ["\(prefix)-LIST", exampleLine, "OK 1 \(noun) total=1"],
                results: columns
            ),
            keys: [.code(maxLength: 10)]
        ) { _, _, connection, page in
            let rows = try CodeTableStore.list(connection, table, after: page.code(0), limit: page.fetch)
            let total = try CodeTableStore.count(connection, table)
            return Paging.reply(rows, page, noun: noun, plural: plural, total: total, key: { [$0.code] }, line: line)
        }
        let delete = MasterDataCommand.write(
            CommandSpec(
                name: "\(prefix)-DELETE",
                summary: "Delete a \(noun).",
                arguments: [code.spec],
                requiredRole: .manager,
                help: deleteHelp,
                example: ["\(prefix)-DELETE \(example.code) idem=r-2", "OK \(noun) \(example.code) deleted"]
            ).idempotent()
        ) { invocation, _, connection in
            let no = invocation.arguments[code]
            try CodeTableStore.delete(connection, table, code: no)
            return .ok("\(noun) \(no) deleted")
        }
        return [add, set, list, delete]
    }

    static let businessRelations = codeTable(
        .businessRelations,
        prefix: "BUSINESS-RELATION",
        argument: "business-relation",
        noun: "business relation",
        plural: "business relations",
        example: ("CUST", "Customer"),
        deleteHelp: "Refused while contacts are linked with it."
    )
    static let mailingGroups = codeTable(
        .mailingGroups,
        prefix: "MAILING-GROUP",
        argument: "mailing-group",
        noun: "mailing group",
        plural: "mailing groups",
        example: ("XMAS", "Christmas cards"),
        deleteHelp: "Its contacts leave it."
    )
    static let campaignStatuses = codeTable(
        .campaignStatuses,
        prefix: "CAMPAIGN-STATUS",
        argument: "campaign-status",
        noun: "campaign status",
        plural: "campaign statuses",
        example: ("PLANNED", "Planned"),
        deleteHelp: "Refused while campaigns have it."
    )

    // MARK: Contact business relations

    static let contact = RequiredArgument.positional("contact", .code(maxLength: 20), "Company contact No.")
    static let kind = RequiredArgument.named(
        "link-to",
        .oneOf(AccountKind.self),
        "What the account is: customer, vendor or bank account."
    )
    static let account = RequiredArgument.named(
        "account",
        .code(maxLength: 20),
        "Customer, vendor or bank account No. in the ERP."
    )
    static let relation = RequiredArgument.named("business-relation", .code(maxLength: 10), "Business relation code.")
    static let ofContact = OptionalArgument.named("contact", .code(maxLength: 20), "Only this contact's links.")
    static let ofKind = OptionalArgument.named("link-to", .oneOf(AccountKind.self), "Only links of this kind.")

    static let linkColumns = [
        ResultColumn("contact", .code), ResultColumn("contact-name", .text), ResultColumn("link-to", .enumeration),
        ResultColumn("account", .code), ResultColumn("business-relation", .code),
    ]
    static let exampleLink =
        "* contact=CT000001 contact-name=\"Acme Ltd\" link-to=customer account=C10000 business-relation=CUST"

    static func linkLine(_ r: ContactRelation) -> DataLine {
        .shaped(
            Self.linkColumns,
            [
                "contact": r.contactNo, "contact-name": r.contactName, "link-to": r.kind.rawValue,
                "account": r.accountNo, "business-relation": r.businessRelationCode,
            ]
        )
    }

    static let link = MasterDataCommand.write(
        CommandSpec(
            name: "CONTACT-RELATION-LINK",
            summary: "Link a company contact to a customer, vendor or bank account number.",
            arguments: [contact.spec, kind.spec, account.spec, relation.spec],
            requiredRole: .manager,
            help: """
                One account of each kind per contact, one contact per account. DOCUMENT-LOG customer= and \
                vendor= find the contact through it; segment criteria business-relation= match its code.
                """,
            example: [
                "CONTACT-RELATION-LINK CT000001 link-to=customer account=C10000 business-relation=CUST idem=r-3",
                Self.exampleLink, "OK contact CT000001 linked to customer C10000",
            ],
            results: linkColumns
        ).idempotent()
    ) { invocation, _, connection in
        let arguments = invocation.arguments
        let linked = try BusinessRelationStore.link(
            connection,
            contactNo: arguments[Self.contact],
            kind: arguments[Self.kind],
            accountNo: arguments[Self.account],
            businessRelation: arguments[Self.relation]
        )
        return .ok(
            "contact \(linked.contactNo) linked to \(linked.kind.rawValue) \(linked.accountNo)",
            [Self.linkLine(linked)]
        )
    }

    static let unlink = MasterDataCommand.write(
        CommandSpec(
            name: "CONTACT-RELATION-UNLINK",
            summary: "Remove a contact's link to a customer, vendor or bank account.",
            arguments: [contact.spec, kind.spec],
            requiredRole: .manager,
            help: "Logged entries stay with the contact.",
            example: [
                "CONTACT-RELATION-UNLINK CT000001 link-to=customer idem=r-4",
                "OK contact CT000001 unlinked from customer C10000",
            ]
        ).idempotent()
    ) { invocation, _, connection in
        let arguments = invocation.arguments
        let (no, kind) = (arguments[Self.contact], arguments[Self.kind])
        let account = try BusinessRelationStore.unlink(connection, contactNo: no, kind: kind)
        return .ok("contact \(no) unlinked from \(kind.rawValue) \(account)")
    }

    static let listLinks = MasterDataCommand.list(
        CommandSpec(
            name: "CONTACT-RELATION-LIST",
            summary: "List the links of contacts to customers, vendors and bank accounts.",
            arguments: [ofContact.spec, ofKind.spec] + Paging.arguments("links"),
            requiredRole: .salesperson,
            help: "In contact order.",
            example: ["CONTACT-RELATION-LIST link-to=customer", Self.exampleLink, "OK 1 link total=1"],
            results: linkColumns
        ),
        keys: [.code(maxLength: 20), .code(maxLength: 20)]
    ) { invocation, _, connection, page in
        let (contact, kind) = (invocation.arguments[Self.ofContact], invocation.arguments[Self.ofKind])
        let after = page.code(0).map { ($0, page.code(1)?.lowercased() ?? "") }
        let rows = try BusinessRelationStore.list(
            connection,
            contactNo: contact,
            kind: kind,
            after: after,
            limit: page.fetch
        )
        let total = try BusinessRelationStore.count(connection, contactNo: contact, kind: kind)
        return Paging.reply(
            rows,
            page,
            noun: "link",
            total: total,
            key: { [$0.contactNo, $0.kind.rawValue.uppercased()] },
            line: Self.linkLine
        )
    }

    // MARK: Mailing group contacts

    static let group = RequiredArgument.positional("mailing-group", .code(maxLength: 10), "Mailing group code.")
    static let contacts = OptionalArgument.named("contacts", .list, "Contact numbers, comma-separated.")
    static let leaving = RequiredArgument.named("contacts", .list, "Contact numbers, comma-separated.")
    static let segment = OptionalArgument.named(
        "segment",
        .code(maxLength: 20),
        "Also every contact on this segment's lines."
    )
    static let memberColumns = [
        ResultColumn("mailing-group", .code), ResultColumn("contact", .code), ResultColumn("name", .text),
        ResultColumn("type", .enumeration), ResultColumn("company", .code),
    ]
    static let changeColumns = [ResultColumn("mailing-group", .code), ResultColumn("contacts", .integer)]

    static func codes(_ items: [String]) throws -> [String] {
        var codes: [String] = []
        for item in items {
            guard let code = Code.normalize(item), code.count <= 20 else {
                throw CommandError(.badArguments, "argument contacts must be contact numbers separated by commas")
            }
            if !codes.contains(code) { codes.append(code) }
        }
        guard codes.count <= 1000 else {
            throw CommandError(.tooLarge, "at most 1000 contacts at a time: split contacts into batches")
        }
        return codes
    }

    static let join = MasterDataCommand.write(
        CommandSpec(
            name: "MAILING-GROUP-JOIN",
            summary: "Add contacts to a mailing group: listed ones, or a segment's contacts.",
            arguments: [group.spec, contacts.spec, segment.spec],
            requiredRole: .salesperson,
            help: "Contacts already in the group are skipped; contacts= and segment= may be combined.",
            example: [
                "MAILING-GROUP-JOIN XMAS segment=SEG00001 idem=m-1", "* mailing-group=XMAS contacts=12",
                "OK 12 contacts joined mailing group XMAS",
            ],
            results: changeColumns
        ).idempotent()
    ) { invocation, _, connection in
        let arguments = invocation.arguments
        let group = arguments[Self.group]
        let listed = try arguments[Self.contacts].map(Self.codes) ?? []
        let segment = arguments[Self.segment]
        guard !listed.isEmpty || segment != nil else {
            throw CommandError(.badArguments, "missing argument contacts: give contacts= or segment=")
        }
        let joined = try MailingGroupStore.join(connection, group: group, contactNos: listed, segmentNo: segment)
        return .ok(
            "\(MasterDataCommand.count(joined, "contact")) joined mailing group \(group)",
            [.shaped(Self.changeColumns, ["mailing-group": group, "contacts": String(joined)])]
        )
    }

    static let leave = MasterDataCommand.write(
        CommandSpec(
            name: "MAILING-GROUP-LEAVE",
            summary: "Remove contacts from a mailing group.",
            arguments: [group.spec, leaving.spec],
            requiredRole: .salesperson,
            example: [
                "MAILING-GROUP-LEAVE XMAS contacts=CT000001 idem=m-2", "* mailing-group=XMAS contacts=1",
                "OK 1 contact left mailing group XMAS",
            ],
            results: changeColumns
        ).idempotent()
    ) { invocation, _, connection in
        let group = invocation.arguments[Self.group]
        let left = try MailingGroupStore.leave(
            connection,
            group: group,
            contactNos: try Self.codes(invocation.arguments[Self.leaving])
        )
        return .ok(
            "\(MasterDataCommand.count(left, "contact")) left mailing group \(group)",
            [.shaped(Self.changeColumns, ["mailing-group": group, "contacts": String(left)])]
        )
    }

    static let members = MasterDataCommand.list(
        CommandSpec(
            name: "MAILING-GROUP-CONTACT-LIST",
            summary: "List the contacts of a mailing group.",
            arguments: [group.spec] + Paging.arguments("contacts"),
            requiredRole: .salesperson,
            help: "In contact order.",
            example: [
                "MAILING-GROUP-CONTACT-LIST XMAS",
                "* mailing-group=XMAS contact=CT000001 name=\"Acme Ltd\" type=company company=",
                "OK 1 contact total=1",
            ],
            results: memberColumns
        ),
        keys: [.code(maxLength: 20)]
    ) { invocation, _, connection, page in
        let group = invocation.arguments[Self.group]
        let rows = try MailingGroupStore.members(connection, group: group, after: page.code(0), limit: page.fetch)
        let total = try MailingGroupStore.count(connection, group: group)
        return Paging.reply(rows, page, noun: "contact", total: total, key: { [$0.contactNo] }) { m in
            .shaped(
                Self.memberColumns,
                [
                    "mailing-group": group, "contact": m.contactNo, "name": m.name, "type": m.type,
                    "company": m.companyNo,
                ]
            )
        }
    }

    static let all: [Command] =
        businessRelations + [link, unlink, listLinks] + mailingGroups + [join, leave, members] + campaignStatuses
    static var specs: [CommandSpec] { all.map(\.spec) }
    static func make(_ context: ServerContext) -> [Command] { all }
}
