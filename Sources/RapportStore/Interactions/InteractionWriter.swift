import LibPQ
import RapportModel
import RapportProtocol

/// The writes of logging one interaction (reference 3.5 R2–R6), each in the caller's transaction.
enum InteractionWriter {
    /// The entry fields that are not in the draft.
    struct EntryExtras {
        var contactCompanyNo: String?
        var contactAltAddressCode: String?
        var attachmentNo: Int64?
        var userID: String
        var campaignEntryNo: Int64?
        var postponed: Bool
        var deliveryStatus: DeliveryStatus?
        /// The attachment was merged for this entry (issue 15).
        var merged = false
    }

    /// Inserts a new entry (reference 3.5 R4) and returns its number. With a number drawn beforehand
    /// (`InteractionReads`) the insert is only queued: it needs no answer and goes out with the COMMIT.
    @discardableResult
    static func insert(
        _ connection: PGConnection,
        entryNo: Int64? = nil,
        _ draft: InteractionDraft,
        _ extras: EntryExtras
    )
        throws -> Int64
    {
        var query = PGQuery(sql: "")
        let number = query.bind(entryNo)
        let pairs = Self.assignments(draft, extras, into: &query)
        query.sql = """
            INSERT INTO interaction_log_entries (entry_no, \(pairs.map(\.column).joined(separator: ", ")))
            OVERRIDING SYSTEM VALUE
            VALUES (COALESCE(\(number)::bigint, nextval(pg_get_serial_sequence('interaction_log_entries', 'entry_no'))),
                    \(pairs.map(\.value).joined(separator: ", ")))
            RETURNING entry_no
            """
        // Deferrable: in a group commit's batch, the batch's entries become one multi-row INSERT (one run
        // of the ledger's reference guard for all of them).
        return try Self.run(connection, query, drawn: entryNo, deferrable: true)
    }

    /// Queues `query` when its number was drawn beforehand (nothing to wait for), else runs it for the
    /// number it returns.
    static func run(_ connection: PGConnection, _ query: PGQuery, drawn: Int64?, deferrable: Bool = false) throws
        -> Int64
    {
        if let drawn {
            if deferrable { connection.enqueueDeferrable(query) } else { connection.enqueue(query) }
            return drawn
        }
        return try connection.query(query)[0].decode(Int64.self, at: 0)
    }

    /// Rewrites a resumed postponed entry with every field of the draft (reference 3.4 R3). Queued.
    static func update(_ connection: PGConnection, entryNo: Int64, _ draft: InteractionDraft, _ extras: EntryExtras) {
        var query = PGQuery(sql: "")
        let pairs = Self.assignments(draft, extras, into: &query)
        let entry = query.bind(entryNo)
        query.sql = """
            UPDATE interaction_log_entries
            SET \(pairs.map { "\($0.column) = \($0.value)" }.joined(separator: ", "))
            WHERE entry_no = \(entry)
            """
        connection.enqueue(query)
    }

