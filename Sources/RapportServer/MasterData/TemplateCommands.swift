import Foundation
import RapportModel
import RapportProtocol
import RapportStore

/// TEMPLATE-ADD, -SET, -SHOW, -LIST, -DELETE: interaction templates and their rules; the confirm
/// dialogs are the flags create-language= and remove-attachment=.
enum TemplateCommands {
    static let template = RequiredArgument.positional("template", .code(maxLength: 10), "Template code.")
    static let newGroup = RequiredArgument.named("group", .code(maxLength: 10), "Interaction group (must exist).")
    static let group = OptionalArgument.named("group", .code(maxLength: 10), "Interaction group (must exist).")
    static let description = ChangeArgument.named(
        "description",
        .text(maxLength: 100),
        "Default interaction description."
    )
    static let unitCost = OptionalArgument.named("unit-cost", .signedAmount, "Default cost (LCY), ≥ 0 (new: 0).")
    static let unitDuration = OptionalArgument.named(
        "unit-duration",
        .signedAmount,
        "Default duration in minutes, ≥ 0 (new: 0)."
    )
    static let informationFlow = ChangeArgument.named(
        "information-flow",
        .oneOf(InformationFlow.self),
        "Default direction."
    )
    static let initiatedBy = ChangeArgument.named("initiated-by", .oneOf(InitiatedBy.self), "Default initiator.")
    static let campaign = ChangeArgument.named(
        "campaign",
        .code(maxLength: 20),
        "Default campaign when none comes from the context."
    )
    static let campaignTarget = OptionalArgument.named(
        "campaign-target",
        .bool,
        "Default: the contact is a campaign target (new: false)."
    )
    static let campaignResponse = OptionalArgument.named(
        "campaign-response",
        .bool,
        "Default: the interaction is a campaign response (new: false)."
    )
    static let correspondenceType = ChangeArgument.named(
        "correspondence-type",
        .oneOf(CorrespondenceType.self),
        "Default delivery channel (new templates: email; blank for e.g. phone calls)."
    )
    static let ignoreContactCorresType = OptionalArgument.named(
        "ignore-contact-corres-type",
        .bool,
        "The template's correspondence type wins over the contact's (new: false)."
    )
    static let language = ChangeArgument.named(
        "language",
        .code(maxLength: 10),
        "Default language: its template language must exist, or give create-language=true."
    )
    static let wizardAction = ChangeArgument.named(
        "wizard-action",
        .oneOf(WizardAction.self),
        "What the wizard does with the attachment."
    )
    static let wordTemplate = ChangeArgument.named(
        "word-template",
        .code(maxLength: 30),
        "Word template code, written to the default language row."
    )
    static let createLanguage = OptionalArgument.named(
        "create-language",
        .bool,
        "Yes to \"Do you want to create Interaction Tmpl. Language …?\"."
    )
    static let removeAttachment = OptionalArgument.named(
        "remove-attachment",
        .bool,
        "Yes to \"… Do you want to remove the attachment?\" when setting a Word template."
    )
    static let ofGroup = OptionalArgument.named("group", .code(maxLength: 10), "Only the templates of this group.")

    static let fields = [
        description.spec, unitCost.spec, unitDuration.spec, informationFlow.spec, initiatedBy.spec, campaign.spec,
        campaignTarget.spec, campaignResponse.spec, correspondenceType.spec, ignoreContactCorresType.spec,
        language.spec, wizardAction.spec, wordTemplate.spec, createLanguage.spec,
    ]

    static let rulesHelp = """
        Cost and duration must not be negative. language= needs that template language, or \
        create-language=true; its HTML layout makes the wizard action merge, and its Word template becomes \
        the template's. wizard-action= must fit the default language row and the Word template. \
        word-template= is refused while the default language row has an attachment unless \
        remove-attachment=true, and with wizard action import.
        """

