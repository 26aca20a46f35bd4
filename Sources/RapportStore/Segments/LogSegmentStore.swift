import Foundation
import LibPQ
import RapportModel

/// Log Segment (reference 3.8) in the caller's one transaction: lock the header, refuse a second logging,
/// check every line set-based, insert the logged segment, the campaign entries, every entry (one
/// `INSERT … SELECT`, queueing deliveries in the same statement), mark attachments read-only, delete the
/// segment, and create the follow-up segment.
public enum LogSegmentStore {
    public struct Options: Sendable, Equatable {
        /// Send Attachments; nil = the reference's default (true iff a line has a correspondence type).
        public var send: Bool?
        public var followUp: Bool
        /// The server has no SMTP relay for its delivery worker: sending an e-mail line is refused (issue 15).
        public var emailRelayMissing: Bool

        public init(send: Bool? = nil, followUp: Bool = false, emailRelayMissing: Bool = false) {
            self.send = send
            self.followUp = followUp
            self.emailRelayMissing = emailRelayMissing
        }
    }

    /// How many refusals a dry run lists at most (it also counts all failing lines).
    public static let maximumReportedErrors = 100

    public static func log(_ connection: PGConnection, actor: ActingUser, segmentNo: String, options: Options) throws
        -> SegmentLogResult
    {
        // R1 + 3.14 R3: the row lock makes a concurrent logging of the same segment wait for this one; it then
        // finds the header gone and the logged segment there.
        guard let header = try SegmentReader.lock(connection, segmentNo) else {
            try SegmentStore.refuseLoggedNumber(connection, segmentNo)
            throw StoreError.notFound("Segment \(segmentNo) does not exist.")
        }
        guard actor.mayManage(createdBy: header.createdBy, salesperson: header.salespersonCode) else {
            throw AccessDenied("segment \(segmentNo) belongs to another salesperson")
        }
        try SegmentStore.refuseLoggedNumber(connection, segmentNo)
        guard let description = header.description, !description.isEmpty else {
            throw StoreError.invalid(SegmentMessages.descriptionMissing(segmentNo))
        }
        let totals = try Self.totals(connection, segmentNo)
        guard totals.lines > 0 else { throw StoreError.invalid(SegmentMessages.empty(segmentNo)) }
        let send = options.send ?? SegmentLineCheck.defaultSend(anyLineHasCorrespondenceType: totals.anyCorrespondence)
        // The checks that need the contact only matter when sending; the others were counted with the totals.
        if send || totals.incomplete > 0,
            let first = try Self.failures(connection, segmentNo: segmentNo, send: send, limit: 1).first
        {
            throw StoreError.invalid(first)
        }
        if send, options.emailRelayMissing, try Self.sendsEmail(connection, segmentNo: segmentNo) {
            throw StoreError.invalid(InteractionValidation.noEmailRelay)
        }
        if let blocked = try Self.privacyBlockedContact(connection, segmentNo) {
            throw StoreError.invalid(InteractionValidation.privacyBlocked(blocked))
        }

        let loggedNo = try connection.query(
            """
            INSERT INTO logged_segments (segment_no, description, user_id)
            VALUES (\(segmentNo), \(description), \(actor.userID))
            RETURNING entry_no
            """
        )[0].decode(Int64.self, at: 0)
        let campaignEntries = try Self.campaignEntries(connection, segmentNo, description, actor.userID, loggedNo)
        // The contact and company totals of this one large insert are appended as deltas, folded in later
        // (sql/0023: same transaction, a third of the upserts' cost); every other statement upserts them.
        // (Queued: the settings go out with the statements around the insert, no round trip of their own.)
        connection.enqueue("SELECT set_config('rapport.totals_deltas', 'on', true)")
        let queued = try Self.insertEntries(
            connection,
            segmentNo: segmentNo,
            loggedNo: loggedNo,
            user: actor.userID,
            send: send,
            joins: send || totals.anyEmail
        )
        connection.enqueue("SELECT set_config('rapport.totals_deltas', 'off', true)")
        // R6.5: logged content can no longer change.
        try connection.execute(
            """
            UPDATE attachments SET read_only = true
            WHERE no IN (SELECT DISTINCT attachment_no FROM segment_lines
                         WHERE segment_no = \(segmentNo) AND contact_no IS NOT NULL AND attachment_no IS NOT NULL)
              AND NOT read_only
            """
        )
        // R6.3 (issue 15): entries of a merge template get their own merged document.
        try MergeWriter.mergeLoggedSegment(connection, loggedSegmentEntryNo: loggedNo)
        // R8 before R7: the follow-up takes its lines from the logged lines (one per entry, same order, same
        // campaign — what Reuse Segment reads back from the entries) while they are still there.
        var followUpNo: String?
        if options.followUp {
            followUpNo = try Self.followUp(connection, actor: actor, old: header, loggedNo: loggedNo)
        }
        // R7: the segment goes (lines, criteria, history and content; attachments stay with the entries).
        try connection.execute("DELETE FROM segment_headers WHERE no = \(segmentNo)")
        return SegmentLogResult(
            segmentNo: segmentNo,
            loggedSegmentEntryNo: loggedNo,
            entries: totals.lines,
            cost: totals.cost,
            duration: totals.duration,
            campaignEntries: campaignEntries,
            queued: queued,
            send: send,
            followUpSegmentNo: followUpNo,
            errors: [],
            failingLines: 0
        )
    }

