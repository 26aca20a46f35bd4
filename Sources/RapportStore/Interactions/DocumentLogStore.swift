import LibPQ
import RapportModel

/// Automatic document logging (reference 3.15, section 5): what an ERP calls when a document is printed,
/// sent or created.
public enum DocumentLogStore {
    /// Logs the document's interaction, or nothing (without error) when the setup has no template for the
    /// document type or no contact can be found for the account.
    public static func log(_ connection: PGConnection, _ request: DocumentLogRequest, actor: ActingUser)
        throws -> DocumentLogOutcome
    {
        let type = request.document.type
        // R1: the template of the event; blank = do not log.
        guard
            let templateCode = try connection.query(
                "SELECT template_code FROM interaction_template_setup WHERE event = \(type.rawValue)"
            ).first?.decode(String.self, at: 0)
        else {
            return .skipped("no template is set up for \(type.rawValue) in the interaction template setup")
        }
        // R2: the template must exist and have no language rows.
        guard let (template, languages) = try InteractionLookups.template(connection, templateCode) else {
            throw InteractionValidation.doesNotExist("Interaction Template", "Code", templateCode).storeError
        }
        if let language = languages.first {
            throw StoreError.invalid(
                "Interaction Template \(templateCode) has assigned Interaction Template Language "
                    + "\(language.languageCode ?? ""). It is not allowed to have languages assigned to templates "
                    + "used for system document logging: remove them with TEMPLATE-LANGUAGE-DELETE, or set up "
                    + "another template for \(type.rawValue) with SETUP-SET"
            )
        }
        // R4: the contact (a missing one means: nothing to log).
        let contactNo: String
        switch request.account {
        case .contact(let no):
            contactNo = no
        case .customer(let no), .vendor(let no):
            let linkTo = if case .customer = request.account { "customer" } else { "vendor" }
            guard
                let linked = try connection.query(
                    """
                    SELECT contact_no FROM contact_business_relations
                    WHERE link_to = \(linkTo) AND account_no = \(no)
                    """
                ).first?.decode(String.self, at: 0)
            else { return .skipped("no contact is linked to \(linkTo) \(no)") }
            contactNo = linked
        }
        guard let contact = try InteractionLookups.contact(connection, contactNo) else {
            return .skipped("contact \(contactNo) does not exist")
        }
        // R3, R5: the line.
        let clock = try InteractionLookups.clock(connection)
        var accountIsContact = false
        if case .contact = request.account { accountIsContact = true }
        var draft = InteractionBuilder.document(
            request.document,
            template: template,
            contact: contact,
            accountIsContact: accountIsContact,
            today: clock.today,
            time: clock.exactTime
        )
        // R6: LogInteraction without delivery, not postponed (a blank salesperson is allowed).
        if let code = draft.salespersonCode, try InteractionLookups.salespersonBlocked(connection, code) == nil {
            throw InteractionValidation.doesNotExist("Salesperson/Purchaser", "Code", code).storeError
        }
        if let no = draft.campaignNo, try !InteractionLookups.campaignExists(connection, no) {
            throw InteractionValidation.doesNotExist("Campaign", "No.", no).storeError
        }
        if let problem = InteractionValidation.checkLine(draft) { throw problem.storeError }
        let altAddress = try InteractionLookups.activeAltAddress(connection, contactNo: contact.no, date: clock.today)
        do {
            draft.correspondenceType = try InteractionValidation.emailCorrespondence(
                draft.correspondenceType,
                contactNo: contact.no,
                contactEmail: contact.email,
                altAddressEmail: altAddress?.email,
                deliver: false
            )
        } catch {
            throw error.storeError
        }
        var campaignEntryNo: Int64?
        if let campaignNo = draft.campaignNo {
            campaignEntryNo = try InteractionWriter.campaignEntry(
                connection,
                campaignNo: campaignNo,
                documentType: type,
                date: clock.today,
                userID: actor.userID,
                salespersonCode: draft.salespersonCode
            )
        }
        let extras = InteractionWriter.EntryExtras(
            contactCompanyNo: contact.entryCompanyNo,
            contactAltAddressCode: altAddress?.code,
            attachmentNo: nil,
            userID: actor.userID,
            campaignEntryNo: campaignEntryNo,
            postponed: false,
            deliveryStatus: nil
        )
        let entryNo = try InteractionWriter.insert(connection, draft, extras)
        guard let written = try InteractionLogReader.entry(connection, entryNo) else {
            throw StoreError.conflict("interaction log entry \(entryNo) vanished while it was logged")
        }
        return .logged(LoggedInteraction(entry: written))
    }
}