    static let columns = [
        ResultColumn("template", .code), ResultColumn("group", .code), ResultColumn("description", .text),
        ResultColumn("unit-cost", .decimal), ResultColumn("unit-duration", .decimal),
        ResultColumn("information-flow", .enumeration), ResultColumn("initiated-by", .enumeration),
        ResultColumn("campaign", .code), ResultColumn("campaign-target", .bool),
        ResultColumn("campaign-response", .bool), ResultColumn("correspondence-type", .enumeration),
        ResultColumn("ignore-contact-corres-type", .bool), ResultColumn("language", .code),
        ResultColumn("wizard-action", .enumeration), ResultColumn("word-template", .code),
        ResultColumn("attachment", .integer),
    ]

    static let exampleLine =
        "* template=BUS group=LETTER description=\"Business letter\" unit-cost=8.00 unit-duration=30.00 "
        + "information-flow=outbound initiated-by=us campaign= campaign-target=false campaign-response=false "
        + "correspondence-type=hard_copy ignore-contact-corres-type=false language= wizard-action= "
        + "word-template= attachment="

    static let add = MasterDataCommand.write(
        CommandSpec(
            name: "TEMPLATE-ADD",
            summary: "Create an interaction template.",
            arguments: [template.spec, newGroup.spec] + fields,
            requiredRole: .manager,
            help: rulesHelp,
            example: [
                "TEMPLATE-ADD bus group=LETTER description=\"Business letter\" unit-cost=8 unit-duration=30 "
                    + "information-flow=outbound initiated-by=us correspondence-type=hard_copy",
                exampleLine, "OK template BUS created",
            ],
            results: columns
        ).idempotent()
    ) { invocation, _, connection in
        let arguments = invocation.arguments
        let changes = Self.changes(arguments)
        var template = InteractionTemplate(code: arguments[Self.template], groupCode: arguments[Self.newGroup])
        template.description = changes.description ?? nil
        template.unitCost = changes.unitCost ?? 0
        template.unitDuration = changes.unitDuration ?? 0
        template.informationFlow = changes.informationFlow ?? nil
        template.initiatedBy = changes.initiatedBy ?? nil
        template.campaignNo = changes.campaignNo ?? nil
        template.campaignTarget = changes.campaignTarget ?? false
        template.campaignResponse = changes.campaignResponse ?? false
        // Absent: the default, email; empty: no delivery channel (a phone call template).
        template.correspondenceType = changes.correspondenceType ?? .email
        template.ignoreContactCorresType = changes.ignoreContactCorresType ?? false
        let created = try TemplateStore.create(connection, template, content: changes.content)
        return .ok("template \(created.code) created", [line(created)])
    }

    static let set = MasterDataCommand.write(
        CommandSpec(
            name: "TEMPLATE-SET",
            summary: "Change an interaction template; absent fields stay, an empty value blanks one.",
            arguments: [template.spec, group.spec] + fields + [removeAttachment.spec],
            requiredRole: .manager,
            help: rulesHelp,
            example: [
                "TEMPLATE-SET BUS wizard-action=merge",
                "ERR INVALID Wizard Action = Merge can not be specified for Interaction Template BUS. Choose another "
                    + "wizard-action=, or blank it with wizard-action=.",
            ],
            results: columns
        ).idempotent()
    ) { invocation, _, connection in
        let arguments = invocation.arguments
        var changes = Self.changes(arguments)
        changes.groupCode = arguments[Self.group]
        changes.content.removeAttachment = arguments[Self.removeAttachment] ?? false
        let updated = try TemplateStore.update(connection, arguments[Self.template], changes)
        return .ok("template \(updated.code) changed", [line(updated)])
    }

    static let show = MasterDataCommand.read(
        CommandSpec(
            name: "TEMPLATE-SHOW",
            summary: "Show one interaction template.",
            arguments: [template.spec],
            requiredRole: .salesperson,
            help: "attachment= is the attachment of the default language row (blank language when no default).",
            example: [
                "TEMPLATE-SHOW GOLF",
                "* template=GOLF group=LETTER description=\"Golf event\" unit-cost=8.00 unit-duration=1.00 "
                    + "information-flow= initiated-by= campaign= campaign-target=false campaign-response=false "
                    + "correspondence-type=email ignore-contact-corres-type=false language=ENU wizard-action=merge "
                    + "word-template= attachment=12",
                "OK",
            ],
            results: columns
        )
    ) { invocation, _, connection in
        .ok("", [line(try TemplateStore.require(connection, invocation.arguments[Self.template]))])
    }

