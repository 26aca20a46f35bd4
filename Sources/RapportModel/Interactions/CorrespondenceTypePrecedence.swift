/// Which correspondence type an interaction gets (reference 3.2 R3).
public enum CorrespondenceTypePrecedence {
    /// When the rule runs: when a contact is set on a line, or when a template is validated on it.
    /// The two differ in case 2 (a blank template default does not win) and case 4 (keep the old value).
    public enum Variant: Sendable, Equatable {
        case contactSet
        case templateValidation
    }

    /// The segment header's part (only segment lines have one).
    public struct Header: Sendable, Equatable {
        public var ignoreContactCorrespondenceType: Bool
        public var defaultType: CorrespondenceType?

        public init(ignoreContactCorrespondenceType: Bool, defaultType: CorrespondenceType?) {
            self.ignoreContactCorrespondenceType = ignoreContactCorrespondenceType
            self.defaultType = defaultType
        }
    }

    /// The template's part.
    public struct Template: Sendable, Equatable {
        public var ignoreContactCorrespondenceType: Bool
        public var defaultType: CorrespondenceType?

        public init(ignoreContactCorrespondenceType: Bool, defaultType: CorrespondenceType?) {
            self.ignoreContactCorrespondenceType = ignoreContactCorrespondenceType
            self.defaultType = defaultType
        }
    }

    /// The four cases, in order:
    /// 1. the header ignores the contact's type and has a non-blank default → the header default;
    /// 2. the template ignores the contact's type, or the contact's type is blank (and, when validating a
    ///    template, the template default is not blank) → the template default;
    /// 3. the contact's type, if not blank;
    /// 4. otherwise the previous value when validating a template (blank when a contact is set).
    public static func resolve(
        variant: Variant,
        header: Header? = nil,
        template: Template,
        contact: CorrespondenceType?,
        previous: CorrespondenceType?
    ) -> CorrespondenceType? {
        if let header, header.ignoreContactCorrespondenceType, let headerDefault = header.defaultType {
            return headerDefault
        }
        let templateWins = template.ignoreContactCorrespondenceType || contact == nil
        switch variant {
        case .contactSet:
            if templateWins { return template.defaultType }
            return contact
        case .templateValidation:
            if templateWins, let templateDefault = template.defaultType { return templateDefault }
            if let contact { return contact }
            return previous
        }
    }
}
