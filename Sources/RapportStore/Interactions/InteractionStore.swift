import LibPQ
import RapportModel
import RapportProtocol

/// Creating an interaction for one contact (the Create Interaction guide, reference 3.3), postponing it and
/// resuming a postponed one (3.4). Each function runs in the caller's transaction.
public enum InteractionStore {
    /// Logs (or, with `postpone`, saves for later) a new interaction.
    ///
    /// Two round trips with whatever the caller queued (BEGIN, an idempotency claim) and queues after
    /// (the reply's record, COMMIT): every read in the first (`InteractionReads`), every write in the
    /// second; only a campaign's entry, made on first use, costs one more.
    public static func create(_ connection: PGConnection, _ request: InteractionRequest, actor: ActingUser)
        throws -> LoggedInteraction
    {
        let reads = try InteractionReads(
            connection,
            input: request.input,
            actor: actor,
            newEntry: true,
            uploads: request.attachment != nil
        )
        let sources = try self.sources(
            reads,
            contactNo: request.input.contactNo.value,
            templateCode: request.input.templateCode.value
        )
        let draft = InteractionBuilder.newInteraction(
            request.input,
            sources: sources.builder,
            today: reads.clock.today,
            time: reads.clock.guideTime,
            userSalesperson: actor.salespersonCode
        )
        return try self.finish(reads, draft, sources, request, actor: actor, resumed: nil)
    }

    /// The statements `create` asks first (its reads), for reading them ahead in a group commit's batch.
    public static func createReads(_ request: InteractionRequest, actor: ActingUser) -> [PGQuery] {
        InteractionReads.statements(
            input: request.input,
            actor: actor,
            newEntry: true,
            uploads: request.attachment != nil
        )
    }

    /// Completes (or postpones again) a postponed entry: the same entry number is updated (reference 3.4).
    public static func resume(
        _ connection: PGConnection,
        entryNo: Int64,
        _ request: InteractionRequest,
        actor: ActingUser
    ) throws -> LoggedInteraction {
        guard let entry = try InteractionLogReader.entry(connection, entryNo, lock: true) else {
            throw StoreError.notFound("Postponed interaction \(entryNo) does not exist.")
        }
        guard entry.postponed else {
            throw StoreError.conflict("Interaction log entry \(entryNo) is not postponed.")
        }
        guard actor.mayActFor(entry.draft.salespersonCode) else {
            throw AccessDenied(
                "Postponed interaction \(entryNo) belongs to salesperson \(entry.draft.salespersonCode ?? "(blank)")."
            )
        }
        let contactNo = request.input.contactNo.resolved(or: entry.draft.contactNo)
        let templateCode = request.input.templateCode.resolved(or: entry.draft.templateCode)
        var keys = request.input
        keys.contactNo = contactNo.map(Entered.value) ?? .notEntered
        keys.templateCode = templateCode.map(Entered.value) ?? .notEntered
        keys.salespersonCode =
            request.input.salespersonCode.resolved(or: entry.draft.salespersonCode)
            .map(Entered.value) ?? .notEntered
        let reads = try InteractionReads(
            connection,
            input: keys,
            actor: actor,
            newEntry: false,
            uploads: request.attachment != nil
        )
        let sources = try self.sources(reads, contactNo: contactNo, templateCode: templateCode)
        let draft = InteractionBuilder.resumed(
            entry.draft,
            input: request.input,
            sources: sources.builder,
            today: reads.clock.today
        )
        return try self.finish(reads, draft, sources, request, actor: actor, resumed: entry)
    }

    /// The template and contact named by a request; a named one that does not exist is refused.
    struct LoadedSources {
        var template: InteractionTemplateDefaults?
        var languages: [InteractionLanguageRowWithAttachment]
        var contact: InteractionContact?

        var builder: InteractionBuilder.Sources {
            .init(template: self.template, templateLanguages: self.languages.map(\.row), contact: self.contact)
        }
    }

    static func sources(_ reads: InteractionReads, contactNo: String?, templateCode: String?) throws
        -> LoadedSources
    {
        var loaded = LoadedSources(template: nil, languages: [], contact: nil)
        if let contactNo {
            guard let contact = try reads.contact(contactNo) else {
                throw InteractionValidation.doesNotExist("Contact", "No.", contactNo)
                    .withFix("send another contact= (CONTACT-LIST shows them)").storeError
            }
            loaded.contact = contact
        }
        if let templateCode {
            guard let (template, languages) = try reads.template(templateCode) else {
                throw InteractionValidation.doesNotExist("Interaction Template", "Code", templateCode)
                    .withFix("send another template= (TEMPLATE-LIST shows them), or create it with TEMPLATE-ADD")
                    .storeError
            }
            loaded.template = template
            loaded.languages = languages
        }
        return loaded
    }

