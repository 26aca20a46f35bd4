import RapportModel
import RapportProtocol
import RapportStore

/// TEMPLATE-ADD, -SET, -SHOW, -LIST, -DELETE: interaction templates with the rules of reference
/// §3.1 R2–R5; the confirm dialogs are the flags create-language= and remove-attachment=.
enum TemplateCommands {
    typealias A = MasterDataArguments

    static let code = A.positional("code", .code(maxLength: 10), "Template code.")
    static let fields: [ArgumentSpec] = [
        A.named("group", .code(maxLength: 10), "Interaction group (mandatory, must exist)."),
        A.named("description", .text(maxLength: 100), "Default interaction description."),
        A.named("unit-cost", .signedDecimal, "Default cost (LCY), ≥ 0."),
        A.named("unit-duration", .signedDecimal, "Default duration in minutes, ≥ 0."),
        A.named("information-flow", .enumeration(InformationFlow.allCases.map(\.rawValue)), "Default direction."),
        A.named("initiated-by", .enumeration(InitiatedBy.allCases.map(\.rawValue)), "Default initiator."),
        A.named("campaign", .code(maxLength: 20), "Default campaign when none comes from the context."),
        A.named("campaign-target", .bool, "Default: the contact is a campaign target."),
        A.named("campaign-response", .bool, "Default: the interaction is a campaign response."),
        A.named(
            "correspondence-type",
            .enumeration(A.correspondenceTypes),
            "Default delivery channel (new templates: email)."
        ),
        A.named("ignore-contact-corres-type", .bool, "The template's correspondence type wins over the contact's."),
        A.named(
            "language",
            .code(maxLength: 10),
            "Default language: its language row must exist, or create-language=true creates it (R3)."
        ),
        A.named("wizard-action", .enumeration(WizardAction.allCases.map(\.rawValue)), "Step 2 of the wizard (R4)."),
        A.named("word-template", .code(maxLength: 30), "Word template code, written to the default language row (R5)."),
        A.named("create-language", .bool, "Yes to \"Do you want to create Interaction Tmpl. Language …?\"."),
    ]
    static let clearable = [
        "description", "information-flow", "initiated-by", "campaign", "correspondence-type", "language",
        "wizard-action", "word-template",
    ]
    static let rulesHelp = """
        Rules (reference 3.1): group mandatory and existing, cost and duration not negative (R2). Setting \
        language= needs that template language row, or create-language=true (R3); the row's HTML layout makes \
        the wizard action merge, and its Word template becomes the template's. wizard-action= must fit the \
        default language row and the Word template (R4). word-template= is refused with an attachment on \
        the default language row unless remove-attachment=true, and with wizard action import (R5).
        """

    static let specs: [CommandSpec] = [
        CommandSpec(
            name: "TEMPLATE-ADD",
            summary: "Create an interaction template.",
            arguments: [code] + fields + [A.clear(["correspondence-type"])],
            requiredRole: .manager,
            help: rulesHelp,
            example: [
                "TEMPLATE-ADD bus group=LETTER description=\"Business letter\" unit-cost=8 unit-duration=30 "
                    + "information-flow=outbound initiated-by=us correspondence-type=hard_copy",
                "* template=BUS group=LETTER description=\"Business letter\" unit-cost=8.00 unit-duration=30.00 "
                    + "information-flow=outbound initiated-by=us campaign-target=false campaign-response=false "
                    + "correspondence-type=hard_copy ignore-contact-corres-type=false",
                "OK template BUS created",
            ]
        ).idempotent(),
        CommandSpec(
            name: "TEMPLATE-SET",
            summary: "Change an interaction template; absent fields stay, clear= blanks fields.",
            arguments: [code] + fields + [
                A.named(
                    "remove-attachment",
                    .bool,
                    "Yes to \"… Do you want to remove the attachment?\" when setting a Word template."
                ),
                A.clear(clearable),
            ],
            requiredRole: .manager,
            help: rulesHelp,
            example: [
                "TEMPLATE-SET BUS wizard-action=merge",
                "ERR INVALID Wizard Action = Merge can not be specified for Interaction Template BUS.",
            ]
        ).idempotent(),
        CommandSpec(
            name: "TEMPLATE-SHOW",
            summary: "Show one interaction template.",
            arguments: [code],
            requiredRole: .salesperson,
            help: "attachment= is the attachment of the default language row (blank language when no default).",
            example: [
                "TEMPLATE-SHOW GOLF",
                "* template=GOLF group=LETTER description=\"Golf event\" unit-cost=8.00 unit-duration=1.00 "
                    + "campaign-target=false campaign-response=false correspondence-type=email language=ENU "
                    + "wizard-action=merge ignore-contact-corres-type=false attachment=12",
                "OK",
            ]
        ),
        CommandSpec(
            name: "TEMPLATE-LIST",
            summary: "List the interaction templates.",
            arguments: [A.named("group", .code(maxLength: 10), "Only the templates of this group.")]
                + Paging.arguments("templates"),
            requiredRole: .salesperson,
            help: "Every logged-in user may list them.",
            example: [
                "TEMPLATE-LIST group=LETTER",
                "* template=BUS group=LETTER description=\"Business letter\" unit-cost=8.00 unit-duration=30.00 "
                    + "information-flow=outbound initiated-by=us campaign-target=false campaign-response=false "
                    + "correspondence-type=hard_copy ignore-contact-corres-type=false",
                "OK 1 template",
            ]
        ),
        CommandSpec(
            name: "TEMPLATE-DELETE",
            summary: "Delete an interaction template with its language rows and their attachments.",
            arguments: [code],
            requiredRole: .manager,
            help: """
                Refused while interaction log entries, segments or the interaction template setup use the \
                template (docs/DECISIONS.md).
                """,
            example: ["TEMPLATE-DELETE ABSTRACT", "OK template ABSTRACT deleted"]
        ).idempotent(),
    ]

