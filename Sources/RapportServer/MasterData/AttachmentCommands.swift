import Foundation
import RapportProtocol
import RapportStore

/// ATTACHMENT-UPLOAD, -DOWNLOAD, -REMOVE: the file of a template language row, as binary of
/// declared length (a `{N}` literal).
enum AttachmentCommands {
    typealias A = MasterDataArguments

    static let template = A.positional("template", .code(maxLength: 10), "Template code.")
    static let language = A.named(
        "language",
        .code(maxLength: 10),
        "Language code; omitted: the blank (no language) row."
    )

    static let specs: [CommandSpec] = [
        CommandSpec(
            name: "ATTACHMENT-UPLOAD",
            synopsis: "ATTACHMENT-UPLOAD <template> [language=<code>] file-name=<text> [content-type=<text>] "
                + "[replace=<bool>] [idem=<text>] {N}",
            summary: "Store a file as the attachment of a template language row; the file is the payload.",
            arguments: [
                template, language,
                A.named("file-name", .text(maxLength: 250), "File name (its extension is kept).", required: true),
                A.named("content-type", .text(maxLength: 255), "MIME type, e.g. text/html."),
                A.named("replace", .bool, "Yes to \"Replace existing attachment?\"."),
                Idempotency.argument,
            ],
            requiredRole: .manager,
            help: """
                The payload may be at most the marketing setup's maximum attachment size (SETUP-MARKETING \
                max-attachment-bytes=, default 10 MiB) and the protocol's 16 MiB. A read-only attachment (one \
                that has been logged) is never replaced: remove it first, logged entries keep their copy. Not \
                allowed when a Word template governs the row (reference 3.1 R6).
                """,
            example: [
                "ATTACHMENT-UPLOAD GOLF language=ENU file-name=golf.html content-type=text/html {21}",
                "<p>See you there!</p>",
                "* attachment=12 file-name=golf.html content-type=text/html size=21 read-only=false",
                "OK attachment 12 stored",
            ]
        ),
        CommandSpec(
            name: "ATTACHMENT-DOWNLOAD",
            summary: "Fetch the attachment of a template language row; the data line carries the file.",
            arguments: [template, language],
            requiredRole: .salesperson,
            help: "The data line ends with {N} and the N bytes of the file follow it.",
            example: [
                "ATTACHMENT-DOWNLOAD GOLF language=ENU",
                "* attachment=12 file-name=golf.html content-type=text/html size=21 read-only=false {21}",
                "<p>See you there!</p>",
                "OK",
            ]
        ),
        CommandSpec(
            name: "ATTACHMENT-REMOVE",
            summary: "Remove the attachment of a template language row.",
            arguments: [template, language],
            requiredRole: .manager,
            help: "The file is deleted unless logged interactions or segments still use it.",
            example: ["ATTACHMENT-REMOVE GOLF language=ENU", "OK attachment 12 removed"]
        ).idempotent(),
    ]

    static func make(_ context: ServerContext) -> [Command] {
        [
            MasterDataCommand.write(context, specs[0]) { invocation, _, connection in
                let arguments = invocation.arguments
                guard let payload = arguments.payload else {
                    throw CommandError(
                        .badArguments,
                        "ATTACHMENT-UPLOAD needs the file as its payload: end the line with {N}"
                    )
                }
                let fileName = arguments.text("file-name")!
                guard !fileName.isEmpty else {
                    throw CommandError(.badArguments, "argument file-name must not be empty")
                }
                let info = try AttachmentStore.upload(
                    connection,
                    template: arguments.code("template")!,
                    language: arguments.code("language"),
                    AttachmentUpload(
                        fileName: fileName,
                        contentType: arguments.text("content-type").flatMap { $0.isEmpty ? nil : $0 },
                        content: payload,
                        replace: arguments.bool("replace") ?? false
                    )
                )
                return .ok("attachment \(info.no) stored", [DataLine(tokens: tokens(info))])
            },
            MasterDataCommand.read(context, specs[1]) { invocation, _, connection in
                let (info, content) = try AttachmentStore.download(
                    connection,
                    template: invocation.arguments.code("template")!,
                    language: invocation.arguments.code("language")
                )
                return .ok("", [DataLine(tokens: tokens(info), payload: content)])
            },
            MasterDataCommand.write(context, specs[2]) { invocation, _, connection in
                let removed = try AttachmentStore.remove(
                    connection,
                    template: invocation.arguments.code("template")!,
                    language: invocation.arguments.code("language")
                )
                return .ok("attachment \(removed) removed")
            },
        ]
    }

    static func tokens(_ info: AttachmentInfo) -> [Argument] {
        DataLine.named([
            "attachment": String(info.no), "file-name": info.fileName, "content-type": info.contentType,
            "size": String(info.sizeBytes), "read-only": String(info.readOnly),
        ]).tokens
    }
}