    static let list = MasterDataCommand.list(
        CommandSpec(
            name: "TEMPLATE-LIST",
            summary: "List the interaction templates.",
            arguments: [ofGroup.spec] + Paging.arguments("templates"),
            requiredRole: .salesperson,
            help: "Every logged-in user may list them.",
            example: ["TEMPLATE-LIST group=LETTER", exampleLine, "OK 1 template total=1"],
            results: columns
        ),
        keys: [.code(maxLength: 10)]
    ) { invocation, _, connection, page in
        let group = invocation.arguments[Self.ofGroup]
        let rows = try TemplateStore.list(connection, group: group, after: page.code(0), limit: page.fetch)
        let total = try TemplateStore.count(connection, group: group)
        return Paging.reply(rows, page, noun: "template", total: total, key: { [$0.code] }, line: line)
    }

    static let delete = MasterDataCommand.write(
        CommandSpec(
            name: "TEMPLATE-DELETE",
            summary: "Delete an interaction template with its language rows and their attachments.",
            arguments: [template.spec],
            requiredRole: .manager,
            help: "Refused while interaction log entries, segments or the interaction template setup use the template.",
            example: ["TEMPLATE-DELETE ABSTRACT", "OK template ABSTRACT deleted"]
        ).idempotent()
    ) { invocation, _, connection in
        let code = invocation.arguments[Self.template]
        try TemplateStore.delete(connection, code)
        return .ok("template \(code) deleted")
    }

    static let all = [add, set, show, list, delete]
    static var specs: [CommandSpec] { all.map(\.spec) }
    static func make(_ context: ServerContext) -> [Command] { all }

    /// The fields TEMPLATE-ADD and TEMPLATE-SET share, read as changes.
    static func changes(_ arguments: BoundArguments) -> TemplateChanges {
        var changes = TemplateChanges()
        changes.description = arguments[Self.description].update
        changes.unitCost = arguments[Self.unitCost]
        changes.unitDuration = arguments[Self.unitDuration]
        changes.informationFlow = arguments[Self.informationFlow].update
        changes.initiatedBy = arguments[Self.initiatedBy].update
        changes.campaignNo = arguments[Self.campaign].update
        changes.campaignTarget = arguments[Self.campaignTarget]
        changes.campaignResponse = arguments[Self.campaignResponse]
        changes.correspondenceType = arguments[Self.correspondenceType].update
        changes.ignoreContactCorresType = arguments[Self.ignoreContactCorresType]
        changes.content = TemplateContentChange(
            languageCodeDefault: arguments[Self.language].update,
            wizardAction: arguments[Self.wizardAction].update,
            wordTemplateCode: arguments[Self.wordTemplate].update,
            createLanguage: arguments[Self.createLanguage] ?? false,
            removeAttachment: false
        )
        return changes
    }

    static func line(_ template: InteractionTemplate) -> DataLine {
        .shaped(
            columns,
            [
                "template": template.code, "group": template.groupCode, "description": template.description,
                "unit-cost": Amount.text(template.unitCost), "unit-duration": Amount.text(template.unitDuration),
                "information-flow": template.informationFlow?.rawValue,
                "initiated-by": template.initiatedBy?.rawValue, "campaign": template.campaignNo,
                "campaign-target": String(template.campaignTarget),
                "campaign-response": String(template.campaignResponse),
                "correspondence-type": template.correspondenceType?.rawValue,
                "ignore-contact-corres-type": String(template.ignoreContactCorresType),
                "language": template.languageCodeDefault, "wizard-action": template.wizardAction?.rawValue,
                "word-template": template.wordTemplateCode, "attachment": template.attachmentNo.map(String.init),
            ]
        )
    }
}
