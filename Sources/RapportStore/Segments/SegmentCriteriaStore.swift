import LibPQ
import RapportModel

/// Segment criteria (reference 3.7): add, reduce, refine, go back, the criteria list, saved criteria and
/// reuse of a logged segment. Each operation is one transaction (the caller's) under the header's row lock;
/// lines and history move set-based.
public enum SegmentCriteriaStore {
    /// What a criteria step changed.
    public struct StepResult: Sendable, Equatable {
        public var actionNo: Int
        public var added: Int
        public var removed: Int
        public var lines: Int
    }

    /// Add, reduce or refine as one recorded step.
    public static func run(_ connection: PGConnection, actor: ActingUser, segmentNo: String, _ step: CriteriaStep)
        throws -> StepResult
    {
        try SegmentStore.owned(connection, actor: actor, no: segmentNo)
        return try Self.perform(connection, segmentNo: segmentNo, step)
    }

    /// Runs `step` on a locked segment: records its criteria lines, changes the lines, writes history.
    static func perform(_ connection: PGConnection, segmentNo: String, _ step: CriteriaStep) throws -> StepResult {
        let actionNo = try Self.record(connection, segmentNo: segmentNo, step)
        var added = 0
        var removed = 0
        switch step.action {
        case .add:
            added = try SegmentLineInsert.insert(connection, segmentNo: segmentNo, historyAction: actionNo) { query in
                Self.addSource(segmentNo: segmentNo, step, into: &query)
            }
        case .reduce, .refine:
            removed = try Self.remove(connection, segmentNo: segmentNo, actionNo: actionNo, step)
        }
        return StepResult(
            actionNo: actionNo,
            added: added,
            removed: removed,
            lines: try Self.lineCount(connection, segmentNo)
        )
    }

    /// Writes the action row and its filter rows; returns the new action number (No. of Criteria Actions).
    static func record(_ connection: PGConnection, segmentNo: String, _ step: CriteriaStep) throws -> Int {
        let row = try connection.query(
            """
            SELECT coalesce(max(line_no), 0), count(*) FILTER (WHERE type = 'action')
            FROM segment_criteria_lines WHERE segment_no = \(segmentNo)
            """
        )[0]
        let lines: [CriteriaLine]
        do {
            lines = try step.lines(firstLineNo: try row.decode(Int.self, at: 0) + 1)
        } catch let error as FilterError {
            throw StoreError.invalid(error.message)
        }
        try CriteriaLineRows.insert(
            connection,
            table: "segment_criteria_lines",
            key: "segment_no",
            owner: segmentNo,
            lines
        )
        return try row.decode(Int.self, at: 1) + 1
    }

    /// Reference 3.7 R1 steps 2–5 as one query of (contact_no, ord, campaign_no).
    static func addSource(segmentNo: String, _ step: CriteriaStep, into query: inout PGQuery) -> String {
        let qualifies = CriteriaSQL.contactQualifies(step.filters, alias: "c", into: &query)
        let segment = query.bind(segmentNo)
        var picked = "SELECT no FROM found"
        if step.options.expandCompanies {
            // Every contact of each found company (companies themselves and persons with a company);
            // persons without a company stay as they are.
            picked = """
                SELECT x.no FROM contacts x
                WHERE x.no IN (SELECT k FROM keys) OR x.company_no IN (SELECT k FROM keys)
                UNION SELECT no FROM found WHERE type = 'person' AND company_no IS NULL
                """
        }
        if step.options.allowRelatedCompanies {
            picked += "\nUNION SELECT company_no FROM found WHERE company_no IS NOT NULL"
        }
        var conditions: [String] = []
        if !step.options.ignoreExclusion { conditions.append("NOT c.exclude_from_segment") }
        if !step.options.allowExisting {
            conditions.append(
                "NOT EXISTS (SELECT 1 FROM segment_lines l WHERE l.segment_no = \(segment) AND l.contact_no = c.no)"
            )
        }
        let filter = conditions.map { "AND " + $0 }.joined(separator: "\n")
        return """
            WITH found AS (SELECT c.no, c.type, c.company_no FROM contacts c WHERE \(qualifies)),
            keys AS (SELECT DISTINCT CASE WHEN type = 'company' THEN no ELSE company_no END AS k
                     FROM found WHERE type = 'company' OR company_no IS NOT NULL),
            picked AS (\(picked))
            SELECT c.no AS contact_no,
                   row_number() OVER (ORDER BY coalesce(co.name, ''), coalesce(co.no, ''), c.type, c.name, c.no) AS ord,
                   NULL::text AS campaign_no
            FROM contacts c
            LEFT JOIN contacts co ON co.no = CASE WHEN c.type = 'company' THEN c.no ELSE c.company_no END
            WHERE c.no IN (SELECT no FROM picked)
            \(filter)
            """
    }