    /// Column names and their placeholders (with casts to the column types), binding the values to `query`.
    private static func assignments(_ draft: InteractionDraft, _ extras: EntryExtras, into query: inout PGQuery)
        -> [(column: String, value: String)]
    {
        var pairs: [(column: String, value: String)] = []
        func add(_ column: String, _ value: some PGEncodable, cast: String = "") {
            pairs.append((column, query.bind(value) + cast))
        }
        add("contact_no", draft.contactNo)
        add("contact_company_no", extras.contactCompanyNo)
        add("date", draft.date?.pgValue, cast: "::date")
        add("description", draft.description)
        add("information_flow", draft.informationFlow?.rawValue)
        add("initiated_by", draft.initiatedBy?.rawValue)
        add("attachment_no", extras.attachmentNo)
        add("cost", draft.cost, cast: "::numeric")
        add("duration", draft.duration, cast: "::numeric")
        add("user_id", extras.userID)
        add("interaction_group_code", draft.groupCode)
        add("interaction_template_code", draft.templateCode)
        add("campaign_no", draft.campaignNo)
        add("campaign_entry_no", extras.campaignEntryNo)
        add("campaign_response", draft.campaignResponse)
        add("campaign_target", draft.campaignTarget)
        add("evaluation", draft.evaluation?.rawValue)
        add("time_of_interaction", draft.time?.pgValue, cast: "::time")
        add("attempt_failed", draft.attemptFailed)
        add("task_no", draft.taskNo)
        add("salesperson_code", draft.salespersonCode)
        add("delivery_status", extras.deliveryStatus?.rawValue)
        add("correspondence_type", draft.correspondenceType?.rawValue)
        add("contact_alt_address_code", extras.contactAltAddressCode)
        add("document_type", draft.documentType?.rawValue)
        add("document_no", draft.documentNo)
        add("version_no", draft.versionNo)
        add("doc_no_occurrence", draft.docNoOccurrence)
        add("contact_via", draft.contactVia)
        add("interaction_language_code", draft.languageCode)
        add("subject", draft.subject)
        add("opportunity_no", draft.opportunityNo)
        add("postponed", extras.postponed)
        add("word_template_code", draft.wordTemplateCode)
        add("merged", extras.merged)
        return pairs
    }

    /// Replaces the entry's comment lines (10000, 20000, …) dated `date` (reference 1.7, 3.5 R4). Queued.
    static func replaceComments(_ connection: PGConnection, entryNo: Int64, lines: [String], date: CalendarDate) {
        connection.enqueue("DELETE FROM interaction_log_entry_comments WHERE entry_no = \(entryNo)")
        guard !lines.isEmpty else { return }
        connection.enqueueDeferrable(
            """
            INSERT INTO interaction_log_entry_comments (entry_no, line_no, date, comment)
            SELECT \(entryNo), line.ord * \(CommentLines.lineNoStep), \(date.pgValue)::date, line.text
            FROM unnest(\(lines)::text[]) WITH ORDINALITY AS line(text, ord)
            """
        )
    }

    /// The campaign entry of the interaction (reference 3.12 R6): the one of the same campaign, document type
    /// and (no) segment, created when missing. The unique key lets concurrent sessions race safely.
    static func campaignEntry(
        _ connection: PGConnection,
        campaignNo: String,
        documentType: DocumentType?,
        date: CalendarDate,
        userID: String,
        salespersonCode: String?
    ) throws -> Int64 {
        let description = CampaignEntryDescription.forInteraction(documentType: documentType)
        let inserted = try connection.query(
            """
            INSERT INTO campaign_entries (campaign_no, description, date, user_id, salesperson_code, document_type)
            VALUES (\(campaignNo), \(description), \(date.pgValue)::date, \(userID), \(salespersonCode),
                    \(documentType?.rawValue))
            ON CONFLICT ON CONSTRAINT campaign_entries_reuse_key DO NOTHING
            RETURNING entry_no
            """
        )
        if let row = inserted.first { return try row.decode(Int64.self, at: 0) }
        return try connection.query(
            """
            SELECT entry_no FROM campaign_entries
            WHERE campaign_no = \(campaignNo) AND document_type IS NOT DISTINCT FROM \(documentType?.rawValue)
              AND segment_no IS NULL
            """
        )[0].decode(Int64.self, at: 0)
    }

    /// Queues the entry for sending (reference 3.5 R5; the worker completes it). Queued with the COMMIT.
    static func enqueueDelivery(_ connection: PGConnection, entryNo: Int64) {
        connection.enqueueDeferrable("INSERT INTO delivery_outbox (entry_no) VALUES (\(entryNo))")
    }
}

/// Attachments of log entries (reference 1.16, 3.5 R3): stored in the database, read-only once logged.
enum InteractionAttachments {
    /// Stores uploaded content and returns its number; with a number drawn beforehand, only queued.
    static func store(_ connection: PGConnection, _ upload: InteractionAttachment, as drawn: Int64?, readOnly: Bool)
        throws -> Int64
    {
        try InteractionWriter.run(
            connection,
            """
            INSERT INTO attachments (no, file_name, file_extension, content_type, size_bytes, content, read_only)
            OVERRIDING SYSTEM VALUE
            VALUES (COALESCE(\(drawn)::bigint, nextval(pg_get_serial_sequence('attachments', 'no'))), \(upload.fileName),
                    \(upload.fileExtension), \(upload.contentType), \(upload.content.count), \(PGBytes(upload.content)),
                    \(readOnly))
            RETURNING no
            """,
            drawn: drawn
        )
    }