    /// The same checks without writing anything: line count, total cost and duration, and every refusal.
    public static func dryRun(_ connection: PGConnection, actor: ActingUser, segmentNo: String, options: Options)
        throws
        -> SegmentLogResult
    {
        var errors: [String] = []
        guard let header = try SegmentReader.header(connection, segmentNo) else {
            try SegmentStore.refuseLoggedNumber(connection, segmentNo)
            throw StoreError.notFound("Segment \(segmentNo) does not exist.")
        }
        guard actor.mayManage(createdBy: header.createdBy, salesperson: header.salespersonCode) else {
            throw AccessDenied("segment \(segmentNo) belongs to another salesperson")
        }
        if try !connection.query("SELECT 1 FROM logged_segments WHERE segment_no = \(segmentNo)").isEmpty {
            errors.append(SegmentMessages.alreadyLogged(segmentNo))
        }
        if (header.description ?? "").isEmpty { errors.append(SegmentMessages.descriptionMissing(segmentNo)) }
        let totals = try Self.totals(connection, segmentNo)
        if totals.lines == 0 { errors.append(SegmentMessages.empty(segmentNo)) }
        let send = options.send ?? SegmentLineCheck.defaultSend(anyLineHasCorrespondenceType: totals.anyCorrespondence)
        let failing = try Self.failingLineCount(connection, segmentNo: segmentNo, send: send)
        errors += try Self.failures(connection, segmentNo: segmentNo, send: send, limit: Self.maximumReportedErrors)
        if send, options.emailRelayMissing, try Self.sendsEmail(connection, segmentNo: segmentNo) {
            errors.append(InteractionValidation.noEmailRelay)
        }
        if let blocked = try Self.privacyBlockedContact(connection, segmentNo) {
            errors.append(InteractionValidation.privacyBlocked(blocked))
        }
        if options.followUp,
            try connection.query("SELECT segment_nos FROM marketing_setup").first?.decode(String?.self, at: 0) == nil
        {
            errors.append(SegmentMessages.segmentNosMissing)
        }
        let queued = try Self.queuedCount(connection, segmentNo: segmentNo, send: send)
        return SegmentLogResult(
            segmentNo: segmentNo,
            loggedSegmentEntryNo: nil,
            entries: totals.lines,
            cost: totals.cost,
            duration: totals.duration,
            campaignEntries: try connection.query(
                """
                SELECT count(DISTINCT campaign_no) FROM segment_lines
                WHERE segment_no = \(segmentNo) AND contact_no IS NOT NULL AND campaign_no IS NOT NULL
                """
            )[0].decode(Int.self, at: 0),
            queued: queued,
            send: send,
            followUpSegmentNo: nil,
            errors: errors,
            failingLines: failing
        )
    }

    /// The first line's contact that is blocked due to privacy (issue 13: nothing is logged for one). Reads
    /// the few blocked contacts (partial index of 0017) and probes the segment's lines for each.
    private static func privacyBlockedContact(_ connection: PGConnection, _ segmentNo: String) throws -> String? {
        try connection.query(
            """
            SELECT l.contact_no FROM contacts c
            JOIN segment_lines l ON l.contact_no = c.no AND l.segment_no = \(segmentNo)
            WHERE c.privacy_blocked ORDER BY l.line_no LIMIT 1
            """
        ).first?.decode(String.self, at: 0)
    }

