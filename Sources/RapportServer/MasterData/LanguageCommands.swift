import RapportProtocol
import RapportStore

/// LANGUAGE-ADD, -LIST, -DELETE.
enum LanguageCommands {
    static let language = RequiredArgument.positional("language", .code(maxLength: 10), "Language code, e.g. ENU.")
    static let name = ChangeArgument.named("name", .text(maxLength: 50), "Name of the language.")

    static let columns = [ResultColumn("language", .code), ResultColumn("name", .text)]

    static let add = MasterDataCommand.write(
        CommandSpec(
            name: "LANGUAGE-ADD",
            summary: "Create a language code.",
            arguments: [language.spec, name.spec],
            requiredRole: .manager,
            help: "Language codes are used by contacts, template language rows and interactions.",
            example: [
                "LANGUAGE-ADD enu name=\"English (US)\"", "* language=ENU name=\"English (US)\"",
                "OK language ENU created",
            ],
            results: columns
        ).idempotent()
    ) { invocation, _, connection in
        let language = try LanguageStore.add(
            connection,
            Language(code: invocation.arguments[Self.language], name: invocation.arguments[Self.name].value)
        )
        return .ok("language \(language.code) created", [line(language)])
    }

    static let list = MasterDataCommand.list(
        CommandSpec(
            name: "LANGUAGE-LIST",
            summary: "List the language codes.",
            arguments: Paging.arguments("languages"),
            requiredRole: .salesperson,
            help: "Every logged-in user may list them.",
            example: [
                "LANGUAGE-LIST", "* language=DEU name=German", "* language=ENU name=\"English (US)\"",
                "OK 2 languages total=2",
            ],
            results: columns
        ),
        keys: [.code(maxLength: 10)]
    ) { _, _, connection, page in
        let rows = try LanguageStore.list(connection, after: page.code(0), limit: page.fetch)
        let total = try LanguageStore.count(connection)
        return Paging.reply(rows, page, noun: "language", total: total, key: { [$0.code] }, line: line)
    }

    static let delete = MasterDataCommand.write(
        CommandSpec(
            name: "LANGUAGE-DELETE",
            summary: "Delete a language code nothing refers to.",
            arguments: [language.spec],
            requiredRole: .manager,
            help:
                "Refused (ERR CONFLICT) while contacts, template languages, segments, log entries or the "
                + "marketing setup use it.",
            example: ["LANGUAGE-DELETE DEU", "OK language DEU deleted"]
        ).idempotent()
    ) { invocation, _, connection in
        let code = invocation.arguments[Self.language]
        try LanguageStore.delete(connection, code)
        return .ok("language \(code) deleted")
    }

    static let all = [add, list, delete]
    static var specs: [CommandSpec] { all.map(\.spec) }
    static func make(_ context: ServerContext) -> [Command] { all }

    static func line(_ language: Language) -> DataLine {
        .shaped(columns, ["language": language.code, "name": language.name])
    }
}
