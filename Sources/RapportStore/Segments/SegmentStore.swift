import LibPQ
import RapportModel

/// Segment headers (reference 1.8, 3.6 R1–R6): create, change with propagation to the lines, show, list,
/// delete. Every function runs in the caller's transaction.
public enum SegmentStore {
    /// Creates a segment (3.6 R1): the number from Segment Nos., or `no` when typed and the series allows
    /// manual numbers; Date := today, salesperson := the user's; then `changes` as SEGMENT-SET applies them.
    public static func create(
        _ connection: PGConnection,
        actor: ActingUser,
        no typed: String?,
        changes: SegmentHeaderChanges
    ) throws -> SegmentHeaderRecord {
        let series = try connection.query("SELECT segment_nos FROM marketing_setup").first?.decode(String?.self, at: 0)
        let no: String
        var usedSeries: String?
        if let typed {
            // BC's TestManual: a typed number needs a series that allows manual numbers; with no series
            // configured there is nothing to forbid it.
            if let series {
                let manual =
                    try connection.query("SELECT allow_manual FROM number_series WHERE code = \(series)")
                    .first?.decode(Bool.self, at: 0) ?? false
                guard manual else { throw StoreError.invalid(SegmentMessages.manualNumbersNotAllowed(series: series)) }
            }
            no = typed
        } else {
            no = try Self.nextNumber(connection, series: series)
            usedSeries = series
        }
        try Self.refuseLoggedNumber(connection, no)
        let salesperson = changes.salespersonCode ?? actor.salespersonCode
        if changes.salespersonCode != nil { try Self.checkSalesperson(connection, actor, salesperson) }
        let inserted = try connection.execute(
            """
            INSERT INTO segment_headers (no, no_series, salesperson_code, date, created_by)
            VALUES (\(no), \(usedSeries), \(salesperson), CURRENT_DATE, \(actor.userID))
            ON CONFLICT (no) DO NOTHING
            """
        )
        guard inserted == 1 else { throw StoreError.conflict("Segment \(no) already exists.") }
        var rest = changes
        rest.salespersonCode = nil
        _ = try Self.apply(connection, actor: actor, no: no, rest)
        return try SegmentReader.header(connection, no)!
    }

    /// The next number of Segment Nos. (also for follow-up segments).
    static func nextNumber(_ connection: PGConnection, series: String?) throws -> String {
        guard let series else { throw StoreError.invalid(SegmentMessages.segmentNosMissing) }
        return try connection.query("SELECT rapport_next_number(\(series))")[0].decode(String.self, at: 0)
    }

    static func refuseLoggedNumber(_ connection: PGConnection, _ no: String) throws {
        if try !connection.query("SELECT 1 FROM logged_segments WHERE segment_no = \(no)").isEmpty {
            throw StoreError.conflict(SegmentMessages.alreadyLogged(no))
        }
    }

    /// Changes header fields (3.6 R2–R6). Returns the header and how many lines were updated.
    public static func set(_ connection: PGConnection, actor: ActingUser, no: String, _ changes: SegmentHeaderChanges)
        throws -> (header: SegmentHeaderRecord, linesUpdated: Int)
    {
        _ = try Self.owned(connection, actor: actor, no: no)
        if changes.salespersonCode != nil { try Self.checkSalesperson(connection, actor, changes.salespersonCode!) }
        let updated = try Self.apply(connection, actor: actor, no: no, changes)
        return (try SegmentReader.header(connection, no)!, updated)
    }

    /// Locks the header and checks the actor may change it.
    @discardableResult
    static func owned(_ connection: PGConnection, actor: ActingUser, no: String) throws -> LockedSegment {
        guard let header = try SegmentReader.lock(connection, no) else {
            throw StoreError.notFound("Segment \(no) does not exist.")
        }
        guard actor.mayManage(createdBy: header.createdBy, salesperson: header.salespersonCode) else {
            throw AccessDenied("segment \(no) belongs to another salesperson")
        }
        return header
    }

    static func checkSalesperson(_ connection: PGConnection, _ actor: ActingUser, _ code: String?) throws {
        try actor.checkAssign(code)
        guard let code else { return }
        guard
            let blocked = try connection.query("SELECT blocked FROM salespeople WHERE code = \(code)").first?
                .decode(Bool.self, at: 0)
        else {
            throw StoreError.notFound(
                "The Salesperson/Purchaser \(code) does not exist: add it with SALESPERSON-ADD, or choose another salesperson="
            )
        }
        guard !blocked else {
            throw StoreError.invalid(
                "Salesperson \(code) is blocked: choose another salesperson=, or unblock it with SALESPERSON-SET \(code) blocked=false"
            )
        }
    }

