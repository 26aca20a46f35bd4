import LibPQ
import RapportModel

/// Lines added, changed and removed by hand (reference 3.6 R8, R9, 1.9). Manual edits are recorded as
/// criteria actions with history, so Go Back undoes them too.
public enum SegmentLineStore {
    /// Adds a line for `contactNo` (an "Add Contacts" action with a Contact No. filter and an Insertion row),
    /// initialised from the header, then applies `changes` as overrides.
    public static func add(
        _ connection: PGConnection,
        actor: ActingUser,
        segmentNo: String,
        contactNo: String,
        changes: SegmentLineChanges
    ) throws -> SegmentLineRecord {
        try SegmentStore.owned(connection, actor: actor, no: segmentNo)
        try Self.requireContact(connection, contactNo)
        let lineNo = try Self.insertRecorded(connection, segmentNo: segmentNo, contactNo: contactNo, lineNo: nil)
        try Self.apply(connection, actor: actor, segmentNo: segmentNo, lineNo: lineNo, changes)
        return try SegmentReader.line(connection, segmentNo, lineNo: lineNo)!
    }

    /// Applies per-line overrides (3.6 R9). A new contact re-initialises the line (recorded as a removal of
    /// the old contact and an addition of the new one, keeping the line number).
    public static func set(
        _ connection: PGConnection,
        actor: ActingUser,
        segmentNo: String,
        lineNo: Int,
        changes: SegmentLineChanges
    ) throws -> SegmentLineRecord {
        try SegmentStore.owned(connection, actor: actor, no: segmentNo)
        guard let line = try SegmentReader.line(connection, segmentNo, lineNo: lineNo) else {
            throw StoreError.notFound("Segment \(segmentNo) has no line \(lineNo).")
        }
        if let contactNo = changes.contactNo, contactNo != line.contactNo {
            try Self.requireContact(connection, contactNo)
            try Self.deleteRecorded(connection, segmentNo: segmentNo, line: line)
            _ = try Self.insertRecorded(connection, segmentNo: segmentNo, contactNo: contactNo, lineNo: lineNo)
        }
        try Self.apply(connection, actor: actor, segmentNo: segmentNo, lineNo: lineNo, changes)
        return try SegmentReader.line(connection, segmentNo, lineNo: lineNo)!
    }

    /// Removes a line (a "Remove Contacts (Reduce)" action and a Deletion row). When that empties a segment
    /// with more than one criteria action, `resetCriteria` answers BC's "reset the number of criteria
    /// actions?" (yes deletes criteria and history). Returns the lines left and whether criteria were reset.
    public static func remove(
        _ connection: PGConnection,
        actor: ActingUser,
        segmentNo: String,
        lineNo: Int,
        resetCriteria: Bool
    ) throws -> (lines: Int, criteriaReset: Bool) {
        try SegmentStore.owned(connection, actor: actor, no: segmentNo)
        guard let line = try SegmentReader.line(connection, segmentNo, lineNo: lineNo) else {
            throw StoreError.notFound("Segment \(segmentNo) has no line \(lineNo).")
        }
        let actions = try Self.deleteRecorded(connection, segmentNo: segmentNo, line: line)
        let left = try SegmentCriteriaStore.lineCount(connection, segmentNo)
        guard left == 0, actions > 1, resetCriteria else { return (left, false) }
        try connection.execute("DELETE FROM segment_criteria_lines WHERE segment_no = \(segmentNo)")
        try connection.execute("DELETE FROM segment_history WHERE segment_no = \(segmentNo)")
        return (0, true)
    }

    private static func requireContact(_ connection: PGConnection, _ contactNo: String) throws {
        guard try !connection.query("SELECT 1 FROM contacts WHERE no = \(contactNo)").isEmpty else {
            throw StoreError.notFound("The Contact \(contactNo) does not exist.")
        }
    }

    private static func contactFilter(_ contactNo: String) -> [FieldFilter] {
        [FieldFilter(.contactNo, FilterExpression(terms: [.equal(contactNo)]))]
    }

    /// Records an Add action for one contact and inserts its line (at `lineNo`, or appended). Returns the line no.
    private static func insertRecorded(_ connection: PGConnection, segmentNo: String, contactNo: String, lineNo: Int?)
        throws -> Int
    {
        let step = CriteriaStep(
            action: .add,
            options: CriteriaOptions(allowExisting: true),
            filters: Self.contactFilter(contactNo)
        )
        let actionNo = try SegmentCriteriaStore.record(connection, segmentNo: segmentNo, step)
        try SegmentLineInsert.insert(
            connection,
            segmentNo: segmentNo,
            historyAction: actionNo,
            numbering: lineNo == nil ? .append : .given,
            bulk: false
        ) { query in
            "SELECT \(query.bind(contactNo))::text AS contact_no, \(query.bind(lineNo ?? 1))::int AS ord, "
                + "NULL::text AS campaign_no"
        }
        return try connection.query(
            """
            SELECT segment_line_no FROM segment_history
            WHERE segment_no = \(segmentNo) AND segment_action_no = \(actionNo)
            """
        )[0].decode(Int.self, at: 0)
    }

