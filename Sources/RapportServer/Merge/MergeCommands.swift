import Foundation
import RapportModel
import RapportProtocol
import RapportStore

/// Merged content (issue 15): a template language's custom report layout (TEMPLATE-LAYOUT-SET,
/// -CLEAR, -DOWNLOAD), the Contact Cover Sheet layout (COVER-SHEET-LAYOUT-SET, -CLEAR, -DOWNLOAD), attachments
/// by number with who shares them (ATTACHMENT-SHOW, ATTACHMENT-GET) and cover sheets for a segment
/// (SEGMENT-COVER-SHEETS).
enum MergeCommands {
    static let template = RequiredArgument.positional("template", .code(maxLength: 10), "Template code.")
    static let language = OptionalArgument.named(
        "language",
        .code(maxLength: 10),
        "Language code; omitted: the blank (no language) row."
    )
    static let layoutCode = RequiredArgument.named("layout", .code(maxLength: 20), "Custom Layout Code.")
    static let layoutDescription = OptionalArgument.named(
        "description",
        .text(maxLength: 250),
        "Custom Layout Description."
    )
    static let fileName = RequiredArgument.named(
        "file-name",
        .text(maxLength: 250),
        "File name; its extension says how it is merged: .docx, .html (.htm) or .txt."
    )
    static let replace = OptionalArgument.named("replace", .bool, "Yes to \"Replace the existing layout?\".")
    static let attachment = RequiredArgument.positional("attachment", .integer(1...Int.max), "Attachment No.")

    static let fieldNames = LayoutStore.fieldNames.joined(separator: ", ")

    static let layoutColumns = [
        ResultColumn("template", .code), ResultColumn("language", .code), ResultColumn("layout", .code),
        ResultColumn("description", .text), ResultColumn("file-name", .text), ResultColumn("format", .enumeration),
        ResultColumn("size", .integer), ResultColumn("fields", .text), ResultColumn("wizard-action", .enumeration),
    ]

    static func layoutLine(_ layout: TemplateLayout) -> DataLine {
        .shaped(
            Self.layoutColumns,
            [
                "template": layout.templateCode, "language": layout.languageCode, "layout": layout.layoutCode,
                "description": layout.description, "file-name": layout.fileName, "format": layout.format,
                "size": layout.sizeBytes.map(String.init), "fields": layout.fields.joined(separator: ","),
                "wizard-action": layout.wizardAction?.rawValue,
            ]
        )
    }

    static let setLayout = MasterDataCommand.write(
        CommandSpec(
            name: "TEMPLATE-LAYOUT-SET",
            synopsis: "TEMPLATE-LAYOUT-SET <template> [language=<code>] layout=<code> [description=<text>] "
                + "file-name=<text> [replace=<bool>] [idem=<text>] {N}",
            summary: "Set or replace the custom report layout of a template language row; the layout is the payload.",
            arguments: [
                template.spec, language.spec, layoutCode.spec, layoutDescription.spec, fileName.spec, replace.spec,
                Idempotency.argument,
            ],
            requiredRole: .manager,
            help: """
                The layout is what a merge template merges for each contact: a Word document (.docx) with \
                MERGEFIELDs or «Field» markers (in the document, headers and footers), or an HTML (.html) or \
                text (.txt) body with {{Field}} tags or «Field» markers. Every field it names must be one of: \
                \(fieldNames). On the template's default language row the template's wizard action becomes merge. \
                A row that has a layout is replaced only with replace=true. Logging from the \
                template then stores the layout merged for the contact as the entry's own attachment.
                """,
            example: [
                "TEMPLATE-LAYOUT-SET OFFER layout=OFFER-HTML file-name=offer.html {28}",
                "<p>Dear {{ContactName}}</p>",
                "* template=OFFER language= layout=OFFER-HTML description= file-name=offer.html format=html size=28 "
                    + "fields=ContactName wizard-action=merge",
                "OK layout OFFER-HTML set",
            ],
            results: layoutColumns
        )
    ) { invocation, _, connection in
        let arguments = invocation.arguments
        guard let payload = arguments.payload else {
            throw CommandError(
                .badArguments,
                "TEMPLATE-LAYOUT-SET needs the layout as its payload: end the line with {N}"
            )
        }
        let layout = try LayoutStore.set(
            connection,
            template: arguments[Self.template],
            language: arguments[Self.language],
            LayoutUpload(
                layoutCode: arguments[Self.layoutCode],
                description: arguments[Self.layoutDescription].flatMap { $0.isEmpty ? nil : $0 },
                fileName: arguments[Self.fileName],
                content: payload,
                replace: arguments[Self.replace] ?? false
            )
        )
        return .ok("layout \(layout.layoutCode) set", [Self.layoutLine(layout)])
    }