    private static func apply(
        _ connection: PGConnection,
        actor: ActingUser,
        no: String,
        _ changes: SegmentHeaderChanges
    )
        throws -> Int
    {
        var updated = 0
        if let template = changes.templateCode {
            updated += try SegmentTemplateApplier.apply(
                connection,
                segmentNo: no,
                templateCode: template,
                applyToLines: changes.applyTemplateToLines
            )
        }
        var header = try SegmentReader.header(connection, no)!
        try Self.checkInteractionFields(header, changes)
        var fields = changes.changedFields
        var assignments: [String] = []
        var query = PGQuery(sql: "")
        func assign(_ column: String, _ value: some PGEncodable, cast: String = "") {
            assignments.append("\(column) = \(query.bind(value))\(cast)")
        }
        if let value = changes.description { assign("description", value) }
        if let value = changes.campaignNo {
            assign("campaign_no", value)
            if value == nil {
                // The page resets the campaign flags with the campaign.
                assign("campaign_target", false)
                assign("campaign_response", false)
                fields += [.campaignTarget, .campaignResponse].filter { !fields.contains($0) }
            }
        }
        if let value = changes.salespersonCode { assign("salesperson_code", value) }
        if let value = changes.correspondenceTypeDefault { assign("correspondence_type_default", value?.rawValue) }
        if let value = changes.unitCost { assign("unit_cost", value, cast: "::numeric") }
        if let value = changes.unitDuration { assign("unit_duration", value, cast: "::numeric") }
        if let value = changes.date { assign("date", value?.pgValue, cast: "::date") }
        if let value = changes.campaignTarget { assign("campaign_target", value) }
        if let value = changes.informationFlow { assign("information_flow", value?.rawValue) }
        if let value = changes.initiatedBy { assign("initiated_by", value?.rawValue) }
        if let value = changes.campaignResponse { assign("campaign_response", value) }
        if let value = changes.sendWordDocsAsAttmt { assign("send_word_docs_as_attmt", value) }
        if let value = changes.ignoreContactCorresType { assign("ignore_contact_corres_type", value) }
        if let language = changes.languageCodeDefault {
            // R4: the language needs a segment-level row (created on request); its subject becomes the default.
            var row = try SegmentLanguageStore.segmentRow(connection, segmentNo: no, language: language)
            if row == nil, let language {
                guard changes.createLanguage else {
                    throw StoreError.invalid(
                        "Segment \(no) has no Segment Interaction Language \(language). Send create-language=true "
                            + "to create it."
                    )
                }
                try SegmentLanguageStore.createSegmentRow(
                    connection,
                    segmentNo: no,
                    templateCode: header.templateCode,
                    language: language
                )
                row = (nil, nil)
            }
            assign("language_code_default", language)
            assign("subject_default", row?.subject)
        }
        if let subject = changes.subjectDefault { assign("subject_default", subject) }
        guard !assignments.isEmpty else { return updated }
        let placeholder = query.bind(no)
        query.sql = "UPDATE segment_headers SET \(assignments.joined(separator: ", ")) WHERE no = \(placeholder)"
        try connection.execute(query)
        let oldSubject = header.subjectDefault
        header = try SegmentReader.header(connection, no)!
        if let subject = changes.subjectDefault {
            updated += try Self.pushSubject(
                connection,
                header,
                old: oldSubject,
                new: subject,
                lines: changes.updateLines
            )
        }
        let context = SegmentPropagation.Context(
            templateHasWordTemplate: header.wordTemplateCode != nil,
            segmentHasAttachment: header.attachmentNo != nil
        )
        let push = SegmentPropagation.fieldsToPush(
            fields,
            updateLines: changes.updateLines,
            newCorrespondenceTypeIsBlank: header.correspondenceTypeDefault == nil,
            context: context
        )
        updated = max(updated, try SegmentPropagator.push(connection, segmentNo: no, push))
        return updated
    }

