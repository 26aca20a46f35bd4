/// The texts users see from segment operations, worded as in the reference where it gives them.
public enum SegmentMessages {
    public static let segmentNosMissing =
        "Segment Nos. must have a value in Marketing Setup: set one with SETUP-MARKETING segment-nos=<series>"

    public static let templateNeedsLineUpdate =
        "Interaction Template Code may not be modified without updating lines when inherited attachments exist."

    public static func alreadyLogged(_ segmentNo: String) -> String {
        "Logged Segment for Segment No. \(segmentNo) already exists."
    }

    public static func descriptionMissing(_ segmentNo: String) -> String {
        "Description must have a value in Segment Header: No.=\(segmentNo)."
    }

    public static func empty(_ segmentNo: String) -> String {
        "Segment \(segmentNo) is empty."
    }

    public static func logged(_ segmentNo: String) -> String {
        "Segment \(segmentNo) has been logged."
    }

    /// BC's TestField error on a segment line.
    public static func lineFieldMissing(_ field: String, segmentNo: String, lineNo: Int) -> String {
        let fix =
            field == "Attachment No."
            ? "give the line's template content with ATTACHMENT-UPLOAD" : "set it with SEGMENT-LINE-SET"
        return "\(field) must have a value in Segment Line: Segment No.=\(segmentNo), Line No.=\(lineNo); \(fix)"
    }

    public static func emailMissing(contactNo: String) -> String {
        "Make sure that the Email field is specified for either contact no. \(contactNo) or the contact "
            + "alternative address; set it with CONTACT-SET \(contactNo) email=<address>, or log with deliver=false"
    }

    public static func manualNumbersNotAllowed(series: String) -> String {
        "You may not enter numbers manually. If you want to enter numbers manually, please activate "
            + "Manual Nos. in No. Series \(series)."
    }

    public static func noCriteriaActions(_ segmentNo: String) -> String {
        "No. of Criteria Actions must have a value in Segment Header: No.=\(segmentNo); add contacts with "
            + "SEGMENT-ADD-CONTACTS first."
    }

    /// The Reuse Criteria / Reuse Segment confirmation, turned into a refusal unless confirmed.
    public static func reuseNeedsConfirmation(_ segmentNo: String, actions: Int, what: String) -> String {
        "Segment \(segmentNo) already contains \(actions) No. of Criteria Actions. Are you sure you want to "
            + "reuse a \(what)? Send confirm=true to go ahead."
    }

    public static let goBackNothing = "There is no criteria action to undo."

    public static let loggedSegmentRequired =
        "Logged Segment Entry No. must be specified: give logged-segment=<n> or entries=<n>,<m>"

    public static let sameLoggedSegment =
        "The interaction log entries must always be from the same Logged Segment: resend each logged segment on its own"

    public static let nothingToResend = "There is nothing to send. Only Microsoft Word documents can be resent."

    public static func entryCorrespondenceTypeMissing(_ entryNo: Int64) -> String {
        "Correspondence Type must have a value in Interaction Log Entry: Entry No.=\(entryNo); "
            + "choose one with correspondence-type=hard_copy or email"
    }

    public static func loggedSegmentsDeleted(_ count: Int) -> String {
        "\(count) Logged Segment \(count == 1 ? "has" : "have") been deleted."
    }
}

/// The follow-up segment of a logging (reference 3.8 R8).
public enum FollowUpSegment {
    /// BC cuts "Follow-up on segment <no.>" to 50 characters ([quirk] 6.10). A segment number has at most 20
    /// characters, so the text has at most 41 and the cut never bites; the field limit (100) is applied.
    public static func description(for segmentNo: String) -> String {
        ("Follow-up on segment " + segmentNo).prefix(codePoints: 100)
    }
}
