import RapportProtocol
import RapportStore

/// TEMPLATE-LANGUAGE-ADD, -DELETE, -LIST: the language variants of a template.
enum TemplateLanguageCommands {
    typealias A = MasterDataArguments

    static let template = A.positional("template", .code(maxLength: 10), "Template code.")
    static let language = A.named(
        "language",
        .code(maxLength: 10),
        "Language code; omitted: the blank (no language) row."
    )

    static let specs: [CommandSpec] = [
        CommandSpec(
            name: "TEMPLATE-LANGUAGE-ADD",
            summary: "Add a language variant to a template.",
            arguments: [
                template, language,
                A.named("description", .text(maxLength: 100), "Description (default: the template's)."),
                A.named("word-template", .code(maxLength: 30), "Word template code for this language."),
                A.named("custom-layout", .code(maxLength: 20), "HTML e-mail layout code (makes the template merge)."),
            ],
            requiredRole: .manager,
            help:
                "The language must exist (LANGUAGE-ADD); one row per template and language, the blank "
                + "language included.",
            example: [
                "TEMPLATE-LANGUAGE-ADD GOLF language=ENU",
                "* template=GOLF language=ENU description=\"Golf event\"", "OK template language GOLF ENU added",
            ]
        ).idempotent(),
        CommandSpec(
            name: "TEMPLATE-LANGUAGE-DELETE",
            summary: "Delete a language variant of a template, with its attachment.",
            arguments: [template, language],
            requiredRole: .manager,
            help: "When it was the template's default language, the template's default language becomes blank.",
            example: ["TEMPLATE-LANGUAGE-DELETE GOLF language=DEU", "OK template language GOLF DEU deleted"]
        ).idempotent(),
        CommandSpec(
            name: "TEMPLATE-LANGUAGE-LIST",
            summary: "List the language variants of a template with their attachments.",
            arguments: [template] + Paging.arguments("template languages"),
            requiredRole: .salesperson,
            help: "The blank (no language) row comes first; attachment fields are shown when the row has one.",
            example: [
                "TEMPLATE-LANGUAGE-LIST GOLF",
                "* template=GOLF language=ENU description=\"Golf event\" attachment=12 file-name=golf.html "
                    + "content-type=text/html size=5120 read-only=false",
                "OK 1 template language",
            ]
        ),
    ]

    static func make(_ context: ServerContext) -> [Command] {
        [
            MasterDataCommand.write(context, specs[0]) { invocation, _, connection in
                let input = try MasterDataInput(invocation)
                let row = try TemplateLanguageStore.add(
                    connection,
                    TemplateLanguage(
                        templateCode: input.arguments.code("template")!,
                        languageCode: input.arguments.code("language"),
                        description: MasterDataInput.value(input.text("description")),
                        wordTemplateCode: input.arguments.code("word-template"),
                        customLayoutCode: input.arguments.code("custom-layout")
                    )
                )
                return .ok("template language \(Self.name(row.templateCode, row.languageCode)) added", [line(row)])
            },
            MasterDataCommand.write(context, specs[1]) { invocation, _, connection in
                let template = invocation.arguments.code("template")!
                let language = invocation.arguments.code("language")
                try TemplateLanguageStore.delete(connection, template: template, language: language)
                return .ok("template language \(Self.name(template, language)) deleted")
            },
            MasterDataCommand.list(context, specs[2], keys: [.optionalCode(maxLength: 10)]) {
                invocation,
                _,
                connection,
                page in
                let template = invocation.arguments.code("template")!
                let rows = try TemplateLanguageStore.list(
                    connection,
                    template: template,
                    after: page.optionalCode(0),
                    limit: page.fetch
                )
                return Paging.reply(rows, page, noun: "template language", key: { [$0.languageCode ?? ""] }, line: line)
            },
        ]
    }

    static func name(_ template: String, _ language: String?) -> String {
        language.map { "\(template) \($0)" } ?? "\(template) (blank)"
    }

    static func line(_ row: TemplateLanguage) -> DataLine {
        var tokens = DataLine.named([
            "template": row.templateCode, "language": row.languageCode, "description": row.description,
            "word-template": row.wordTemplateCode, "custom-layout": row.customLayoutCode,
        ]).tokens
        if let attachment = row.attachment { tokens += AttachmentCommands.tokens(attachment) }
        return DataLine(tokens: tokens)
    }
}
