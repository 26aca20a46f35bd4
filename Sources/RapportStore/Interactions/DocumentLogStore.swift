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
        // R1 and R4 in one round trip: the template of the event (blank = do not log) and the contact of
        // the account (a missing one means: nothing to log).
        var reads = [
            PGQuery("SELECT template_code FROM interaction_template_setup WHERE event = \(type.rawValue)")
        ]
        var linkTo: String?
        switch request.account {
        case .contact: break
        case .customer(let no), .vendor(let no):
            let link = if case .customer = request.account { "customer" } else { "vendor" }
            linkTo = link
            reads.append(
                "SELECT contact_no FROM contact_business_relations WHERE link_to = \(link) AND account_no = \(no)"
            )
        }
        // 3.13 R2: a sales invoice of a contact targeted by a running, activated campaign is logged with it
        // (asked in the same round trip).
        let asksCampaign = type == .salesInvoice && request.document.campaignNo == nil
        if asksCampaign {
            switch request.account {
            case .contact(let no):
                reads.append(CampaignTargetStore.runningCampaignQuery(contactNo: no, link: nil, accountNo: nil))
            case .customer(let no), .vendor(let no):
                reads.append(CampaignTargetStore.runningCampaignQuery(contactNo: nil, link: linkTo, accountNo: no))
            }
        }
        let answers = try connection.queries(reads)
        let contactNo: String?
        switch request.account {
        case .contact(let no): contactNo = no
        case .customer, .vendor: contactNo = try answers[1].first?.decode(String.self, at: 0)
        }
        var request = request
        var targetedBy: String?
        if asksCampaign, contactNo != nil, let answer = answers.last {
            targetedBy = try answer.first?.decode(String.self, at: 0)
            request.document.campaignNo = targetedBy
            // The entry carries the order's number, so that the order's next invoice finds it (BC compares
            // the order number; docs/DECISIONS.md).
            if targetedBy != nil, let orderNo = request.orderNo { request.document.no = orderNo }
        }
        guard let templateCode = try answers[0].first?.decode(String.self, at: 0) else {
            if targetedBy != nil {
                throw StoreError.invalid(
                    "The Invoices field on the Sales FastTab in the Interaction Template Setup window must be "
                        + "filled in."
                )
            }
            return .skipped("no template is set up for \(type.rawValue) in the interaction template setup")
        }
        // Everything the checks read, in one round trip (the entry's number drawn with it).
        var keys = InteractionInput()
        keys.contactNo = contactNo.map(Entered.value) ?? .notEntered
        keys.templateCode = .value(templateCode)
        keys.salespersonCode = request.document.salespersonCode.map(Entered.value) ?? .notEntered
        keys.campaignNo = request.document.campaignNo.map(Entered.value) ?? .notEntered
        let facts = try InteractionReads(connection, input: keys, actor: actor, newEntry: true, uploads: false)
        // R2: the template must exist and have no language rows.
        guard let (template, languages) = try facts.template(templateCode) else {
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
        guard let contactNo else {
            let account =
                switch request.account {
                case .contact(let no), .customer(let no), .vendor(let no): no
                }
            return .skipped("no contact is linked to \(linkTo ?? "") \(account)")
        }
        guard let contact = try facts.contact(contactNo) else {
            return .skipped("contact \(contactNo) does not exist")
        }
        if let campaignNo = targetedBy, let orderNo = request.orderNo,
            try !connection.query(
                """
                SELECT 1 FROM interaction_log_entries
                WHERE document_type = \(type.rawValue) AND contact_no = \(contact.no)
                  AND interaction_group_code = \(template.groupCode) AND document_no = \(orderNo)
                LIMIT 1
                """
            ).isEmpty
        {
            return .skipped("order \(orderNo) already has a sales invoice entry for campaign \(campaignNo)")
        }
        if contact.privacyBlocked {
            return .skipped("contact \(contactNo) is blocked due to privacy")
        }
        // R3, R5: the line.
        var accountIsContact = false
        if case .contact = request.account { accountIsContact = true }
        var draft = InteractionBuilder.document(
            request.document,
            template: template,
            contact: contact,
            accountIsContact: accountIsContact,
            today: facts.clock.today,
            time: facts.clock.exactTime
        )
        // The ledger keeps two decimals: the reply shows what is stored.
        draft.cost = draft.cost.roundedToCents
        draft.duration = draft.duration.roundedToCents
        // R6: LogInteraction without delivery, not postponed (a blank salesperson is allowed).
        if let code = draft.salespersonCode, try facts.salespersonBlocked(code) == nil {
            throw InteractionValidation.doesNotExist("Salesperson/Purchaser", "Code", code).storeError
        }
        if let no = draft.campaignNo, try !facts.campaignExists(no) {
            throw InteractionValidation.doesNotExist("Campaign", "No.", no).storeError
        }
        if let problem = InteractionValidation.checkLine(draft) { throw problem.storeError }
        let altAddress = try facts.activeAltAddress(contactNo: contact.no, date: facts.clock.today)
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
                date: facts.clock.today,
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
        let entryNo = try InteractionWriter.insert(connection, entryNo: facts.entryNo, draft, extras)
        if draft.campaignTarget, let campaignNo = draft.campaignNo {
            CampaignTargetStore.enqueueTarget(
                connection,
                campaignNo: campaignNo,
                contactNo: contact.entryCompanyNo ?? contact.no
            )
        }
        return .logged(
            LoggedInteraction(
                entry: try facts.entryAsWritten(
                    entryNo: entryNo,
                    draft: draft,
                    extras: extras,
                    template: template,
                    contactNo: contact.no,
                    hasComments: false,
                    resumed: nil
                )
            )
        )
    }
}