    /// Reference 3.7 R2: reduce deletes the matching lines, refine the others; one Deletion history row each.
    private static func remove(_ connection: PGConnection, segmentNo: String, actionNo: Int, _ step: CriteriaStep)
        throws -> Int
    {
        var query = PGQuery(sql: "")
        let matches: String
        if step.options.entireCompanies {
            let qualifies = CriteriaSQL.contactQualifies(step.filters, alias: "x", into: &query)
            let k = CriteriaSQL.companyKey("c")
            matches = "EXISTS (SELECT 1 FROM contacts x WHERE (x.no = \(k) OR x.company_no = \(k)) AND \(qualifies))"
        } else {
            matches = CriteriaSQL.contactQualifies(step.filters, alias: "c", into: &query)
        }
        let segment = query.bind(segmentNo)
        let action = query.bind(actionNo)
        let condition = step.action == .reduce ? matches : "(\(matches)) IS NOT TRUE"
        query.sql = """
            WITH del AS (
                DELETE FROM segment_lines l USING contacts c
                WHERE l.segment_no = \(segment) AND c.no = l.contact_no AND \(condition)
                RETURNING l.line_no, l.contact_no)
            INSERT INTO segment_history (segment_no, segment_action_no, segment_line_no, contact_no, action_taken)
            SELECT \(segment), \(action)::int, line_no, contact_no, 'deletion' FROM del
            """
        return try connection.execute(query)
    }

    static func lineCount(_ connection: PGConnection, _ segmentNo: String) throws -> Int {
        try connection.query("SELECT count(*) FROM segment_lines WHERE segment_no = \(segmentNo)")[0]
            .decode(Int.self, at: 0)
    }

    /// Go Back (reference 3.7 R3): undoes the last criteria action exactly as BC does — an insertion is undone
    /// by deleting every line of that contact, a deletion by appending a line re-initialised from the header
    /// (per-line overrides made before are lost, [quirk] 6.12, kept).
    public static func goBack(_ connection: PGConnection, actor: ActingUser, segmentNo: String) throws -> StepResult {
        try SegmentStore.owned(connection, actor: actor, no: segmentNo)
        let lines = try CriteriaLineRows.read(
            connection,
            table: "segment_criteria_lines",
            key: "segment_no",
            owner: segmentNo
        )
        let actionNo = lines.filter(\.isAction).count
        guard actionNo > 0 else { throw StoreError.invalid(SegmentMessages.goBackNothing) }
        let removed = try connection.execute(
            """
            DELETE FROM segment_lines l
            WHERE l.segment_no = \(segmentNo) AND l.contact_no IN (
                SELECT h.contact_no FROM segment_history h
                WHERE h.segment_no = \(segmentNo) AND h.segment_action_no = \(actionNo)
                  AND h.action_taken = 'insertion')
            """
        )
        let added = try SegmentLineInsert.insert(connection, segmentNo: segmentNo, historyAction: nil) { query in
            let segment = query.bind(segmentNo)
            let action = query.bind(actionNo)
            return """
                SELECT h.contact_no,
                       row_number() OVER (ORDER BY h.segment_line_no DESC) AS ord,
                       NULL::text AS campaign_no
                FROM segment_history h
                WHERE h.segment_no = \(segment) AND h.segment_action_no = \(action)::int
                  AND h.action_taken = 'deletion'
                """
        }
        try connection.execute(
            "DELETE FROM segment_history WHERE segment_no = \(segmentNo) AND segment_action_no = \(actionNo)"
        )
        let doomed = CriteriaGoBack.linesToDelete(lines).map(Int64.init)
        try connection.execute(
            """
            DELETE FROM segment_criteria_lines
            WHERE segment_no = \(segmentNo) AND line_no = ANY(\(PGInt64Array(doomed)))
            """
        )
        return StepResult(
            actionNo: actionNo - 1,
            added: added,
            removed: removed,
            lines: try Self.lineCount(connection, segmentNo)
        )
    }

    /// The criteria list with readable filters (reference 3.7 R7).
    /// A keyset page in line order after `afterLine`, at most `limit` (nil: all).
    public static func criteria(
        _ connection: PGConnection,
        segmentNo: String,
        afterLine: Int64? = nil,
        limit: Int? = nil
    ) throws -> [CriteriaLineRecord] {
        guard try !connection.query("SELECT 1 FROM segment_headers WHERE no = \(segmentNo)").isEmpty else {
            throw StoreError.notFound("Segment \(segmentNo) does not exist.")
        }
        return try CriteriaLineRows.read(
            connection,
            table: "segment_criteria_lines",
            key: "segment_no",
            owner: segmentNo,
            afterLine: afterLine,
            limit: limit
        )
        .map { CriteriaLineRecord(line: $0, readable: $0.readable) }
    }