    static let clearLayout = MasterDataCommand.write(
        CommandSpec(
            name: "TEMPLATE-LAYOUT-CLEAR",
            summary: "Clear the custom report layout of a template language row.",
            arguments: [template.spec, language.spec],
            requiredRole: .manager,
            help: """
                Clears the layout code, description and content. On the default language row a merge wizard \
                action without a Word template becomes blank. Entries merged before keep \
                their documents.
                """,
            example: ["TEMPLATE-LAYOUT-CLEAR OFFER idem=l-2", "OK layout OFFER-HTML cleared"]
        ).idempotent()
    ) { invocation, _, connection in
        let code = try LayoutStore.clear(
            connection,
            template: invocation.arguments[Self.template],
            language: invocation.arguments[Self.language]
        )
        return .ok("layout \(code) cleared")
    }

    static let downloadLayout = MasterDataCommand.read(
        CommandSpec(
            name: "TEMPLATE-LAYOUT-DOWNLOAD",
            summary: "Fetch the custom report layout of a template language row; the data line carries the file.",
            arguments: [template.spec, language.spec],
            requiredRole: .salesperson,
            help: "The data line ends with {N} and the N bytes of the layout follow it.",
            example: [
                "TEMPLATE-LAYOUT-DOWNLOAD OFFER",
                "* template=OFFER language= layout=OFFER-HTML description= file-name=offer.html format=html size=28 "
                    + "fields=ContactName wizard-action=merge {28}",
                "<p>Dear {{ContactName}}</p>",
                "OK",
            ],
            results: layoutColumns
        )
    ) { invocation, _, connection in
        let (layout, content) = try LayoutStore.download(
            connection,
            template: invocation.arguments[Self.template],
            language: invocation.arguments[Self.language]
        )
        return .ok("", [DataLine(tokens: Self.layoutLine(layout).tokens, payload: content)])
    }

    // MARK: the Contact Cover Sheet layout

    static let coverLayoutColumns = [
        ResultColumn("file-name", .text), ResultColumn("format", .enumeration), ResultColumn("size", .integer),
        ResultColumn("fields", .text),
    ]

    static func coverLayoutLine(_ layout: CoverSheetStore.Layout) -> DataLine {
        .shaped(
            Self.coverLayoutColumns,
            [
                "file-name": layout.fileName, "format": layout.format, "size": String(layout.sizeBytes),
                "fields": layout.fields.joined(separator: ","),
            ]
        )
    }

    static let setCoverLayout = MasterDataCommand.write(
        CommandSpec(
            name: "COVER-SHEET-LAYOUT-SET",
            synopsis: "COVER-SHEET-LAYOUT-SET file-name=<text> [idem=<text>] {N}",
            summary: "Set or replace the Contact Cover Sheet layout; the layout is the payload.",
            arguments: [fileName.spec, Idempotency.argument],
            requiredRole: .manager,
            help: """
                SEGMENT-COVER-SHEETS merges it for each segment line. Same formats and fields as \
                TEMPLATE-LAYOUT-SET.
                """,
            example: [
                "COVER-SHEET-LAYOUT-SET file-name=cover.txt idem=c-1 {24}",
                "To: «ContactName», «City»",
                "* file-name=cover.txt format=text size=24 fields=ContactName,City",
                "OK cover sheet layout set",
            ],
            results: coverLayoutColumns
        )
    ) { invocation, _, connection in
        guard let payload = invocation.arguments.payload else {
            throw CommandError(
                .badArguments,
                "COVER-SHEET-LAYOUT-SET needs the layout as its payload: end the line with {N}"
            )
        }
        let layout = try CoverSheetStore.setLayout(
            connection,
            fileName: invocation.arguments[Self.fileName],
            content: payload
        )
        return .ok("cover sheet layout set", [Self.coverLayoutLine(layout)])
    }

    static let clearCoverLayout = MasterDataCommand.write(
        CommandSpec(
            name: "COVER-SHEET-LAYOUT-CLEAR",
            summary: "Clear the Contact Cover Sheet layout.",
            arguments: [],
            requiredRole: .manager,
            example: ["COVER-SHEET-LAYOUT-CLEAR idem=c-2", "OK cover sheet layout cleared"]
        ).idempotent()
    ) { _, _, connection in
        try CoverSheetStore.clearLayout(connection)
        return .ok("cover sheet layout cleared")
    }

    static let downloadCoverLayout = MasterDataCommand.read(
        CommandSpec(
            name: "COVER-SHEET-LAYOUT-DOWNLOAD",
            summary: "Fetch the Contact Cover Sheet layout; the data line carries the file.",
            arguments: [],
            requiredRole: .salesperson,
            example: [
                "COVER-SHEET-LAYOUT-DOWNLOAD",
                "* file-name=cover.txt format=text size=24 fields=ContactName,City {24}",
                "To: «ContactName», «City»",
                "OK",
            ],
            results: coverLayoutColumns
        )
    ) { _, _, connection in
        let (layout, content) = try CoverSheetStore.layout(connection)
        return .ok("", [DataLine(tokens: Self.coverLayoutLine(layout).tokens, payload: content)])
    }

    // MARK: attachments by number

