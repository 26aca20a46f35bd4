/// The display title of an interaction log entry, as timeline-style pages show it: the template's
/// description, then " - by <salesperson name, else user full name>" for an outbound template or
/// " - from <contact name>" for an inbound one.
public enum LogEntryTitle {
    public static func title(
        templateDescription: String?,
        templateFlow: InformationFlow?,
        salespersonName: String?,
        userFullName: String?,
        contactName: String?
    ) -> String? {
        func nonEmpty(_ text: String?) -> String? { (text?.isEmpty ?? true) ? nil : text }
        var title = templateDescription ?? ""
        switch templateFlow {
        case .outbound:
            if let name = nonEmpty(salespersonName) ?? nonEmpty(userFullName) { title += " - by \(name)" }
        case .inbound:
            if let name = nonEmpty(contactName) { title += " - from \(name)" }
        case nil:
            break
        }
        return title.isEmpty ? nil : title
    }
}
