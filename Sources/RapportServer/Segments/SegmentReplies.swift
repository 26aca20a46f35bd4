import Foundation
import LibPQ
import RapportModel
import RapportProtocol
import RapportStore

/// Data lines of the segment commands: one column list and one line builder per kind of thing.
enum SegmentReplies {
    static let headerColumns: [ResultColumn] = [
        ResultColumn("segment", .code), ResultColumn("description", .text), ResultColumn("campaign", .code),
        ResultColumn("campaign-description", .text), ResultColumn("salesperson", .code),
        ResultColumn("template", .code), ResultColumn("group", .code), ResultColumn("date", .date),
        ResultColumn("correspondence-type", .enumeration), ResultColumn("ignore-contact-corres-type", .bool),
        ResultColumn("unit-cost", .decimal), ResultColumn("unit-duration", .decimal),
        ResultColumn("information-flow", .enumeration), ResultColumn("initiated-by", .enumeration),
        ResultColumn("campaign-target", .bool), ResultColumn("campaign-response", .bool),
        ResultColumn("language", .code), ResultColumn("subject", .text), ResultColumn("send-word-docs", .bool),
        ResultColumn("word-template", .code), ResultColumn("attachment", .integer), ResultColumn("series", .code),
        ResultColumn("lines", .integer), ResultColumn("cost", .decimal), ResultColumn("duration", .decimal),
        ResultColumn("criteria-actions", .integer), ResultColumn("created-by", .code),
    ]

    static func header(_ h: SegmentHeaderRecord) -> DataLine {
        .shaped(
            Self.headerColumns,
            [
                "segment": h.no,
                "description": h.description,
                "campaign": h.campaignNo,
                "campaign-description": h.campaignDescription,
                "salesperson": h.salespersonCode,
                "template": h.templateCode,
                "group": h.groupCode,
                "date": h.date?.description,
                "correspondence-type": h.correspondenceTypeDefault,
                "ignore-contact-corres-type": String(h.ignoreContactCorresType),
                "unit-cost": Amount.text(h.unitCost),
                "unit-duration": Amount.text(h.unitDuration),
                "information-flow": h.informationFlow,
                "initiated-by": h.initiatedBy,
                "campaign-target": String(h.campaignTarget),
                "campaign-response": String(h.campaignResponse),
                "language": h.languageCodeDefault,
                "subject": h.subjectDefault,
                "send-word-docs": String(h.sendWordDocsAsAttmt),
                "word-template": h.wordTemplateCode,
                "attachment": h.attachmentNo.map(String.init),
                "series": h.noSeries,
                "lines": String(h.noOfLines),
                "cost": Amount.text(h.cost),
                "duration": Amount.text(h.duration),
                "criteria-actions": String(h.noOfCriteriaActions),
                "created-by": h.createdBy,
            ]
        )
    }

    static let lineColumns: [ResultColumn] = [
        ResultColumn("segment", .code), ResultColumn("line", .integer), ResultColumn("contact", .code),
        ResultColumn("contact-name", .text), ResultColumn("company", .code), ResultColumn("company-name", .text),
        ResultColumn("phone", .text), ResultColumn("mobile-phone", .text), ResultColumn("email", .text),
        ResultColumn("salesperson", .code), ResultColumn("template", .code), ResultColumn("group", .code),
        ResultColumn("description", .text), ResultColumn("date", .date), ResultColumn("time", .time),
        ResultColumn("correspondence-type", .enumeration), ResultColumn("language", .code),
        ResultColumn("subject", .text), ResultColumn("attachment", .integer),
        ResultColumn("attachment-kind", .enumeration), ResultColumn("cost", .decimal),
        ResultColumn("duration", .decimal), ResultColumn("information-flow", .enumeration),
        ResultColumn("initiated-by", .enumeration), ResultColumn("campaign", .code),
        ResultColumn("campaign-target", .bool), ResultColumn("campaign-response", .bool),
        ResultColumn("evaluation", .enumeration), ResultColumn("alt-address", .code),
        ResultColumn("attempt-failed", .bool), ResultColumn("send-word-docs", .bool),
        ResultColumn("word-template", .code), ResultColumn("task", .code), ResultColumn("opportunity", .code),
    ]

    static func line(_ segmentNo: String, _ l: SegmentLineRecord) -> DataLine {
        .shaped(
            Self.lineColumns,
            [
                "segment": segmentNo,
                "line": String(l.lineNo),
                "contact": l.contactNo,
                "contact-name": l.contactName,
                "company": l.contactCompanyNo,
                "company-name": l.contactCompanyName,
                "phone": l.contactPhoneNo,
                "mobile-phone": l.contactMobilePhoneNo,
                "email": l.contactEmail,
                "salesperson": l.salespersonCode,
                "template": l.templateCode,
                "group": l.groupCode,
                "description": l.description,
                "date": l.date?.description,
                "time": l.time?.description,
                "correspondence-type": l.correspondenceType,
                "language": l.languageCode,
                "subject": l.subject,
                "attachment": l.attachmentNo.map(String.init),
                "attachment-kind": l.attachmentKind,
                "cost": Amount.text(l.cost),
                "duration": Amount.text(l.duration),
                "information-flow": l.informationFlow,
                "initiated-by": l.initiatedBy,
                "campaign": l.campaignNo,
                "campaign-target": String(l.campaignTarget),
                "campaign-response": String(l.campaignResponse),
                "evaluation": l.evaluation,
                "alt-address": l.altAddressCode,
                "attempt-failed": String(l.attemptFailed),
                "send-word-docs": String(l.sendWordDocsAsAttmt),
                "word-template": l.wordTemplateCode,
                "task": l.taskNo,
                "opportunity": l.opportunityNo,
            ]
        )
    }

    /// A spec example's data line, written as the server writes it (so it carries every column).
    static func example(_ columns: [ResultColumn], _ values: [String: String?]) -> String {
        var text = WireEncoding.dataLine(DataLine.shaped(columns, values).tokens)
        if text.hasSuffix(WireEncoding.lineTerminator) { text.removeLast(WireEncoding.lineTerminator.count) }
        return text
    }

    static func count(_ n: Int, _ singular: String, _ plural: String? = nil) -> String {
        "\(n) \(n == 1 ? singular : plural ?? singular + "s")"
    }
}