    private struct Totals {
        var lines: Int
        var cost: Decimal
        var duration: Decimal
        var anyCorrespondence: Bool
        var anyEmail: Bool
        /// Lines without date, salesperson or template (they fail 3.5 R1 whether sending or not).
        var incomplete: Int
    }

    /// Lines with a contact (the others are ignored, R6), their cost and duration.
    private static func totals(_ connection: PGConnection, _ segmentNo: String) throws -> Totals {
        let row = try connection.query(
            """
            SELECT count(*), coalesce(sum(cost), 0)::numeric(18,2), coalesce(sum(duration), 0)::numeric(18,2),
                   coalesce(bool_or(correspondence_type IS NOT NULL), false),
                   coalesce(bool_or(correspondence_type = 'email'), false),
                   count(*) FILTER (WHERE date IS NULL OR salesperson_code IS NULL OR interaction_template_code IS NULL)
            FROM segment_lines WHERE segment_no = \(segmentNo) AND contact_no IS NOT NULL
            """
        )[0]
        return Totals(
            lines: try row.decode(Int.self, at: 0),
            cost: try row.decode(Decimal.self, at: 1),
            duration: try row.decode(Decimal.self, at: 2),
            anyCorrespondence: try row.decode(Bool.self, at: 3),
            anyEmail: try row.decode(Bool.self, at: 4),
            incomplete: try row.decode(Int.self, at: 5)
        )
    }

    /// The line facts; `final_type` is the correspondence type after the e-mail downgrade and `queued` (see
    /// `queuedExpression`) whether the line is sent — the SQL form of `SegmentLineCheck.check`. Without
    /// `joins` (nothing is sent and no line has e-mail) the contact, address and template are not needed.
    private static func facts(_ segment: String, joins: Bool = true) -> String {
        guard joins else {
            return """
                SELECT l.*, NULL::text AS template_group, NULL::text AS template_type,
                       true AS contact_has_email, false AS alt_has_email, l.correspondence_type AS final_type,
                       false AS merges
                FROM segment_lines l
                WHERE l.segment_no = \(segment) AND l.contact_no IS NOT NULL
                """
        }
        return """
            SELECT l.*, t.interaction_group_code AS template_group, t.correspondence_type AS template_type,
                   coalesce(c.email, '') <> '' AS contact_has_email, coalesce(a.email, '') <> '' AS alt_has_email,
                   CASE WHEN l.correspondence_type = 'email' AND coalesce(c.email, '') = '' AND coalesce(a.email, '') = ''
                        THEN NULL ELSE l.correspondence_type END AS final_type,
                   coalesce(t.wizard_action = 'merge', false) AND EXISTS (
                       SELECT 1 FROM interaction_template_languages tl
                       WHERE tl.template_code = l.interaction_template_code AND tl.custom_layout_content IS NOT NULL
                         AND tl.language_code IS NOT DISTINCT FROM l.language_code) AS merges
            FROM segment_lines l
            JOIN contacts c ON c.no = l.contact_no
            LEFT JOIN interaction_templates t ON t.code = l.interaction_template_code
            LEFT JOIN contact_alt_addresses a ON a.contact_no = l.contact_no AND a.code = l.contact_alt_address_code
            WHERE l.segment_no = \(segment)
            """
    }

    private static let queuedExpression = "(f.final_type IS NOT NULL OR f.template_type IS NOT NULL)"

    /// A pre-filter for lines that may fail a check; `SegmentLineCheck` decides and words the message.
    private static func failing(_ send: Bool) -> String {
        var parts = ["f.date IS NULL", "f.salesperson_code IS NULL", "f.interaction_template_code IS NULL"]
        if send {
            parts.append("(f.correspondence_type = 'email' AND NOT f.contact_has_email AND NOT f.alt_has_email)")
            // A merge template's layout is the line's content (issue 15).
            parts.append(
                "(\(queuedExpression) AND f.word_template_code IS NULL AND f.attachment_no IS NULL AND NOT f.merges)"
            )
        }
        return "(" + parts.joined(separator: " OR ") + ")"
    }