    /// BC's page only offers the interaction fields once a template is set, and the correspondence type
    /// default only when "Ignore Contact Corres. Type" is set (3.6 R6).
    private static func checkInteractionFields(_ header: SegmentHeaderRecord, _ changes: SegmentHeaderChanges) throws {
        let needsTemplate = changes.changedFields.filter(\.needsTemplate)
        if let field = needsTemplate.first, header.templateCode == nil {
            throw StoreError.invalid(
                "\(field.caption) needs an interaction template on segment \(header.no); set template= first."
            )
        }
        if let type = changes.correspondenceTypeDefault, type != nil {
            guard changes.ignoreContactCorresType ?? header.ignoreContactCorresType else {
                throw StoreError.invalid(
                    "Correspondence Type (Default) can only be set when Ignore Contact Corres. Type is set "
                        + "(ignore-contact-corres-type=true)."
                )
            }
        }
    }

    /// R5: lines with the header's template and default language whose subject was the old default.
    private static func pushSubject(
        _ connection: PGConnection,
        _ header: SegmentHeaderRecord,
        old: String?,
        new: String?,
        lines: Bool
    ) throws -> Int {
        try connection.execute(
            """
            UPDATE segment_interaction_languages SET subject = \(new)
            WHERE segment_no = \(header.no) AND segment_line_no = 0
              AND language_code IS NOT DISTINCT FROM \(header.languageCodeDefault)
            """
        )
        guard lines else { return 0 }
        return try connection.execute(
            """
            UPDATE segment_lines SET subject = \(new)
            WHERE segment_no = \(header.no)
              AND interaction_template_code IS NOT DISTINCT FROM \(header.templateCode)
              AND language_code IS NOT DISTINCT FROM \(header.languageCodeDefault)
              AND subject IS NOT DISTINCT FROM \(old)
            """
        )
    }

    /// The header and a page of its lines.
    public static func header(_ connection: PGConnection, no: String) throws -> SegmentHeaderRecord {
        guard let header = try SegmentReader.header(connection, no) else {
            throw StoreError.notFound("Segment \(no) does not exist.")
        }
        return header
    }

    /// A page of a segment's lines in line order, after `afterLine`.
    public static func lines(_ connection: PGConnection, no: String, afterLine: Int, limit: Int) throws
        -> [SegmentLineRecord]
    {
        guard try !connection.query("SELECT 1 FROM segment_headers WHERE no = \(no)").isEmpty else {
            throw StoreError.notFound("Segment \(no) does not exist.")
        }
        return try SegmentReader.lines(connection, no, afterLine: afterLine, limit: limit)
    }

    public static func show(_ connection: PGConnection, no: String, afterLine: Int, limit: Int) throws
        -> (header: SegmentHeaderRecord, lines: [SegmentLineRecord])
    {
        guard let header = try SegmentReader.header(connection, no) else {
            throw StoreError.notFound("Segment \(no) does not exist.")
        }
        return (header, try SegmentReader.lines(connection, no, afterLine: afterLine, limit: limit))
    }

    /// Every segment, or only the actor's own.
    /// A keyset page in number order after `after`, at most `limit` (nil: all).
    /// How many segments `list` pages through (segment headers: a small table).
    public static func count(_ connection: PGConnection, actor: ActingUser, mine: Bool) throws -> Int {
        let createdBy = mine ? actor.userID : nil
        let salesperson = mine ? actor.salespersonCode : nil
        return try connection.query(
            """
            SELECT count(*) FROM segment_headers h
            WHERE \(createdBy)::text IS NULL OR h.created_by = \(createdBy)
                  OR h.salesperson_code IS NOT DISTINCT FROM \(salesperson)
            """
        )[0].decode(Int.self, at: 0)
    }

    public static func list(
        _ connection: PGConnection,
        actor: ActingUser,
        mine: Bool,
        after: String? = nil,
        limit: Int? = nil
    ) throws -> [SegmentHeaderRecord] {
        try SegmentReader.headers(
            connection,
            createdBy: mine ? actor.userID : nil,
            salesperson: mine ? actor.salespersonCode : nil,
            after: after,
            limit: limit
        )
    }

    /// Deletes a segment with its lines, criteria, history and content (1.8; cascades and triggers).
    public static func delete(_ connection: PGConnection, actor: ActingUser, no: String) throws -> Int {
        try Self.owned(connection, actor: actor, no: no)
        let lines = try SegmentCriteriaStore.lineCount(connection, no)
        try connection.execute("DELETE FROM segment_headers WHERE no = \(no)")
        return lines
    }
}