    /// Checks, then writes: reference 3.3 R6 (guide checks), 3.5 R1 (line checks, e-mail), R2 (campaign
    /// entry), R3 (attachment), R4 (entry and comments), R5 (delivery). The writes are queued: they go
    /// out with the caller's COMMIT.
    private static func finish(
        _ reads: InteractionReads,
        _ built: InteractionDraft,
        _ sources: LoadedSources,
        _ request: InteractionRequest,
        actor: ActingUser,
        resumed: InteractionLogEntry?
    ) throws -> LoggedInteraction {
        let connection = reads.connection
        let today = reads.clock.today
        var draft = built
        // The ledger keeps two decimals (numeric(18,2)): the reply shows what is stored.
        draft.cost = draft.cost.roundedToCents
        draft.duration = draft.duration.roundedToCents
        try self.checkReferences(reads, draft)
        var content = self.content(draft, sources, request, resumed: resumed)
        if let problem = InteractionValidation.checkGuide(
            draft,
            wizardAction: sources.template?.wizardAction,
            // A merge template has a layout or a Word template (3.1 R4): its content is merged below.
            hasContent: content.exists || sources.template?.wizardAction == .merge
        ) {
            throw problem.storeError
        }
        guard actor.mayActFor(draft.salespersonCode) else {
            throw AccessDenied(
                "A salesperson may only create interactions for their own salesperson code "
                    + "(\(actor.salespersonCode ?? "none")), not for \(draft.salespersonCode ?? "(blank)")."
            )
        }
        if let code = draft.salespersonCode, try reads.salespersonBlocked(code) == true {
            throw StoreError.invalid(
                "You cannot use salesperson \(code) because they are blocked: send another salesperson=, "
                    + "or unblock them with SALESPERSON-SET"
            )
        }
        let contact = sources.contact!
        if contact.privacyBlocked {
            throw StoreError.invalid(InteractionValidation.privacyBlocked(contact.no))
        }
        // Only when the request names them: an opportunity (open, of the contact's company and salesperson)
        // and a task (not canceled).
        if let opportunityNo = draft.opportunityNo {
            try OpportunityStore.checkLink(
                connection,
                opportunityNo: opportunityNo,
                contactNo: contact.no,
                contactCompanyNo: contact.entryCompanyNo,
                salespersonCode: draft.salespersonCode
            )
        }
        if let taskNo = draft.taskNo { try TaskStore.checkLink(connection, taskNo) }
        let altAddress = try reads.activeAltAddress(contactNo: contact.no, date: draft.date!)
        let postponed = request.postpone
        var campaignEntryNo: Int64?
        if !postponed {
            if let problem = InteractionValidation.checkLine(draft) { throw problem.storeError }
            do {
                draft.correspondenceType = try InteractionValidation.emailCorrespondence(
                    draft.correspondenceType,
                    contactNo: contact.no,
                    contactEmail: contact.email,
                    altAddressEmail: altAddress?.email,
                    deliver: request.deliver
                )
            } catch {
                throw error.storeError
            }
            // Before anything is written: an e-mail to deliver needs this server's relay.
            if request.deliver, draft.correspondenceType == .email, request.emailRelayMissing {
                throw StoreError.invalid(InteractionValidation.noEmailRelay)
            }
            if let campaignNo = draft.campaignNo {
                campaignEntryNo = try InteractionWriter.campaignEntry(
                    connection,
                    campaignNo: campaignNo,
                    documentType: nil,
                    date: draft.date!,
                    userID: actor.userID,
                    salespersonCode: draft.salespersonCode
                )
            }
        }
        // Issue 15: a merge template's layout, merged for this contact, is the entry's own attachment.
        var merged = false
        if !postponed, request.attachment == nil, sources.template?.wizardAction == .merge,
            let document = try MergeWriter.document(
                connection,
                MergeKeys(
                    entryNo: resumed?.entryNo ?? reads.entryNo,
                    contactNo: contact.no,
                    altAddressCode: altAddress?.code,
                    salespersonCode: draft.salespersonCode,
                    campaignNo: draft.campaignNo,
                    date: draft.date?.description,
                    description: draft.description,
                    subject: draft.subject,
                    languageCode: draft.languageCode,
                    templateCode: draft.templateCode
                )
            )
        {
            content = .upload(document)
            merged = true
        }
        let delivers = request.deliver && !postponed && draft.correspondenceType != nil
        let attachmentNo = try self.writeContent(reads, content, resumed: resumed, readOnly: !postponed)
        let extras = InteractionWriter.EntryExtras(
            contactCompanyNo: contact.entryCompanyNo,
            contactAltAddressCode: altAddress?.code,
            attachmentNo: attachmentNo,
            userID: actor.userID,
            campaignEntryNo: campaignEntryNo,
            postponed: postponed,
            deliveryStatus: delivers ? .inProgress : nil,
            merged: merged
        )
        let entryNo: Int64
        if let resumed {
            entryNo = resumed.entryNo
            InteractionWriter.update(connection, entryNo: entryNo, draft, extras)
            if let old = resumed.attachmentNo, old != attachmentNo {
                InteractionAttachments.deleteUnreferenced(connection, [old])
            }
        } else {
            entryNo = reads.entryNo!
            try InteractionWriter.insert(connection, entryNo: entryNo, draft, extras)
        }
        if let comments = request.comments {
            InteractionWriter.replaceComments(connection, entryNo: entryNo, lines: comments, date: today)
        }
        if delivers { InteractionWriter.enqueueDelivery(connection, entryNo: entryNo) }
        if !postponed, draft.campaignTarget, let campaignNo = draft.campaignNo {
            CampaignTargetStore.enqueueTarget(
                connection,
                campaignNo: campaignNo,
                contactNo: contact.entryCompanyNo ?? contact.no
            )
        }
        let written = try reads.entryAsWritten(
            entryNo: entryNo,
            draft: draft,
            extras: extras,
            template: sources.template,
            contactNo: contact.no,
            hasComments: request.comments.map { !$0.isEmpty } ?? resumed?.hasComments ?? false,
            resumed: resumed
        )
        return LoggedInteraction(entry: written)
    }