    static func make(_ context: ServerContext) -> [Command] {
        [
            MasterDataCommand.write(context, specs[0]) { invocation, _, connection in
                let input = try MasterDataInput(invocation, clearable: ["correspondence-type"])
                let changes = Self.changes(input)
                var template = InteractionTemplate(
                    code: input.arguments.code("code")!,
                    groupCode: changes.groupCode ?? ""
                )
                Self.apply(changes, to: &template)
                let created = try TemplateStore.create(connection, template, content: changes.content)
                return .ok("template \(created.code) created", [line(created)])
            },
            MasterDataCommand.write(context, specs[1]) { invocation, _, connection in
                let input = try MasterDataInput(invocation, clearable: clearable)
                let updated = try TemplateStore.update(connection, input.arguments.code("code")!, Self.changes(input))
                return .ok("template \(updated.code) changed", [line(updated)])
            },
            MasterDataCommand.read(context, specs[2]) { invocation, _, connection in
                .ok("", [line(try TemplateStore.require(connection, invocation.arguments.code("code")!))])
            },
            MasterDataCommand.list(context, specs[3], keys: [.code(maxLength: 10)]) { invocation, _, connection, page in
                let group = invocation.arguments.code("group")
                let rows = try TemplateStore.list(connection, group: group, after: page.code(0), limit: page.fetch)
                return Paging.reply(rows, page, noun: "template", key: { [$0.code] }, line: line)
            },
            MasterDataCommand.write(context, specs[4]) { invocation, _, connection in
                let code = invocation.arguments.code("code")!
                try TemplateStore.delete(connection, code)
                return .ok("template \(code) deleted")
            },
        ]
    }

    static func changes(_ input: MasterDataInput) -> TemplateChanges {
        var changes = TemplateChanges()
        changes.groupCode = input.arguments.code("group")
        changes.description = input.text("description")
        changes.unitCost = input.decimal("unit-cost")
        changes.unitDuration = input.decimal("unit-duration")
        changes.informationFlow = input.enumeration("information-flow", InformationFlow.self)
        changes.initiatedBy = input.enumeration("initiated-by", InitiatedBy.self)
        changes.campaignNo = input.code("campaign")
        changes.campaignTarget = input.bool("campaign-target")
        changes.campaignResponse = input.bool("campaign-response")
        changes.correspondenceType = input.enumeration("correspondence-type", CorrespondenceType.self)
        changes.ignoreContactCorresType = input.bool("ignore-contact-corres-type")
        changes.content = TemplateContentChange(
            languageCodeDefault: input.code("language"),
            wizardAction: input.enumeration("wizard-action", WizardAction.self),
            wordTemplateCode: input.code("word-template"),
            createLanguage: input.bool("create-language") ?? false,
            removeAttachment: input.bool("remove-attachment") ?? false
        )
        return changes
    }

    /// A new template's plain fields from the given ones (defaults where absent).
    static func apply(_ changes: TemplateChanges, to template: inout InteractionTemplate) {
        template.description = changes.description ?? nil
        template.unitCost = changes.unitCost ?? "0"
        template.unitDuration = changes.unitDuration ?? "0"
        template.informationFlow = changes.informationFlow ?? nil
        template.initiatedBy = changes.initiatedBy ?? nil
        template.campaignNo = changes.campaignNo ?? nil
        template.campaignTarget = changes.campaignTarget ?? false
        template.campaignResponse = changes.campaignResponse ?? false
        template.correspondenceType = changes.correspondenceType ?? .email
        template.ignoreContactCorresType = changes.ignoreContactCorresType ?? false
    }

    static func line(_ template: InteractionTemplate) -> DataLine {
        .named([
            "template": template.code, "group": template.groupCode, "description": template.description,
            "unit-cost": template.unitCost, "unit-duration": template.unitDuration,
            "information-flow": template.informationFlow?.rawValue, "initiated-by": template.initiatedBy?.rawValue,
            "campaign": template.campaignNo, "campaign-target": String(template.campaignTarget),
            "campaign-response": String(template.campaignResponse),
            "correspondence-type": template.correspondenceType?.rawValue, "language": template.languageCodeDefault,
            "wizard-action": template.wizardAction?.rawValue,
            "ignore-contact-corres-type": String(template.ignoreContactCorresType),
            "word-template": template.wordTemplateCode, "attachment": template.attachmentNo.map(String.init),
        ])
    }
}
