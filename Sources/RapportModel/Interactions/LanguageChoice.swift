/// Which language variant of a template an interaction uses (reference 3.2 R4, FindLanguage).
public enum LanguageChoice {
    /// Create Interaction guide and document logging (no segment): the contact's language if the template
    /// has a language row for it, else the template's Language Code (Default). Blank languages are nil; a
    /// template row for the blank language matches a contact without a language.
    ///
    /// - Parameter templateLanguages: the language codes of the template's rows (nil = the blank language).
    public static func forInteraction(
        contactLanguage: String?,
        templateLanguages: [String?],
        templateDefault: String?
    ) -> String? {
        if templateLanguages.contains(contactLanguage) { return contactLanguage }
        return templateDefault
    }

    /// A segment line whose template is the header's and has no content of its own: the contact's language if
    /// a segment-level row exists for it, else the header's Language Code (Default).
    public static func forInheritedSegmentLine(
        contactLanguage: String?,
        segmentLanguages: [String?],
        headerDefault: String?
    ) -> String? {
        if segmentLanguages.contains(contactLanguage) { return contactLanguage }
        return headerDefault
    }

    /// A segment line with its own template/content: the contact's language if a line-level row exists for
    /// it, else the template's default language if a line-level row exists for that, else the first
    /// line-level row's language (nil when the line has no rows).
    public static func forLineWithOwnContent(
        contactLanguage: String?,
        lineLanguages: [String?],
        templateDefault: String?
    ) -> String? {
        if lineLanguages.contains(contactLanguage) { return contactLanguage }
        if lineLanguages.contains(templateDefault) { return templateDefault }
        return lineLanguages.first ?? nil
    }
}
