/// Who may change a segment or a logged segment (ARCHITECTURE.md, roles): a salesperson manages their
/// own, a manager anyone's.
public enum SegmentAccess {
    /// A segment is a salesperson's own when they created it or it carries their salesperson code.
    public static func mayManage(
        role: UserRole,
        userID: String,
        ownSalesperson: String?,
        createdBy: String?,
        segmentSalesperson: String?
    ) -> Bool {
        if role >= .manager { return true }
        if createdBy == userID { return true }
        if let own = ownSalesperson, segmentSalesperson == own { return true }
        return false
    }

    /// A logged segment is a salesperson's own when they logged it.
    public static func mayManageLogged(role: UserRole, userID: String, loggedBy: String) -> Bool {
        role >= .manager || loggedBy == userID
    }

    /// Saved criteria are the saver's own; sets without an owner (saved before owners were kept) are
    /// changed by managers only. Everyone may list and reuse every set.
    public static func mayManageSavedCriteria(role: UserRole, userID: String, savedBy: String?) -> Bool {
        role >= .manager || (savedBy != nil && savedBy == userID)
    }

    /// A salesperson may only put their own salesperson code on a segment or line (blank keeps the contact's).
    public static func mayAssign(role: UserRole, ownSalesperson: String?, salesperson: String?) -> Bool {
        guard role < .manager, let salesperson else { return true }
        return salesperson == ownSalesperson
    }
}
