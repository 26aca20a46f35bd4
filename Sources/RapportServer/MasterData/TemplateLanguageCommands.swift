import RapportProtocol
import RapportStore

/// TEMPLATE-LANGUAGE-ADD, -DELETE, -LIST: the language variants of a template.
enum TemplateLanguageCommands {
    static let template = RequiredArgument.positional("template", .code(maxLength: 10), "Template code.")
    static let language = OptionalArgument.named(
        "language",
        .code(maxLength: 10),
        "Language code; omitted: the blank (no language) row."
    )
    static let description = ChangeArgument.named(
        "description",
        .text(maxLength: 100),
        "Description (default: the template's)."
    )
    static let wordTemplate = OptionalArgument.named(
        "word-template",
        .code(maxLength: 30),
        "Word template code for this language."
    )
    static let customLayout = OptionalArgument.named(
        "custom-layout",
        .code(maxLength: 20),
        "HTML e-mail layout code (makes the template merge)."
    )

    static let columns =
        [
            ResultColumn("template", .code), ResultColumn("language", .code), ResultColumn("description", .text),
            ResultColumn("word-template", .code), ResultColumn("custom-layout", .code),
        ] + AttachmentCommands.columns

    static let add = MasterDataCommand.write(
        CommandSpec(
            name: "TEMPLATE-LANGUAGE-ADD",
            summary: "Add a language variant to a template.",
            arguments: [template.spec, language.spec, description.spec, wordTemplate.spec, customLayout.spec],
            requiredRole: .manager,
            help:
                "The language must exist (LANGUAGE-ADD); one row per template and language, the blank "
                + "language included.",
            example: [
                "TEMPLATE-LANGUAGE-ADD GOLF language=ENU",
                "* template=GOLF language=ENU description=\"Golf event\" word-template= custom-layout= attachment= "
                    + "file-name= content-type= size= read-only=",
                "OK template language GOLF ENU added",
            ],
            results: columns
        ).idempotent()
    ) { invocation, _, connection in
        let arguments = invocation.arguments
        let row = try TemplateLanguageStore.add(
            connection,
            TemplateLanguage(
                templateCode: arguments[Self.template],
                languageCode: arguments[Self.language],
                description: arguments[Self.description].value,
                wordTemplateCode: arguments[Self.wordTemplate],
                customLayoutCode: arguments[Self.customLayout]
            )
        )
        return .ok("template language \(Self.name(row.templateCode, row.languageCode)) added", [line(row)])
    }

    static let delete = MasterDataCommand.write(
        CommandSpec(
            name: "TEMPLATE-LANGUAGE-DELETE",
            summary: "Delete a language variant of a template, with its attachment.",
            arguments: [template.spec, language.spec],
            requiredRole: .manager,
            help: "When it was the template's default language, the template's default language becomes blank.",
            example: ["TEMPLATE-LANGUAGE-DELETE GOLF language=DEU", "OK template language GOLF DEU deleted"]
        ).idempotent()
    ) { invocation, _, connection in
        let template = invocation.arguments[Self.template]
        let language = invocation.arguments[Self.language]
        try TemplateLanguageStore.delete(connection, template: template, language: language)
        return .ok("template language \(Self.name(template, language)) deleted")
    }

    static let list = MasterDataCommand.list(
        CommandSpec(
            name: "TEMPLATE-LANGUAGE-LIST",
            summary: "List the language variants of a template with their attachments.",
            arguments: [template.spec] + Paging.arguments("template languages"),
            requiredRole: .salesperson,
            help: "The blank (no language) row comes first; the attachment fields are blank when the row has none.",
            example: [
                "TEMPLATE-LANGUAGE-LIST GOLF",
                "* template=GOLF language=ENU description=\"Golf event\" word-template= custom-layout= attachment=12 "
                    + "file-name=golf.html content-type=text/html size=5120 read-only=false",
                "OK 1 template language total=1",
            ],
            results: columns
        ),
        keys: [.optionalCode(maxLength: 10)]
    ) { invocation, _, connection, page in
        let template = invocation.arguments[Self.template]
        let rows = try TemplateLanguageStore.list(
            connection,
            template: template,
            after: page.optionalCode(0),
            limit: page.fetch
        )
        let total = try TemplateLanguageStore.count(connection, template: template)
        return Paging.reply(
            rows,
            page,
            noun: "template language",
            total: total,
            key: { [$0.languageCode ?? ""] },
            line: line
        )
    }

    static let all = [add, delete, list]
    static var specs: [CommandSpec] { all.map(\.spec) }
    static func make(_ context: ServerContext) -> [Command] { all }

    static func name(_ template: String, _ language: String?) -> String {
        language.map { "\(template) \($0)" } ?? "\(template) (blank)"
    }

    static func line(_ row: TemplateLanguage) -> DataLine {
        var values: [String: String?] = [
            "template": row.templateCode, "language": row.languageCode, "description": row.description,
            "word-template": row.wordTemplateCode, "custom-layout": row.customLayoutCode,
        ]
        values.merge(AttachmentCommands.values(row.attachment)) { old, _ in old }
        return .shaped(columns, values)
    }
}
