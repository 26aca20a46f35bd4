import RapportModel
import RapportProtocol
import RapportStore

/// Data lines of the interaction commands: lower-case-hyphen keys, blank values omitted.
enum InteractionReplies {
    /// What logging, postponing or resuming produced.
    static func logged(_ logged: LoggedInteraction) -> DataLine {
        let draft = logged.draft
        return .named([
            "entry": String(logged.entryNo), "contact": draft.contactNo, "company": logged.contactCompanyNo,
            "date": draft.date, "time": draft.time, "template": draft.templateCode, "group": draft.groupCode,
            "description": draft.description, "salesperson": draft.salespersonCode,
            "correspondence-type": draft.correspondenceType?.rawValue, "language": draft.languageCode,
            "campaign": draft.campaignNo, "campaign-entry": logged.campaignEntryNo.map(String.init),
            "cost": draft.cost, "duration": draft.duration, "attachment": logged.attachmentNo.map(String.init),
            "document-type": draft.documentType?.rawValue, "document-no": draft.documentNo,
            "delivery-status": logged.deliveryStatus?.rawValue, "postponed": String(logged.postponed),
        ])
    }

    /// One entry of a list: the columns the Interaction Log Entries page shows by default (reference 3.11 R1).
    static func listed(_ entry: InteractionLogEntry) -> DataLine {
        let draft = entry.draft
        return .named([
            "entry": String(entry.entryNo), "date": draft.date, "time": draft.time,
            "contact": draft.contactNo, "contact-name": entry.contactName, "company": entry.contactCompanyNo,
            "company-name": entry.contactCompanyName, "template": draft.templateCode, "group": draft.groupCode,
            "description": draft.description, "salesperson": draft.salespersonCode, "campaign": draft.campaignNo,
            "opportunity": draft.opportunityNo, "evaluation": draft.evaluation?.rawValue, "cost": draft.cost,
            "duration": draft.duration, "canceled": String(entry.canceled),
            "attempt-failed": String(draft.attemptFailed),
            "correspondence-type": draft.correspondenceType?.rawValue,
            "document-type": draft.documentType?.rawValue, "document-no": draft.documentNo,
            "attachment": entry.attachmentNo.map(String.init), "comment": String(entry.hasComments),
            "postponed": entry.postponed ? "true" : nil,
        ])
    }

    /// Every field of one entry.
    static func shown(_ entry: InteractionLogEntry) -> DataLine {
        let draft = entry.draft
        let optionalCount: (Int) -> String? = { $0 == 0 ? nil : String($0) }
        return .named([
            "entry": String(entry.entryNo), "date": draft.date, "time": draft.time,
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
            "attempt-failed": String(draft.attemptFailed), "cost": draft.cost, "duration": draft.duration,
            "contact-via": draft.contactVia, "attachment": entry.attachmentNo.map(String.init),
            "word-template": draft.wordTemplateCode, "merged": String(entry.merged),
            "document-type": draft.documentType?.rawValue, "document-no": draft.documentNo,
            "occurrence": optionalCount(draft.docNoOccurrence), "version": optionalCount(draft.versionNo),
            "delivery-status": entry.deliveryStatus?.rawValue, "email-logged": String(entry.emailLogged),
            "canceled": String(entry.canceled), "postponed": String(entry.postponed),
            "comment": String(entry.hasComments),
        ])
    }

    static func comment(entryNo: Int64, _ comment: InteractionLogComment) -> DataLine {
        .named([
            "entry": String(entryNo), "line": String(comment.lineNo), "date": comment.date, "code": comment.code,
            "comment": comment.comment, "last-modified": comment.lastDateModified,
        ])
    }

    /// `N entries` and, when more follow, the cursor to paste into the next request.
    /// A page of the log, streamed: `OK 2 entries next=2025-03-02/1002`.
    static func pageReply(_ page: InteractionLogPage) -> Reply {
        .page(
            page.entries,
            final: Paging.final(page.entries.count, "entry", plural: "entries", next: page.next?.description),
            line: Self.listed
        )
    }

    /// `1 entry`, `3 entries`.
    static func entries(_ count: Int) -> String {
        count == 1 ? "1 entry" : "\(count) entries"
    }
}