    /// Save Criteria (reference 3.7 R4): copies the segment's criteria lines under `code`.
    public static func save(
        _ connection: PGConnection,
        actor: ActingUser,
        segmentNo: String,
        code: String,
        description: String?,
        replace: Bool
    ) throws -> SavedCriteriaRecord {
        let lines = try CriteriaLineRows.read(
            connection,
            table: "segment_criteria_lines",
            key: "segment_no",
            owner: segmentNo
        )
        if try connection.query("SELECT 1 FROM segment_headers WHERE no = \(segmentNo)").isEmpty {
            throw StoreError.notFound("Segment \(segmentNo) does not exist.")
        }
        guard lines.contains(where: \.isAction) else {
            throw StoreError.invalid(SegmentMessages.noCriteriaActions(segmentNo))
        }
        if replace {
            try Self.checkOwner(connection, actor: actor, code: code, verb: "replace")
            try connection.execute("DELETE FROM saved_segment_criteria WHERE code = \(code)")
        }
        let inserted = try connection.execute(
            """
            INSERT INTO saved_segment_criteria (code, description, created_by)
            VALUES (\(code), \(description), \(actor.userID))
            ON CONFLICT (code) DO NOTHING
            """
        )
        guard inserted == 1 else {
            throw StoreError.conflict(
                "Saved Segment Criteria \(code) already exists; send replace=true to overwrite it."
            )
        }
        try CriteriaLineRows.insert(connection, table: "saved_segment_criteria_lines", key: "code", owner: code, lines)
        return SavedCriteriaRecord(
            code: code,
            description: description,
            noOfActions: lines.filter(\.isAction).count,
            createdBy: actor.userID
        )
    }

    /// Refuses to change saved criteria of another user (locks the row while the command runs).
    private static func checkOwner(_ connection: PGConnection, actor: ActingUser, code: String, verb: String) throws {
        guard
            let row = try connection.query(
                "SELECT created_by FROM saved_segment_criteria WHERE code = \(code) FOR UPDATE"
            ).first
        else { return }
        let savedBy = try row.decode(String?.self, at: 0)
        guard SegmentAccess.mayManageSavedCriteria(role: actor.role, userID: actor.userID, savedBy: savedBy) else {
            throw AccessDenied(
                "Saved Segment Criteria \(code) belong to \(savedBy ?? "a manager"); only they or a manager may \(verb) them"
            )
        }
    }

    /// The saved criteria sets.
    /// In code order: a keyset page after `after` of at most `limit` (nil: all).
    /// How many saved criteria there are (the total of a list).
    public static func savedCount(_ connection: PGConnection) throws -> Int {
        try connection.query("SELECT count(*) FROM saved_segment_criteria")[0].decode(Int.self, at: 0)
    }

    /// How many criteria lines a segment has.
    public static func criteriaCount(_ connection: PGConnection, segmentNo: String) throws -> Int {
        try connection.query("SELECT count(*) FROM segment_criteria_lines WHERE segment_no = \(segmentNo)")[0]
            .decode(Int.self, at: 0)
    }

    public static func saved(_ connection: PGConnection, after: String? = nil, limit: Int? = nil) throws
        -> [SavedCriteriaRecord]
    {
        try connection.query(
            """
            SELECT s.code, s.description,
                   (SELECT count(*) FROM saved_segment_criteria_lines l WHERE l.code = s.code AND l.type = 'action'),
                   s.created_by
            FROM saved_segment_criteria s
            WHERE \(after)::text IS NULL OR s.code > \(after)
            ORDER BY s.code LIMIT \(limit)
            """
        ).map {
            SavedCriteriaRecord(
                code: try $0.decode(String.self, at: 0),
                description: try $0.decode(String?.self, at: 1),
                noOfActions: try $0.decode(Int.self, at: 2),
                createdBy: try $0.decode(String?.self, at: 3)
            )
        }
    }

    public static func deleteSaved(_ connection: PGConnection, actor: ActingUser, code: String) throws {
        try Self.checkOwner(connection, actor: actor, code: code, verb: "delete")
        guard try connection.execute("DELETE FROM saved_segment_criteria WHERE code = \(code)") == 1 else {
            throw StoreError.notFound("Saved Segment Criteria \(code) does not exist.")
        }
    }

