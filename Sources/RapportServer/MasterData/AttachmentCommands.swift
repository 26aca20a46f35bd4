import Foundation
import RapportProtocol
import RapportStore

/// ATTACHMENT-UPLOAD, -DOWNLOAD, -REMOVE: the file of a template language row, as binary of
/// declared length (a `{N}` literal).
enum AttachmentCommands {
    static let template = RequiredArgument.positional("template", .code(maxLength: 10), "Template code.")
    static let language = OptionalArgument.named(
        "language",
        .code(maxLength: 10),
        "Language code; omitted: the blank (no language) row."
    )
    static let fileName = RequiredArgument.named(
        "file-name",
        .text(maxLength: 250),
        "File name (its extension is kept)."
    )
    static let contentType = OptionalArgument.named("content-type", .text(maxLength: 255), "MIME type, e.g. text/html.")
    static let replace = OptionalArgument.named("replace", .bool, "Yes to \"Replace existing attachment?\".")

    static let columns = [
        ResultColumn("attachment", .integer), ResultColumn("file-name", .text), ResultColumn("content-type", .text),
        ResultColumn("size", .integer), ResultColumn("read-only", .bool),
    ]

    static let upload = MasterDataCommand.write(
        CommandSpec(
            name: "ATTACHMENT-UPLOAD",
            synopsis: "ATTACHMENT-UPLOAD <template> [language=<code>] file-name=<text> [content-type=<text>] "
                + "[replace=<bool>] [idem=<text>] {N}",
            summary: "Store a file as the attachment of a template language row; the file is the payload.",
            arguments: [
                template.spec, language.spec, fileName.spec, contentType.spec, replace.spec, Idempotency.argument,
            ],
            requiredRole: .manager,
            help: """
                The payload may be at most the marketing setup's maximum attachment size (SETUP-MARKETING \
                max-attachment-bytes=, default 10 MiB) and the protocol's 16 MiB. A read-only attachment (one \
                that has been logged) is never replaced: remove it first, logged entries keep their copy. Not \
                allowed when a Word template governs the row.
                """,
            example: [
                "ATTACHMENT-UPLOAD GOLF language=ENU file-name=golf.html content-type=text/html {21}",
                "<p>See you there!</p>",
                "* attachment=12 file-name=golf.html content-type=text/html size=21 read-only=false",
                "OK attachment 12 stored",
            ],
            results: columns
        )
    ) { invocation, _, connection in
        let arguments = invocation.arguments
        guard let payload = arguments.payload else {
            throw CommandError(.badArguments, "ATTACHMENT-UPLOAD needs the file as its payload: end the line with {N}")
        }
        let fileName = arguments[Self.fileName]
        guard !fileName.isEmpty else {
            throw CommandError(.badArguments, "argument file-name must not be empty: give the file's name")
        }
        let info = try AttachmentStore.upload(
            connection,
            template: arguments[Self.template],
            language: arguments[Self.language],
            AttachmentUpload(
                fileName: fileName,
                contentType: arguments[Self.contentType].flatMap { $0.isEmpty ? nil : $0 },
                content: payload,
                replace: arguments[Self.replace] ?? false
            )
        )
        return .ok("attachment \(info.no) stored", [line(info)])
    }

    static let download = MasterDataCommand.read(
        CommandSpec(
            name: "ATTACHMENT-DOWNLOAD",
            summary: "Fetch the attachment of a template language row; the data line carries the file.",
            arguments: [template.spec, language.spec],
            requiredRole: .salesperson,
            help: "The data line ends with {N} and the N bytes of the file follow it.",
            example: [
                "ATTACHMENT-DOWNLOAD GOLF language=ENU",
                "* attachment=12 file-name=golf.html content-type=text/html size=21 read-only=false {21}",
                "<p>See you there!</p>",
                "OK",
            ],
            results: columns
        )
    ) { invocation, _, connection in
        let (info, content) = try AttachmentStore.download(
            connection,
            template: invocation.arguments[Self.template],
            language: invocation.arguments[Self.language]
        )
        return .ok("", [DataLine(tokens: line(info).tokens, payload: content)])
    }

    static let remove = MasterDataCommand.write(
        CommandSpec(
            name: "ATTACHMENT-REMOVE",
            summary: "Remove the attachment of a template language row.",
            arguments: [template.spec, language.spec],
            requiredRole: .manager,
            help: "The file is deleted unless logged interactions or segments still use it.",
            example: ["ATTACHMENT-REMOVE GOLF language=ENU", "OK attachment 12 removed"]
        ).idempotent()
    ) { invocation, _, connection in
        let removed = try AttachmentStore.remove(
            connection,
            template: invocation.arguments[Self.template],
            language: invocation.arguments[Self.language]
        )
        return .ok("attachment \(removed) removed")
    }

    static let all = [upload, download, remove]
    static var specs: [CommandSpec] { all.map(\.spec) }
    static func make(_ context: ServerContext) -> [Command] { all }

    static func values(_ info: AttachmentInfo?) -> [String: String?] {
        [
            "attachment": info.map { String($0.no) }, "file-name": info?.fileName, "content-type": info?.contentType,
            "size": info.map { String($0.sizeBytes) }, "read-only": info.map { String($0.readOnly) },
        ]
    }

    static func line(_ info: AttachmentInfo) -> DataLine {
        .shaped(columns, values(info))
    }
}