    static let usageColumns =
        AttachmentCommands.columns + [
            ResultColumn("entries", .integer), ResultColumn("template-languages", .integer),
            ResultColumn("segment-lines", .integer), ResultColumn("segment-languages", .integer),
        ]

    static func usageLine(_ usage: AttachmentUsage) -> DataLine {
        var values = AttachmentCommands.values(usage.info)
        values["entries"] = String(usage.entries)
        values["template-languages"] = String(usage.templateLanguages)
        values["segment-lines"] = String(usage.segmentLines)
        values["segment-languages"] = String(usage.segmentLanguages)
        return .shaped(Self.usageColumns, values)
    }

    static let showAttachment = MasterDataCommand.read(
        CommandSpec(
            name: "ATTACHMENT-SHOW",
            summary: "Show an attachment and how many log entries, template and segment rows share it.",
            arguments: [attachment.spec],
            requiredRole: .salesperson,
            help: "An attachment is deleted with the last row that refers to it.",
            example: [
                "ATTACHMENT-SHOW 77",
                "* attachment=77 file-name=offer-1043.docx content-type=application/vnd.openxmlformats-"
                    + "officedocument.wordprocessingml.document size=8812 read-only=true entries=1 "
                    + "template-languages=0 segment-lines=0 segment-languages=0",
                "OK",
            ],
            results: usageColumns
        )
    ) { invocation, session, connection in
        let (usage, _) = try AttachmentUsageStore.get(
            connection,
            Int64(invocation.arguments[Self.attachment]),
            actor: session.actingUser,
            content: false
        )
        return .ok("", [Self.usageLine(usage)])
    }

    static let getAttachment = MasterDataCommand.read(
        CommandSpec(
            name: "ATTACHMENT-GET",
            summary: "Download an attachment by its number; the data line carries the file.",
            arguments: [attachment.spec],
            requiredRole: .salesperson,
            help: "The data line (as ATTACHMENT-SHOW) ends with {N} and the N bytes of the file follow it. "
                + "LOG-ATTACHMENT downloads an entry's attachment by the entry number.",
            example: [
                "ATTACHMENT-GET 12",
                "* attachment=12 file-name=golf.html content-type=text/html size=21 read-only=true entries=3 "
                    + "template-languages=1 segment-lines=0 segment-languages=0 {21}",
                "<p>See you there!</p>",
                "OK",
            ],
            results: usageColumns
        )
    ) { invocation, session, connection in
        let (usage, content) = try AttachmentUsageStore.get(
            connection,
            Int64(invocation.arguments[Self.attachment]),
            actor: session.actingUser,
            content: true
        )
        return .ok("", [DataLine(tokens: Self.usageLine(usage).tokens, payload: content ?? [])])
    }

    // MARK: cover sheets

    static let coverColumns = [
        ResultColumn("segment", .code), ResultColumn("template", .code), ResultColumn("entries", .integer),
        ResultColumn("first-entry", .integer), ResultColumn("last-entry", .integer),
    ]

    static let coverSheets = Command(
        CommandSpec(
            name: "SEGMENT-COVER-SHEETS",
            summary: "Produce a cover sheet for every line of a segment and log a Cover Sheet entry for each.",
            arguments: [SegmentArguments.segment.spec],
            requiredRole: .salesperson,
            help: """
                One transaction: the Contact Cover Sheet layout (COVER-SHEET-LAYOUT-SET) is merged for each line \
                with a contact and stored as the own attachment of a new cover_sheet entry of the setup's Cover \
                Sheets template (SETUP-SET event=cover_sheet), dated today; the segment stays. LOG-ATTACHMENT \
                downloads each sheet. Refused without a Cover Sheets template or layout, for an empty segment, \
                or when a line's contact is blocked due to privacy.
                """,
            example: [
                "SEGMENT-COVER-SHEETS SEG00001 idem=c-3",
                "* segment=SEG00001 template=COVER entries=104 first-entry=1043 last-entry=1146",
                "OK 104 cover sheets logged",
            ],
            results: coverColumns
        ).idempotent(),
        reply: { invocation, session in
            let no = invocation.arguments[SegmentArguments.segment]
            let actor = session.actingUser
            return try await invocation.context.write(invocation, user: actor.userID) { connection in
                let result = try CoverSheetStore.produce(connection, actor: actor, segmentNo: no)
                return .ok(
                    "\(SegmentReplies.count(result.entryNos.count, "cover sheet")) logged",
                    [
                        .shaped(
                            Self.coverColumns,
                            [
                                "segment": result.segmentNo, "template": result.templateCode,
                                "entries": String(result.entryNos.count),
                                "first-entry": result.entryNos.first.map(String.init),
                                "last-entry": result.entryNos.last.map(String.init),
                            ]
                        )
                    ]
                )
            }
        }
    )

    static let all = [
        setLayout, clearLayout, downloadLayout, setCoverLayout, clearCoverLayout, downloadCoverLayout, showAttachment,
        getAttachment, coverSheets,
    ]
    static var specs: [CommandSpec] { all.map(\.spec) }
    static func make(_ context: ServerContext) -> [Command] { all }
}