    private static func failures(_ connection: PGConnection, segmentNo: String, send: Bool, limit: Int) throws
        -> [String]
    {
        var query = PGQuery(sql: "")
        let segment = query.bind(segmentNo)
        let count = query.bind(limit)
        query.sql = """
            SELECT f.line_no, f.contact_no, f.date IS NOT NULL, f.salesperson_code, f.interaction_template_code,
                   f.correspondence_type::text, f.contact_has_email, f.alt_has_email, f.template_type::text,
                   f.word_template_code, CASE WHEN f.merges THEN coalesce(f.attachment_no, 0) ELSE f.attachment_no END
            FROM (\(Self.facts(segment, joins: send))) f
            WHERE \(Self.failing(send))
            ORDER BY f.line_no
            LIMIT \(count)
            """
        return try connection.query(query).compactMap { row in
            let facts = SegmentLineCheck.Facts(
                segmentNo: segmentNo,
                lineNo: try row.decode(Int.self, at: 0),
                contactNo: try row.decode(String.self, at: 1),
                hasDate: try row.decode(Bool.self, at: 2),
                salespersonCode: try row.decode(String?.self, at: 3),
                templateCode: try row.decode(String?.self, at: 4),
                correspondenceType: try row.decode(String?.self, at: 5).flatMap(CorrespondenceType.init(rawValue:)),
                contactHasEmail: try row.decode(Bool.self, at: 6),
                altAddressHasEmail: try row.decode(Bool.self, at: 7),
                templateCorrespondenceType: try row.decode(String?.self, at: 8)
                    .flatMap(CorrespondenceType.init(rawValue:)),
                wordTemplateCode: try row.decode(String?.self, at: 9),
                attachmentNo: try row.decode(Int64?.self, at: 10)
            )
            if case .fails(let message) = SegmentLineCheck.check(facts, send: send) { return message }
            return nil
        }
    }

    private static func failingLineCount(_ connection: PGConnection, segmentNo: String, send: Bool) throws -> Int {
        var query = PGQuery(sql: "")
        let segment = query.bind(segmentNo)
        query.sql = "SELECT count(*) FROM (\(Self.facts(segment, joins: send))) f WHERE \(Self.failing(send))"
        return try connection.query(query)[0].decode(Int.self, at: 0)
    }

    /// Whether a line would be queued as an e-mail (one probe, not per line).
    private static func sendsEmail(_ connection: PGConnection, segmentNo: String) throws -> Bool {
        var query = PGQuery(sql: "")
        let segment = query.bind(segmentNo)
        query.sql = """
            SELECT 1 FROM (\(Self.facts(segment))) f
            WHERE \(Self.queuedExpression) AND f.final_type = 'email' LIMIT 1
            """
        return try !connection.query(query).isEmpty
    }

    private static func queuedCount(_ connection: PGConnection, segmentNo: String, send: Bool) throws -> Int {
        guard send else { return 0 }
        var query = PGQuery(sql: "")
        let segment = query.bind(segmentNo)
        query.sql = "SELECT count(*) FROM (\(Self.facts(segment))) f WHERE \(Self.queuedExpression)"
        return try connection.query(query)[0].decode(Int.self, at: 0)
    }

    /// R4 / 3.12 R6: one campaign entry per campaign on the lines (reused when one exists for this campaign
    /// and segment), dated and attributed by its first line. Returns how many campaigns the lines have.
    private static func campaignEntries(
        _ connection: PGConnection,
        _ segmentNo: String,
        _ description: String,
        _ user: String,
        _ loggedNo: Int64
    ) throws -> Int {
        try connection.query(
            """
            WITH firsts AS (
                SELECT campaign_no, min(line_no) AS line_no FROM segment_lines
                WHERE segment_no = \(segmentNo) AND contact_no IS NOT NULL AND campaign_no IS NOT NULL
                GROUP BY campaign_no),
            ins AS (
                INSERT INTO campaign_entries
                    (campaign_no, description, date, user_id, segment_no, salesperson_code, register_no)
                SELECT l.campaign_no, \(description), l.date, \(user), l.segment_no, l.salesperson_code, \(loggedNo)
                FROM firsts f JOIN segment_lines l ON l.segment_no = \(segmentNo) AND l.line_no = f.line_no
                ORDER BY l.campaign_no
                ON CONFLICT ON CONSTRAINT campaign_entries_reuse_key DO NOTHING
                RETURNING 1)
            SELECT (SELECT count(*) FROM firsts), (SELECT count(*) FROM ins)
            """
        )[0].decode(Int.self, at: 0)
    }

