import RapportProtocol
import RapportStore

/// LANGUAGE-ADD, -LIST, -DELETE.
enum LanguageCommands {
    typealias A = MasterDataArguments

    static let code = A.positional("code", .code(maxLength: 10), "Language code, e.g. ENU.")

    /// The keys of a language's data lines (declared for the CLI's typed output; conv-a reconciles the names).
    static let columns = [ResultColumn("code", .code), ResultColumn("name", .text)]

    static let specs: [CommandSpec] = [
        CommandSpec(
            name: "LANGUAGE-ADD",
            summary: "Create a language code.",
            arguments: [code, A.named("name", .text(maxLength: 50), "Name of the language.")],
            requiredRole: .manager,
            help: "Language codes are used by contacts, template language rows and interactions.",
            example: [
                "LANGUAGE-ADD enu name=\"English (US)\"", "* code=ENU name=\"English (US)\"", "OK language ENU created",
            ],
            results: columns
        ).idempotent(),
        CommandSpec(
            name: "LANGUAGE-LIST",
            summary: "List the language codes.",
            arguments: Paging.arguments("languages"),
            requiredRole: .salesperson,
            help: "Every logged-in user may list them.",
            example: [
                "LANGUAGE-LIST", "* code=DEU name=German", "* code=ENU name=\"English (US)\"", "OK 2 languages",
            ],
            results: columns
        ),
        CommandSpec(
            name: "LANGUAGE-DELETE",
            summary: "Delete a language code nothing refers to.",
            arguments: [code],
            requiredRole: .manager,
            help:
                "Refused (ERR CONFLICT) while contacts, template languages, segments, log entries or the "
                + "marketing setup use it.",
            example: ["LANGUAGE-DELETE DEU", "OK language DEU deleted"]
        ).idempotent(),
    ]

    static func make(_ context: ServerContext) -> [Command] {
        [
            MasterDataCommand.write(context, specs[0]) { invocation, _, connection in
                let input = try MasterDataInput(invocation)
                let language = try LanguageStore.add(
                    connection,
                    Language(code: input.arguments.code("code")!, name: MasterDataInput.value(input.text("name")))
                )
                return .ok("language \(language.code) created", [line(language)])
            },
            MasterDataCommand.list(context, specs[1], keys: [.code(maxLength: 10)]) { _, _, connection, page in
                let rows = try LanguageStore.list(connection, after: page.code(0), limit: page.fetch)
                return Paging.reply(rows, page, noun: "language", key: { [$0.code] }, line: line)
            },
            MasterDataCommand.write(context, specs[2]) { invocation, _, connection in
                let code = invocation.arguments.code("code")!
                try LanguageStore.delete(connection, code)
                return .ok("language \(code) deleted")
            },
        ]
    }

    static func line(_ language: Language) -> DataLine {
        .named(["code": language.code, "name": language.name])
    }
}