    /// Copies a template's attachment for an entry (the entry keeps its content when the template changes);
    /// with a number drawn beforehand, only queued.
    static func copy(_ connection: PGConnection, from no: Int64, as drawn: Int64?, readOnly: Bool) throws -> Int64 {
        try InteractionWriter.run(
            connection,
            """
            INSERT INTO attachments (no, file_name, file_extension, content_type, size_bytes, content, read_only)
            OVERRIDING SYSTEM VALUE
            SELECT COALESCE(\(drawn)::bigint, nextval(pg_get_serial_sequence('attachments', 'no'))), file_name, file_extension,
                   content_type, size_bytes, content, \(readOnly)
            FROM attachments WHERE no = \(no)
            RETURNING no
            """,
            drawn: drawn
        )
    }

    /// Replaces the content of a postponed entry's own attachment, which keeps its number (reference 3.4 R3).
    /// False when the attachment is read-only or shared, so a new one must be stored instead.
    static func replace(_ connection: PGConnection, no: Int64, entryNo: Int64, with upload: InteractionAttachment)
        throws -> Bool
    {
        let changed = try connection.execute(
            """
            UPDATE attachments
            SET file_name = \(upload.fileName), file_extension = \(upload.fileExtension),
                content_type = \(upload.contentType), size_bytes = \(upload.content.count),
                content = \(PGBytes(upload.content)), last_modified_at = now()
            WHERE no = \(no) AND NOT read_only
              AND NOT EXISTS (SELECT 1 FROM interaction_log_entries e WHERE e.attachment_no = \(no)
                              AND e.entry_no <> \(entryNo))
              AND NOT EXISTS (SELECT 1 FROM interaction_template_languages t WHERE t.attachment_no = \(no))
              AND NOT EXISTS (SELECT 1 FROM segment_interaction_languages s WHERE s.attachment_no = \(no))
              AND NOT EXISTS (SELECT 1 FROM segment_lines l WHERE l.attachment_no = \(no))
            """
        )
        return changed == 1
    }

    /// Queued.
    static func markReadOnly(_ connection: PGConnection, _ no: Int64) {
        connection.enqueue("UPDATE attachments SET read_only = true WHERE no = \(no) AND NOT read_only")
    }

    /// Deletes the attachments that nothing refers to any more (after an UPDATE cleared or replaced them; the
    /// delete triggers of 0007 only cover deleted rows). Queued.
    static func deleteUnreferenced(_ connection: PGConnection, _ numbers: [Int64]) {
        guard !numbers.isEmpty else { return }
        let list = PGInt64Array(numbers)
        connection.enqueue(
            """
            DELETE FROM attachments a
            WHERE a.no = ANY(\(list))
              AND NOT EXISTS (SELECT 1 FROM interaction_template_languages t WHERE t.attachment_no = a.no)
              AND NOT EXISTS (SELECT 1 FROM segment_interaction_languages s WHERE s.attachment_no = a.no)
              AND NOT EXISTS (SELECT 1 FROM segment_lines l WHERE l.attachment_no = a.no)
              AND NOT EXISTS (SELECT 1 FROM interaction_log_entries e WHERE e.attachment_no = a.no)
            """
        )
    }

    /// Refuses content over the setup's limit (`InteractionReads` read it).
    static func checkSize(_ upload: InteractionAttachment, maximum: Int) throws {
        guard upload.content.count <= maximum else {
            throw StoreError.invalid(
                "the attachment has \(upload.content.count) bytes; the limit is \(maximum) bytes: send a smaller "
                    + "file, or raise the limit with SETUP-MARKETING max-attachment-bytes=<n>"
            )
        }
    }
}
