import RapportModel
import RapportProtocol
import RapportStore

/// Data lines of the segment commands (named pairs, blank values omitted).
enum SegmentReplies {
    static func header(_ h: SegmentHeaderRecord) -> DataLine {
        .named([
            "segment": h.no,
            "description": h.description,
            "campaign": h.campaignNo,
            "campaign-description": h.campaignDescription,
            "salesperson": h.salespersonCode,
            "template": h.templateCode,
            "group": h.groupCode,
            "date": h.date,
            "correspondence-type": h.correspondenceTypeDefault,
            "ignore-contact-corres-type": String(h.ignoreContactCorresType),
            "unit-cost": h.unitCost,
            "unit-duration": h.unitDuration,
            "information-flow": h.informationFlow,
            "initiated-by": h.initiatedBy,
            "campaign-target": String(h.campaignTarget),
            "campaign-response": String(h.campaignResponse),
            "language": h.languageCodeDefault,
            "subject": h.subjectDefault,
            "send-word-docs": String(h.sendWordDocsAsAttmt),
            "word-template": h.wordTemplateCode,
            "attachment": h.attachmentNo.map(String.init),
            "no-series": h.noSeries,
            "lines": String(h.noOfLines),
            "cost": h.cost,
            "duration": h.duration,
            "criteria-actions": String(h.noOfCriteriaActions),
            "created-by": h.createdBy,
        ])
    }

    static func line(_ segmentNo: String, _ l: SegmentLineRecord) -> DataLine {
        .named([
            "segment": segmentNo,
            "line": String(l.lineNo),
            "contact": l.contactNo,
            "contact-name": l.contactName,
            "company": l.contactCompanyNo,
            "company-name": l.contactCompanyName,
            "salesperson": l.salespersonCode,
            "template": l.templateCode,
            "group": l.groupCode,
            "description": l.description,
            "date": l.date,
            "time": l.time,
            "correspondence-type": l.correspondenceType,
            "language": l.languageCode,
            "subject": l.subject,
            "attachment": l.attachmentNo.map(String.init),
            "attachment-kind": l.attachmentKind,
            "cost": l.cost,
            "duration": l.duration,
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
        ])
    }

    static func step(_ segmentNo: String, _ result: SegmentCriteriaStore.StepResult) -> DataLine {
        .named([
            "segment": segmentNo,
            "criteria-actions": String(result.actionNo),
            "added": String(result.added),
            "removed": String(result.removed),
            "lines": String(result.lines),
        ])
    }

    static func criteria(_ segmentNo: String, _ record: CriteriaLineRecord) -> DataLine {
        var pairs: [(String, String?)] = [("segment", segmentNo), ("line", String(record.line.lineNo))]
        switch record.line.kind {
        case .action(let action, let options, let filters):
            pairs += [
                ("type", "action"), ("action", action.rawValue),
                ("allow-existing", String(options.allowExisting)),
                ("expand-companies", String(options.expandCompanies)),
                ("allow-related-companies", String(options.allowRelatedCompanies)),
                ("ignore-exclusion", String(options.ignoreExclusion)),
                ("entire-companies", String(options.entireCompanies)),
                ("filters", String(filters)),
            ]
        case .filter(let table, let view):
            pairs += [("type", "filter"), ("table", table.rawValue), ("view", view)]
        }
        pairs.append(("text", record.readable.trimmingCharacters()))
        return DataLine(tokens: pairs.compactMap { key, value in value.map { .named(key, $0) } })
    }

    static func logged(_ s: LoggedSegmentRecord) -> DataLine {
        .named([
            "logged-segment": String(s.entryNo),
            "segment": s.segmentNo,
            "description": s.description,
            "creation-date": s.creationDate,
            "user": s.userID,
            "canceled": String(s.canceled),
            "interactions": String(s.noOfInteractions),
            "campaign-entries": String(s.noOfCampaignEntries),
        ])
    }

    static func campaignEntry(_ e: SegmentCampaignEntryRecord) -> DataLine {
        .named([
            "campaign-entry": String(e.entryNo),
            "campaign": e.campaignNo,
            "description": e.description,
            "date": e.date,
            "canceled": String(e.canceled),
            "interactions": String(e.noOfInteractions),
        ])
    }

    static func delivery(_ item: DeliveryItem) -> DataLine {
        .named([
            "entry": String(item.entryNo),
            "queue-id": String(item.id),
            "attempt": String(item.attempts),
            "lease-until": item.claimedUntil,
            "contact": item.contactNo,
            "contact-name": item.contactName,
            "email": item.email,
            "correspondence-type": item.correspondenceType,
            "attachment": item.attachmentNo.map(String.init),
            "subject": item.subject,
            "language": item.languageCode,
            "word-template": item.wordTemplateCode,
            "send-word-docs": String(item.sendWordDocsAsAttmt),
            "sender": item.salespersonEmail,
        ])
    }

    static func count(_ n: Int, _ singular: String, _ plural: String? = nil) -> String {
        "\(n) \(n == 1 ? singular : plural ?? singular + "s")"
    }
}

extension String {
    fileprivate func trimmingCharacters() -> String {
        var text = Substring(self)
        while text.first == " " { text = text.dropFirst() }
        return String(text)
    }
}
