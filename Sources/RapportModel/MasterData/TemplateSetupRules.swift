/// The checks of the Interaction Template Setup (reference §3.1 R7, §1.5, quirk 17): the
/// template of an event has no attachment (only the meeting invitation's may), and a template for
/// a document event has no language rows at all, since document logging would fail on it.
public enum TemplateSetupRules {
    public enum Problem: Error, Equatable, CustomStringConvertible {
        case attachment(template: String)
        case languages(template: String, language: String?)

        public var description: String {
            switch self {
            case .attachment(let template):
                return "Interaction Template \(template) has an attachment. Only the Meeting Invitation template of "
                    + "the Interaction Template Setup may have one."
            case .languages(let template, let language):
                return "Interaction Template \(template) has assigned Interaction Template Language \(language ?? ""). "
                    + "It is not allowed to have languages assigned to templates used for system document logging."
            }
        }
    }

    /// Checks that `template`, with its language rows `rows`, may be set for `event`.
    public static func check(
        event: TemplateSetupEvent,
        template: String,
        rows: [TemplateLanguageFacts]
    ) throws(Problem) {
        if case .document = event, let first = rows.first {
            throw .languages(template: template, language: first.languageCode)
        }
        if !event.allowsAttachment, rows.contains(where: \.hasAttachment) {
            throw .attachment(template: template)
        }
    }
}
