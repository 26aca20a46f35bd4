import LibPQ
import RapportStore
import SMTPClient

/// What one delivery item sends: subject, body and attachments (e-mail), or the document to print
/// (hard copy: the first attachment, else the body).
public struct OutgoingContent: Sendable, Equatable {
    public var subject: String
    public var body: MIMEMessage.Body
    public var attachments: [MIMEMessage.Attachment]

    public init(subject: String, body: MIMEMessage.Body, attachments: [MIMEMessage.Attachment] = []) {
        self.subject = subject
        self.body = body
        self.attachments = attachments
    }

    /// The hard copy: file extension and bytes.
    public var document: (fileExtension: String, bytes: [UInt8]) {
        if let first = self.attachments.first {
            let ext = first.fileName.split(separator: ".").last.map(String.init) ?? "bin"
            return (first.fileName.contains(".") ? ext : "bin", first.data)
        }
        switch self.body {
        case .html(let text): return ("html", Array(text.utf8))
        case .plain(let text): return ("txt", Array(text.utf8))
        }
    }
}

/// Where the worker gets each item's content. The seam for merging (issue 15 part A): a merging source
/// replaces `StoredAttachmentContent` without the worker changing. Runs on a database thread with the
/// worker's connection (no transaction open).
public protocol DeliveryContentSource: Sendable {
    func content(for item: DeliveryItem, connection: PGConnection) throws -> OutgoingContent
    /// A batch's contents, in the items' order (default: one `content(for:)` each); a source may read
    /// what the batch shares at once.
    func contents(for items: [DeliveryItem], connection: PGConnection) throws -> [OutgoingContent]
}

extension DeliveryContentSource {
    public func contents(for items: [DeliveryItem], connection: PGConnection) throws -> [OutgoingContent] {
        try items.map { try self.content(for: $0, connection: connection) }
    }
}

/// The entry's stored attachment as it is: an HTML attachment becomes the HTML body, any other a MIME
/// attachment under a short plain body; no attachment: a plain body with the description.
public struct StoredAttachmentContent: DeliveryContentSource {
    public init() {}

    public func content(for item: DeliveryItem, connection: PGConnection) throws -> OutgoingContent {
        let stored = try item.attachmentNo.flatMap { try DeliveryStore.attachment(connection, no: $0) }
        return Self.content(item, stored)
    }

    /// One read for the batch's attachments (a mailing's entries mostly share one).
    public func contents(for items: [DeliveryItem], connection: PGConnection) throws -> [OutgoingContent] {
        let stored = try DeliveryStore.attachments(connection, nos: Array(Set(items.compactMap(\.attachmentNo))))
        return items.map { item in Self.content(item, item.attachmentNo.flatMap { stored[$0] }) }
    }

    static func content(_ item: DeliveryItem, _ stored: DeliveryStore.AttachmentContent?) -> OutgoingContent {
        let description = item.description ?? ""
        let subject = item.subject.flatMap { $0.isEmpty ? nil : $0 } ?? description
        guard let no = item.attachmentNo, let stored else {
            return OutgoingContent(subject: subject, body: .plain(description))
        }
        let ext = (stored.fileExtension ?? "").lowercased()
        if ext == "html" || ext == "htm" || stored.contentType?.lowercased().hasPrefix("text/html") == true {
            return OutgoingContent(subject: subject, body: .html(String(decoding: stored.bytes, as: UTF8.self)))
        }
        var fileName = stored.fileName.flatMap { $0.isEmpty ? nil : $0 } ?? "attachment-\(no)"
        if !ext.isEmpty, !fileName.lowercased().hasSuffix("." + ext) { fileName += "." + ext }
        return OutgoingContent(
            subject: subject,
            body: .plain(description),
            attachments: [
                MIMEMessage.Attachment(
                    fileName: fileName,
                    contentType: stored.contentType ?? Self.contentType(ext),
                    data: stored.bytes
                )
            ]
        )
    }

    static func contentType(_ ext: String) -> String {
        switch ext {
        case "pdf": "application/pdf"
        case "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        case "doc": "application/msword"
        case "txt": "text/plain"
        case "png": "image/png"
        case "jpg", "jpeg": "image/jpeg"
        default: "application/octet-stream"
        }
    }
}