    /// Entered codes must name existing records (BC refuses them as they are typed, before any other check).
    private static func checkReferences(_ reads: InteractionReads, _ draft: InteractionDraft) throws {
        if let code = draft.salespersonCode, try reads.salespersonBlocked(code) == nil {
            throw InteractionValidation.doesNotExist("Salesperson/Purchaser", "Code", code)
                .withFix("send another salesperson= (SALESPERSON-LIST shows them), or create it with SALESPERSON-ADD")
                .storeError
        }
        if let no = draft.campaignNo, try !reads.campaignExists(no) {
            throw InteractionValidation.doesNotExist("Campaign", "No.", no)
                .withFix("send another campaign= or campaign= for none, or create it with CAMPAIGN-ADD").storeError
        }
        if let code = draft.languageCode, try !reads.languageExists(code) {
            throw InteractionValidation.doesNotExist("Language", "Code", code)
                .withFix("send another language= or language= for none, or create it with LANGUAGE-ADD").storeError
        }
    }

    /// Where the entry's content comes from.
    enum Content {
        case none
        case upload(InteractionAttachment)
        /// The resumed entry's own attachment, kept.
        case kept(Int64)
        /// The attachment of the template's language row, copied for the entry.
        case template(Int64)

        var exists: Bool {
            if case .none = self { return false }
            return true
        }
    }

    /// An upload wins; a resumed entry keeps its attachment unless it is removed or its template or language
    /// changed; otherwise the chosen language row's attachment (reference 3.2 R4, 3.3 R3 "load it").
    private static func content(
        _ draft: InteractionDraft,
        _ sources: LoadedSources,
        _ request: InteractionRequest,
        resumed: InteractionLogEntry?
    ) -> Content {
        if let upload = request.attachment { return .upload(upload) }
        if request.removeAttachment { return .none }
        if let resumed, let kept = resumed.attachmentNo,
            resumed.draft.templateCode == draft.templateCode, resumed.draft.languageCode == draft.languageCode
        {
            return .kept(kept)
        }
        let row = sources.languages.first { $0.languageCode == draft.languageCode }
        return row?.attachmentNo.map(Content.template) ?? .none
    }

    private static func writeContent(
        _ reads: InteractionReads,
        _ content: Content,
        resumed: InteractionLogEntry?,
        readOnly: Bool
    ) throws -> Int64? {
        let connection = reads.connection
        switch content {
        case .none:
            return nil
        case .kept(let no):
            if readOnly { InteractionAttachments.markReadOnly(connection, no) }
            return no
        case .template(let no):
            return try InteractionAttachments.copy(
                connection,
                from: no,
                as: reads.takeAttachmentNo(),
                readOnly: readOnly
            )
        case .upload(let upload):
            try InteractionAttachments.checkSize(upload, maximum: reads.maximumAttachmentBytes)
            if let resumed, let old = resumed.attachmentNo,
                try InteractionAttachments.replace(connection, no: old, entryNo: resumed.entryNo, with: upload)
            {
                if readOnly { InteractionAttachments.markReadOnly(connection, old) }
                return old
            }
            return try InteractionAttachments.store(
                connection,
                upload,
                as: reads.takeAttachmentNo(),
                readOnly: readOnly
            )
        }
    }
}
