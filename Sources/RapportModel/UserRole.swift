/// What a user may do. Each role includes everything of the roles before it.
///
/// - salesperson: logs and manages their own interactions and segments;
/// - manager: also sets up templates, acts for any salesperson, cancels anyone's entries and runs
///   deletions of canceled entries;
/// - administrator: also manages users.
public enum UserRole: String, Sendable, CaseIterable, Comparable {
    case salesperson
    case manager
    case administrator

    private var rank: Int {
        switch self {
        case .salesperson: return 1
        case .manager: return 2
        case .administrator: return 3
        }
    }

    public static func < (lhs: UserRole, rhs: UserRole) -> Bool { lhs.rank < rhs.rank }
}
