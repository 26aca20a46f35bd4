/// Which salesperson an interaction without a segment gets (reference 3.2 R5).
public enum SalespersonChoice {
    /// Create Interaction guide: the salesperson given, else the user's own salesperson (User Setup), else —
    /// unless the guide was opened for a salesperson — the contact's salesperson.
    public static func forInteraction(
        entered: Entered<String>,
        userSalesperson: String?,
        contactSalesperson: String?,
        openedForSalesperson: Bool = false
    ) -> String? {
        switch entered {
        case .value(let code): return code
        case .blank: return nil
        case .notEntered:
            if let userSalesperson { return userSalesperson }
            return openedForSalesperson ? nil : contactSalesperson
        }
    }

    /// "Create Interaction" started from a contact: the single salesperson whose e-mail equals the user's
    /// authentication e-mail, else the contact's salesperson.
    ///
    /// - Parameter salespeopleWithUserEmail: codes of the salespeople whose e-mail is the user's.
    public static func fromContact(salespeopleWithUserEmail: [String], contactSalesperson: String?) -> String? {
        salespeopleWithUserEmail.count == 1 ? salespeopleWithUserEmail[0] : contactSalesperson
    }

    /// Document logging: the salesperson passed by the document (may be blank); for a document logged
    /// against a contact (not a customer or vendor) a blank one defaults to the contact's (reference 3.15 R4).
    public static func forDocument(passed: String?, accountIsContact: Bool, contactSalesperson: String?) -> String? {
        if let passed { return passed }
        return accountIsContact ? contactSalesperson : nil
    }
}