    /// Records a Reduce action for the line's contact and deletes the line. Returns No. of Criteria Actions.
    @discardableResult
    private static func deleteRecorded(_ connection: PGConnection, segmentNo: String, line: SegmentLineRecord) throws
        -> Int
    {
        let step = CriteriaStep(action: .reduce, filters: line.contactNo.map(Self.contactFilter) ?? [])
        let actionNo = try SegmentCriteriaStore.record(connection, segmentNo: segmentNo, step)
        try connection.execute(
            """
            WITH del AS (
                DELETE FROM segment_lines WHERE segment_no = \(segmentNo) AND line_no = \(line.lineNo)
                RETURNING line_no, contact_no)
            INSERT INTO segment_history (segment_no, segment_action_no, segment_line_no, contact_no, action_taken)
            SELECT \(segmentNo), \(actionNo)::int, line_no, contact_no, 'deletion' FROM del WHERE contact_no IS NOT NULL
            """
        )
        // Tasks made for the segment's lines of a contact that has no line left in it (reference 1.9).
        if let contactNo = line.contactNo {
            try TaskStore.segmentLinesRemoved(connection, segmentNo: segmentNo, contactNos: [contactNo])
        }
        return actionNo
    }

    private static func apply(
        _ connection: PGConnection,
        actor: ActingUser,
        segmentNo: String,
        lineNo: Int,
        _ changes: SegmentLineChanges
    ) throws {
        if let template = changes.templateCode {
            try SegmentLineContent.applyTemplate(
                connection,
                segmentNo: segmentNo,
                lineNo: lineNo,
                templateCode: template
            )
        }
        if let language = changes.languageCode {
            try SegmentLineContent.applyLanguage(connection, segmentNo: segmentNo, lineNo: lineNo, language: language)
        }
        if let salesperson = changes.salespersonCode {
            try SegmentStore.checkSalesperson(connection, actor, salesperson)
        }
        var assignments: [String] = []
        var query = PGQuery(sql: "")
        func assign(_ column: String, _ value: some PGEncodable, cast: String = "") {
            assignments.append("\(column) = \(query.bind(value))\(cast)")
        }
        if let value = changes.correspondenceType { assign("correspondence_type", value?.rawValue) }
        if let value = changes.sendWordDocsAsAttmt { assign("send_word_docs_as_attmt", value) }
        if let value = changes.description { assign("description", value) }
        if let value = changes.salespersonCode { assign("salesperson_code", value) }
        if let value = changes.subject { assign("subject", value) }
        if let value = changes.evaluation { assign("evaluation", value?.rawValue) }
        if let value = changes.cost { assign("cost", value, cast: "::numeric") }
        if let value = changes.duration { assign("duration", value, cast: "::numeric") }
        if let value = changes.initiatedBy { assign("initiated_by", value?.rawValue) }
        if let value = changes.informationFlow { assign("information_flow", value?.rawValue) }
        if let value = changes.campaignNo { assign("campaign_no", value) }
        if let value = changes.campaignTarget { assign("campaign_target", value) }
        if let value = changes.campaignResponse { assign("campaign_response", value) }
        if let date = changes.date {
            let value = date?.pgValue
            // 3.2 R7: the address active at the old date follows the new date (unless one is given).
            if changes.altAddressCode == nil {
                let old = SegmentSQL.activeAltAddress(contact: "contact_no", date: "date")
                let new = SegmentSQL.activeAltAddress(contact: "contact_no", date: "\(query.bind(value))::date")
                assignments.append(
                    "contact_alt_address_code = CASE WHEN contact_alt_address_code IS NOT DISTINCT FROM \(old) "
                        + "THEN \(new) ELSE contact_alt_address_code END"
                )
            }
            assign("date", value, cast: "::date")
        }
        if let value = changes.altAddressCode { assign("contact_alt_address_code", value) }
        if let value = changes.time { assign("time_of_interaction", value?.pgValue, cast: "::time") }
        if let value = changes.attemptFailed { assign("attempt_failed", value) }
        if let value = changes.taskNo { assign("task_no", value) }
        if let value = changes.opportunityNo { assign("opportunity_no", value) }
        guard !assignments.isEmpty else { return }
        let segment = query.bind(segmentNo)
        let line = query.bind(lineNo)
        query.sql = """
            UPDATE segment_lines SET \(assignments.joined(separator: ", "))
            WHERE segment_no = \(segment) AND line_no = \(line)::int
            """
        try connection.execute(query)
        // A line names an open opportunity of its contact's company and salesperson, and a task not canceled.
        if case .some(.some(let opportunityNo)) = changes.opportunityNo {
            try OpportunityStore.checkSegmentLine(connection, segmentNo: segmentNo, lineNo: lineNo, opportunityNo)
        }
        if case .some(.some(let taskNo)) = changes.taskNo { try TaskStore.checkLink(connection, taskNo) }
    }
}