    /// Reuse Criteria (reference 3.7 R5): replays every saved step in order. Unlike BC ([quirk] 6.7) a refine
    /// step keeps its Entire Companies option, so the replay gives the lines the steps gave.
    public static func reuse(
        _ connection: PGConnection,
        actor: ActingUser,
        segmentNo: String,
        code: String,
        confirm: Bool
    ) throws -> StepResult {
        let header = try SegmentStore.owned(connection, actor: actor, no: segmentNo)
        try Self.confirmReuse(header, confirm: confirm, what: "Saved Segment Criteria")
        let saved = try CriteriaLineRows.read(
            connection,
            table: "saved_segment_criteria_lines",
            key: "code",
            owner: code
        )
        guard try !connection.query("SELECT 1 FROM saved_segment_criteria WHERE code = \(code)").isEmpty else {
            throw StoreError.notFound("Saved Segment Criteria \(code) does not exist.")
        }
        let steps: [CriteriaStep]
        do {
            steps = try CriteriaStep.steps(from: saved)
        } catch {
            throw StoreError.invalid(error.message)
        }
        var total = StepResult(
            actionNo: header.noOfCriteriaActions,
            added: 0,
            removed: 0,
            lines: try Self.lineCount(connection, segmentNo)
        )
        for step in steps {
            let result = try Self.perform(connection, segmentNo: segmentNo, step)
            total = StepResult(
                actionNo: result.actionNo,
                added: total.added + result.added,
                removed: total.removed + result.removed,
                lines: result.lines
            )
        }
        return total
    }

    /// Reuse Segment (reference 3.7 R6): an Add action (allow existing contacts) with the filter "Logged
    /// Segment Entry No. = N", and one line per log entry of that logged segment (its contact and campaign).
    /// Like BC, excluded and blocked contacts are not filtered out ([quirk] 6.11, kept).
    public static func reuseLogged(
        _ connection: PGConnection,
        actor: ActingUser,
        segmentNo: String,
        loggedSegmentEntryNo: Int64,
        confirm: Bool
    ) throws -> StepResult {
        let header = try SegmentStore.owned(connection, actor: actor, no: segmentNo)
        try Self.confirmReuse(header, confirm: confirm, what: "Logged Segment")
        guard try !connection.query("SELECT 1 FROM logged_segments WHERE entry_no = \(loggedSegmentEntryNo)").isEmpty
        else { throw StoreError.notFound("Logged Segment \(loggedSegmentEntryNo) does not exist.") }
        return try Self.appendLogged(connection, segmentNo: segmentNo, loggedSegmentEntryNo: loggedSegmentEntryNo)
    }

    /// The lines of Reuse Segment, for a locked segment: one per entry of the logged segment, in entry order,
    /// with the entry's contact and campaign. Log Segment's follow-up passes `fromLinesOf` (the segment being
    /// logged, before it is deleted): its lines with a contact are exactly those entries, in the same order.
    static func appendLogged(
        _ connection: PGConnection,
        segmentNo: String,
        loggedSegmentEntryNo: Int64,
        fromLinesOf logged: String? = nil
    ) throws -> StepResult {
        let filter = FieldFilter(.logLoggedSegment, FilterExpression(terms: [.equal(String(loggedSegmentEntryNo))]))
        let step = CriteriaStep(action: .add, options: CriteriaOptions(allowExisting: true), filters: [filter])
        let actionNo = try Self.record(connection, segmentNo: segmentNo, step)
        let added = try SegmentLineInsert.insert(connection, segmentNo: segmentNo, historyAction: actionNo) { query in
            if let logged {
                return """
                    SELECT l.contact_no, row_number() OVER (ORDER BY l.line_no) AS ord, l.campaign_no::text AS campaign_no
                    FROM segment_lines l
                    WHERE l.segment_no = \(query.bind(logged)) AND l.contact_no IS NOT NULL
                    """
            }
            return """
                SELECT e.contact_no, row_number() OVER (ORDER BY e.entry_no) AS ord, e.campaign_no::text AS campaign_no
                FROM interaction_log_entries e
                WHERE e.logged_segment_entry_no = \(query.bind(loggedSegmentEntryNo)) AND e.contact_no IS NOT NULL
                """
        }
        // A follow-up segment is new: its lines are the ones just added.
        let lines = logged == nil ? try Self.lineCount(connection, segmentNo) : added
        return StepResult(actionNo: actionNo, added: added, removed: 0, lines: lines)
    }

    private static func confirmReuse(_ header: LockedSegment, confirm: Bool, what: String) throws {
        guard header.noOfCriteriaActions == 0 || confirm else {
            throw StoreError.invalid(
                SegmentMessages.reuseNeedsConfirmation(header.no, actions: header.noOfCriteriaActions, what: what)
            )
        }
    }
}