    /// R6.2–R6.4 and 3.5 R6: one entry per line, in line order, every field copied from the line; queued
    /// entries are marked In Progress and put in the outbox by the same statement. Returns how many were queued.
    private static func insertEntries(
        _ connection: PGConnection,
        segmentNo: String,
        loggedNo: Int64,
        user: String,
        send: Bool,
        joins: Bool
    ) throws -> Int {
        var query = PGQuery(sql: "")
        let segment = query.bind(segmentNo)
        let logged = query.bind(loggedNo)
        let userID = query.bind(user)
        let status = send ? "CASE WHEN \(Self.queuedExpression) THEN 'in_progress' END" : "NULL"
        let insert = """
            INSERT INTO interaction_log_entries (
                contact_no, contact_company_no, date, description, information_flow, initiated_by, attachment_no,
                cost, duration, user_id, interaction_group_code, interaction_template_code, campaign_no,
                campaign_entry_no, campaign_response, campaign_target, segment_no, evaluation, time_of_interaction,
                attempt_failed, task_no, salesperson_code, delivery_status, correspondence_type,
                contact_alt_address_code, logged_segment_entry_no, document_type, document_no, version_no,
                doc_no_occurrence, contact_via, send_word_docs_as_attmt, interaction_language_code, subject,
                opportunity_no, word_template_code, merged)
            SELECT f.contact_no, f.contact_company_no, f.date, f.description, f.information_flow, f.initiated_by,
                   f.attachment_no, f.cost, f.duration, \(userID),
                   coalesce(f.interaction_group_code, f.template_group,
                            (SELECT t.interaction_group_code FROM interaction_templates t
                             WHERE t.code = f.interaction_template_code)),
                   f.interaction_template_code, f.campaign_no, ce.entry_no, f.campaign_response, f.campaign_target,
                   f.segment_no, f.evaluation, f.time_of_interaction, f.attempt_failed, f.task_no, f.salesperson_code,
                   \(status), f.final_type, f.contact_alt_address_code, \(logged), f.document_type, f.document_no,
                   f.version_no, f.doc_no_occurrence, f.contact_via, f.send_word_docs_as_attmt, f.language_code,
                   f.subject, f.opportunity_no, f.word_template_code, f.merged
            FROM (\(Self.facts(segment, joins: joins))) f
            LEFT JOIN campaign_entries ce
                   ON ce.campaign_no = f.campaign_no AND ce.segment_no = f.segment_no AND ce.document_type IS NULL
            ORDER BY f.line_no
            """
        if send {
            query.sql = """
                WITH ins AS (\(insert) RETURNING entry_no, delivery_status)
                INSERT INTO delivery_outbox (entry_no)
                SELECT entry_no FROM ins WHERE delivery_status = 'in_progress' ORDER BY entry_no
                """
            return try connection.execute(query)
        }
        query.sql = insert
        try connection.execute(query)
        return 0
    }

    /// R8: a new segment (number from Segment Nos., description "Follow-up on segment X", the old campaign,
    /// today, the user's salesperson) filled by Reuse Segment from the new logged segment.
    private static func followUp(_ connection: PGConnection, actor: ActingUser, old: LockedSegment, loggedNo: Int64)
        throws -> String
    {
        let series = try connection.query("SELECT segment_nos FROM marketing_setup").first?.decode(String?.self, at: 0)
        let no = try SegmentStore.nextNumber(connection, series: series)
        try connection.execute(
            """
            INSERT INTO segment_headers (no, no_series, description, campaign_no, salesperson_code, date, created_by)
            VALUES (\(no), \(series), \(FollowUpSegment.description(for: old.no)), \(old.campaignNo),
                    \(actor.salespersonCode), CURRENT_DATE, \(actor.userID))
            """
        )
        _ = try SegmentCriteriaStore.appendLogged(
            connection,
            segmentNo: no,
            loggedSegmentEntryNo: loggedNo,
            fromLinesOf: old.no
        )
        return no
    }
}
