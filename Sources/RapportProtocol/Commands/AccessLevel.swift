/// Who may run a command; each level includes the ones below it.
public enum AccessLevel: Int, Sendable, Comparable, CaseIterable {
    /// No login needed (HELP, PING, LOGIN, …).
    case anyone
    /// A logged-in salesperson: their own interactions and segments.
    case salesperson
    /// Also templates, acting for any salesperson, canceling and deleting entries.
    case manager
    /// Also user management.
    case administrator

    public static func < (lhs: AccessLevel, rhs: AccessLevel) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The level's name as shown in help and documentation.
    public var name: String {
        switch self {
        case .anyone: return "anyone"
        case .salesperson: return "salesperson"
        case .manager: return "manager"
        case .administrator: return "administrator"
        }
    }
}
