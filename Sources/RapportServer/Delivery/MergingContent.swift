import LibPQ
import RapportStore
import SMTPClient

/// The worker's content (reference 3.9 R1): an entry logged from a merge template already has its own
/// merged attachment and is sent as it is (`StoredAttachmentContent`); one whose template merges but that
/// was not merged when logged is merged for its contact now (`MergedContentStore`). One extra statement
/// per batch finds those.
public struct MergingContent: DeliveryContentSource {
    let stored = StoredAttachmentContent()

    public init() {}

    public func content(for item: DeliveryItem, connection: PGConnection) throws -> OutgoingContent {
        try self.contents(for: [item], connection: connection)[0]
    }

    public func contents(for items: [DeliveryItem], connection: PGConnection) throws -> [OutgoingContent] {
        var contents = try self.stored.contents(for: items, connection: connection)
        let toMerge = try MergedContentStore.mergedAtSending(connection, entryNos: items.map(\.entryNo))
        for (index, item) in items.enumerated() where toMerge.contains(item.entryNo) {
            contents[index] = Self.outgoing(item, try MergedContentStore.content(connection, entryNo: item.entryNo))
        }
        return contents
    }

    /// An HTML or text layout is the body; a document is attached under a short plain body.
    static func outgoing(_ item: DeliveryItem, _ merged: MergedContent) -> OutgoingContent {
        let description = item.description ?? ""
        let subject = (merged.subject ?? item.subject).flatMap { $0.isEmpty ? nil : $0 } ?? description
        if let html = merged.htmlBody { return OutgoingContent(subject: subject, body: .html(html)) }
        if let text = merged.textBody { return OutgoingContent(subject: subject, body: .plain(text)) }
        let ext = merged.fileName.split(separator: ".").last.map { String($0).lowercased() } ?? ""
        return OutgoingContent(
            subject: subject,
            body: .plain(description),
            attachments: [
                MIMEMessage.Attachment(
                    fileName: merged.fileName,
                    contentType: merged.contentType ?? StoredAttachmentContent.contentType(ext),
                    data: merged.content
                )
            ]
        )
    }
}
