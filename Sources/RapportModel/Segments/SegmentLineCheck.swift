/// The checks Log Segment runs on every line (reference 3.5 R1 with 3.8 R6.1 and R6.4), and what a line
/// becomes when it passes: its final correspondence type and whether it is queued for delivery.
///
/// The store evaluates the same rules set-based over all lines (one query finds the failing lines, one
/// `INSERT … SELECT` writes the entries); this is the rule in one place, in the order of the reference.
public enum SegmentLineCheck {
    /// What the store reads for one line.
    public struct Facts: Sendable, Equatable {
        public var segmentNo: String
        public var lineNo: Int
        public var contactNo: String
        public var hasDate: Bool
        public var salespersonCode: String?
        public var templateCode: String?
        public var correspondenceType: CorrespondenceType?
        /// The contact has a non-empty e-mail address.
        public var contactHasEmail: Bool
        /// The line's alternative address exists and has an e-mail address.
        public var altAddressHasEmail: Bool
        /// The template's default correspondence type.
        public var templateCorrespondenceType: CorrespondenceType?
        public var wordTemplateCode: String?
        public var attachmentNo: Int64?

        public init(
            segmentNo: String,
            lineNo: Int,
            contactNo: String,
            hasDate: Bool = true,
            salespersonCode: String? = nil,
            templateCode: String? = nil,
            correspondenceType: CorrespondenceType? = nil,
            contactHasEmail: Bool = false,
            altAddressHasEmail: Bool = false,
            templateCorrespondenceType: CorrespondenceType? = nil,
            wordTemplateCode: String? = nil,
            attachmentNo: Int64? = nil
        ) {
            self.segmentNo = segmentNo
            self.lineNo = lineNo
            self.contactNo = contactNo
            self.hasDate = hasDate
            self.salespersonCode = salespersonCode
            self.templateCode = templateCode
            self.correspondenceType = correspondenceType
            self.contactHasEmail = contactHasEmail
            self.altAddressHasEmail = altAddressHasEmail
            self.templateCorrespondenceType = templateCorrespondenceType
            self.wordTemplateCode = wordTemplateCode
            self.attachmentNo = attachmentNo
        }
    }

    public enum Outcome: Sendable, Equatable {
        case passes(correspondenceType: CorrespondenceType?, queued: Bool)
        case fails(String)
    }

    /// The first failing check, or the line as it will be logged. `send` is the Send Attachments option.
    /// (The contact, salesperson, template and campaign exist: the line's foreign keys guarantee it.)
    public static func check(_ line: Facts, send: Bool) -> Outcome {
        func missing(_ field: String) -> Outcome {
            .fails(SegmentMessages.lineFieldMissing(field, segmentNo: line.segmentNo, lineNo: line.lineNo))
        }
        guard line.hasDate else { return missing("Date") }
        guard line.salespersonCode != nil else { return missing("Salesperson Code") }
        guard line.templateCode != nil else { return missing("Interaction Template Code") }
        var type = line.correspondenceType
        if type == .email && !line.contactHasEmail && !line.altAddressHasEmail {
            // [quirk] 6.13, kept: silently blank unless the user asked to send.
            if send { return .fails(SegmentMessages.emailMissing(contactNo: line.contactNo)) }
            type = nil
        }
        let queued = send && (type != nil || line.templateCorrespondenceType != nil)
        if queued && line.wordTemplateCode == nil && line.attachmentNo == nil {
            return missing("Attachment No.")
        }
        return .passes(correspondenceType: type, queued: queued)
    }

    /// Send Attachments defaults to true when any line has a correspondence type (reference 3.8).
    public static func defaultSend(anyLineHasCorrespondenceType: Bool) -> Bool {
        anyLineHasCorrespondenceType
    }
}
