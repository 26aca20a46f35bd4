/// The segment header fields a user sets (reference 1.8), and how each one reaches the lines (3.6 R2–R6).
public enum SegmentHeaderField: String, Sendable, CaseIterable {
    case description
    case campaignNo
    case salespersonCode
    case correspondenceTypeDefault
    case interactionTemplateCode
    case unitCost
    case unitDuration
    case date
    case campaignTarget
    case informationFlow
    case initiatedBy
    case campaignResponse
    case languageCodeDefault
    case interactionGroupCode
    case sendWordDocsAsAttmt
    case ignoreContactCorresType
    case subjectDefault
    case wordTemplateCode

    /// BC's caption, as in "You have modified <caption>."
    public var caption: String {
        switch self {
        case .description: return "Description"
        case .campaignNo: return "Campaign No."
        case .salespersonCode: return "Salesperson Code"
        case .correspondenceTypeDefault: return "Correspondence Type (Default)"
        case .interactionTemplateCode: return "Interaction Template Code"
        case .unitCost: return "Unit Cost (LCY)"
        case .unitDuration: return "Unit Duration (Min.)"
        case .date: return "Date"
        case .campaignTarget: return "Campaign Target"
        case .informationFlow: return "Information Flow"
        case .initiatedBy: return "Initiated By"
        case .campaignResponse: return "Campaign Response"
        case .languageCodeDefault: return "Language Code (Default)"
        case .interactionGroupCode: return "Interaction Group Code"
        case .sendWordDocsAsAttmt: return "Send Word Docs. as Attmt."
        case .ignoreContactCorresType: return "Ignore Contact Corres. Type"
        case .subjectDefault: return "Subject (Default)"
        case .wordTemplateCode: return "Word Template Code"
        }
    }

    /// Whether a change is pushed to the lines with the header's template (3.6 R2; R6 adds a condition for the
    /// correspondence type; template, language and subject have their own rules R3–R5).
    public var propagates: Bool {
        switch self {
        case .interactionTemplateCode, .languageCodeDefault, .ignoreContactCorresType, .subjectDefault:
            return false
        default:
            return true
        }
    }

    /// The fields BC's page only lets a user edit once the header has a template (3.6 R6): they describe the
    /// interaction, which comes from a template.
    public var needsTemplate: Bool {
        switch self {
        case .correspondenceTypeDefault, .languageCodeDefault, .subjectDefault: return true
        default: return false
        }
    }
}

/// Header → line propagation (reference 3.6 R2, R6).
public enum SegmentPropagation {
    /// What the segment looks like when a header field changes.
    public struct Context: Sendable, Equatable {
        /// The header's template has a Word template.
        public var templateHasWordTemplate: Bool
        /// The segment has a segment-level attachment.
        public var segmentHasAttachment: Bool

        public init(templateHasWordTemplate: Bool, segmentHasAttachment: Bool) {
            self.templateHasWordTemplate = templateHasWordTemplate
            self.segmentHasAttachment = segmentHasAttachment
        }
    }

    /// The changed fields whose new value is written to the lines with the header's template. `updateLines`
    /// is the answer to "Do you want to update the segment lines …?" (false: only the header changes).
    /// A correspondence type goes to the lines only when non-blank and the segment has a Word template or an
    /// attachment ([quirk] 6.9, kept: a blank default would otherwise wipe every line's channel).
    public static func fieldsToPush(
        _ changed: [SegmentHeaderField],
        updateLines: Bool,
        newCorrespondenceTypeIsBlank: Bool,
        context: Context
    ) -> [SegmentHeaderField] {
        guard updateLines else { return [] }
        return changed.filter { field in
            guard field.propagates else { return false }
            if field == .correspondenceTypeDefault {
                return !newCorrespondenceTypeIsBlank
                    && (context.templateHasWordTemplate || context.segmentHasAttachment)
            }
            return true
        }
    }

    /// The question BC asks before pushing a field (kept for the reply text).
    public static func question(_ field: SegmentHeaderField, templateCode: String?) -> String {
        "You have modified \(field.caption). Do you want to update the segment lines where the Interaction "
            + "Template Code is \(templateCode ?? "")?"
    }
}

/// Changing the header template (reference 3.6 R3).
public enum SegmentTemplateChange {
    public enum Outcome: Sendable, Equatable {
        /// Every line gets the new template and the re-defaulted header values.
        case applyToLines
        /// Only the header changes.
        case headerOnly
    }

    /// `applyToLines` is the answer to "Do you want to apply the Interaction Template Code … to all segment
    /// lines?". Refused when the answer is no and a line still shows the segment's inherited attachment.
    public static func decide(applyToLines: Bool, lineCount: Int, inheritedAttachmentLines: Int)
        throws(SegmentRuleError) -> Outcome
    {
        guard lineCount > 0 else { return .headerOnly }
        if applyToLines { return .applyToLines }
        guard inheritedAttachmentLines == 0 else {
            throw SegmentRuleError(SegmentMessages.templateNeedsLineUpdate)
        }
        return .headerOnly
    }
}

/// A refusal by a segment rule; the message is the reference's where it has one.
public struct SegmentRuleError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { self.message }
}
