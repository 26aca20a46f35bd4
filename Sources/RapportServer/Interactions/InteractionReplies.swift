import Foundation
import RapportModel
import RapportProtocol
import RapportStore

/// Data lines of the interaction commands: one declared set of columns per kind of thing (an entry, a
/// comment line), every key on every line, blanks as `key=`.
enum InteractionReplies {
    /// An interaction log entry, as every command that prints one prints it (INTERACTION-CREATE,
    /// POSTPONED-RESUME, POSTPONED-LIST, DOCUMENT-LOG, LOG-LIST, LOG-SHOW).
    static let entryColumns: [ResultColumn] = [
        ResultColumn("entry", .integer), ResultColumn("title", .text), ResultColumn("date", .date),
        ResultColumn("time", .time), ResultColumn("contact", .code), ResultColumn("contact-name", .text),
        ResultColumn("company", .code), ResultColumn("company-name", .text), ResultColumn("alt-address", .code),
        ResultColumn("template", .code), ResultColumn("group", .code), ResultColumn("description", .text),
        ResultColumn("subject", .text), ResultColumn("salesperson", .code), ResultColumn("user", .code),
        ResultColumn("information-flow", .enumeration), ResultColumn("initiated-by", .enumeration),
        ResultColumn("correspondence-type", .enumeration), ResultColumn("language", .code),
        ResultColumn("campaign", .code), ResultColumn("campaign-entry", .integer),
        ResultColumn("campaign-target", .bool), ResultColumn("campaign-response", .bool),
        ResultColumn("segment", .code), ResultColumn("logged-segment", .integer), ResultColumn("opportunity", .code),
        ResultColumn("task", .code), ResultColumn("evaluation", .enumeration), ResultColumn("attempt-failed", .bool),
        ResultColumn("cost", .decimal), ResultColumn("duration", .decimal), ResultColumn("contact-via", .text),
        ResultColumn("attachment", .integer), ResultColumn("word-template", .code), ResultColumn("merged", .bool),
        ResultColumn("document-type", .enumeration), ResultColumn("document-no", .code),
        ResultColumn("occurrence", .integer), ResultColumn("version", .integer),
        ResultColumn("delivery-status", .enumeration), ResultColumn("email-logged", .bool),
        ResultColumn("canceled", .bool), ResultColumn("postponed", .bool), ResultColumn("has-comments", .bool),
    ]

    /// One entry with every field.
    static func entry(_ entry: InteractionLogEntry) -> DataLine {
        let draft = entry.draft
        let optionalCount: (Int) -> String? = { $0 == 0 ? nil : String($0) }
        return .shaped(
            Self.entryColumns,
            [
                "entry": String(entry.entryNo), "title": entry.title, "date": draft.date?.description,
                "time": draft.time?.description,
                "contact": draft.contactNo, "contact-name": entry.contactName, "company": entry.contactCompanyNo,
                "company-name": entry.contactCompanyName, "alt-address": entry.contactAltAddressCode,
                "template": draft.templateCode, "group": draft.groupCode, "description": draft.description,
                "subject": draft.subject, "salesperson": draft.salespersonCode, "user": entry.userID,
                "information-flow": draft.informationFlow?.rawValue, "initiated-by": draft.initiatedBy?.rawValue,
                "correspondence-type": draft.correspondenceType?.rawValue, "language": draft.languageCode,
                "campaign": draft.campaignNo, "campaign-entry": entry.campaignEntryNo.map(String.init),
                "campaign-target": String(draft.campaignTarget), "campaign-response": String(draft.campaignResponse),
                "segment": entry.segmentNo, "logged-segment": entry.loggedSegmentEntryNo.map(String.init),
                "opportunity": draft.opportunityNo, "task": draft.taskNo, "evaluation": draft.evaluation?.rawValue,
                "attempt-failed": String(draft.attemptFailed), "cost": Amount.text(draft.cost),
                "duration": Amount.text(draft.duration), "contact-via": draft.contactVia,
                "attachment": entry.attachmentNo.map(String.init), "word-template": draft.wordTemplateCode,
                "merged": String(entry.merged), "document-type": draft.documentType?.rawValue,
                "document-no": draft.documentNo, "occurrence": optionalCount(draft.docNoOccurrence),
                "version": optionalCount(draft.versionNo), "delivery-status": entry.deliveryStatus?.rawValue,
                "email-logged": String(entry.emailLogged), "canceled": String(entry.canceled),
                "postponed": String(entry.postponed), "has-comments": String(entry.hasComments),
            ]
        )
    }

    /// An example entry line for the specs (every key, in order; values already quoted as needed).
    static func exampleEntry(_ values: [String: String], _ changes: [String: String] = [:]) -> String {
        let merged = values.merging(changes) { $1 }
        return "* " + Self.entryColumns.map { "\($0.name)=\(merged[$0.name] ?? "")" }.joined(separator: " ")
    }

    /// The entry the examples show: a phone call logged with INTERACTION-CREATE.
    static let exampleValues: [String: String] = [
        "entry": "1043", "title": "\"Phone call - by Anna Hall\"", "date": "2025-03-14", "time": "10:17:00",
        "contact": "CT000012", "contact-name": "\"Ann Lee\"", "company": "CT000010",
        "company-name": "\"Lee & Co\"", "template": "OUTGOING", "group": "PHONE",
        "description": "\"Follow-up call\"", "subject": "\"Follow-up call\"", "salesperson": "AH",
        "user": "ALICE", "information-flow": "outbound", "initiated-by": "us", "campaign-target": "false",
        "campaign-response": "false", "attempt-failed": "false", "cost": "1.00", "duration": "15.00",
        "merged": "false", "email-logged": "false", "canceled": "false", "postponed": "false",
        "has-comments": "true",
    ]

    /// A price list sent by letter, with an attachment.
    static let exampleLetter: [String: String] = Self.exampleValues.merging([
        "entry": "1002", "title": "\"Business letter - by Anna Hall\"", "date": "2025-03-02", "time": "09:05:00",
        "contact": "CT000010", "contact-name": "\"Lee & Co\"", "template": "BUSLETTER", "group": "LETTER",
        "description": "\"Price list\"", "subject": "\"Price list\"", "correspondence-type": "hard_copy",
        "cost": "8.00", "duration": "30.00", "attachment": "77", "has-comments": "false",
    ]) { $1 }

    /// A comment line of an entry (LOG-COMMENT-ADD, LOG-COMMENT-LIST).
    static let commentColumns: [ResultColumn] = [
        ResultColumn("entry", .integer), ResultColumn("line", .integer), ResultColumn("date", .date),
        ResultColumn("comment-code", .code), ResultColumn("comment", .text), ResultColumn("last-modified", .date),
    ]

    static func comment(entryNo: Int64, _ comment: InteractionLogComment) -> DataLine {
        .shaped(
            Self.commentColumns,
            [
                "entry": String(entryNo), "line": String(comment.lineNo), "date": comment.date?.description,
                "comment-code": comment.code, "comment": comment.comment,
                "last-modified": comment.lastDateModified?.description,
            ]
        )
    }

    /// A page of the log, streamed: `OK 2 entries next=2025-03-02/1002`.
    static func pageReply(_ page: InteractionLogPage) -> Reply {
        .page(
            page.entries,
            final: Paging.final(page.entries.count, "entry", plural: "entries", next: page.next?.description),
            line: Self.entry
        )
    }

    /// `1 entry`, `3 entries`.
    static func entries(_ count: Int) -> String {
        count == 1 ? "1 entry" : "\(count) entries"
    }
}
