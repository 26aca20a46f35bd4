import LibPQ
import RapportModel

/// Adds segment lines set-based: one `INSERT … SELECT` initialises every new line from the header and its
/// contact (reference 3.2 R1–R4, the SQL form of `SegmentLineDefaults`) and records an Insertion history
/// row per line in the same statement. Adding 100,000 contacts is one statement.
enum SegmentLineInsert {
    enum Numbering {
        /// Last line no. + 10000 × `ord` (ord = 1, 2, 3 …).
        case append
        /// `ord` is the line number itself (a line whose contact changed keeps its number).
        case given
    }

    /// `source` renders a query with the columns `contact_no`, `ord` and `campaign_no` (a campaign that
    /// replaces the header's, or NULL). `historyAction` nil writes no history (Go Back re-creating lines).
    /// `bulk` finds the active alternative addresses with one join instead of a lookup per line (cheaper for
    /// many lines, dearer for one). Returns the number of lines added.
    @discardableResult
    static func insert(
        _ connection: PGConnection,
        segmentNo: String,
        historyAction: Int?,
        numbering: Numbering = .append,
        bulk: Bool = true,
        source: (inout PGQuery) -> String
    ) throws -> Int {
        // Without segment-level content (no template, e.g. a follow-up segment) there is no language to look up.
        let hasLanguages = try !connection.query(
            "SELECT 1 FROM segment_interaction_languages WHERE segment_no = \(segmentNo) AND segment_line_no = 0 LIMIT 1"
        ).isEmpty
        var query = PGQuery(sql: "")
        let segment = query.bind(segmentNo)
        let sourceSQL = source(&query)
        let language = hasLanguages ? SegmentSQL.segmentLanguage : Self.noLanguage
        let lineNo = numbering == .append ? "base.last + 10000 * src.ord" : "src.ord"
        let insert = """
            INSERT INTO segment_lines (
                segment_no, line_no, contact_no, contact_company_no, campaign_no, salesperson_code,
                correspondence_type, interaction_template_code, interaction_group_code, cost, duration,
                attachment_no, language_code, subject, word_template_code, description, date, campaign_target,
                campaign_response, information_flow, initiated_by, send_word_docs_as_attmt, contact_alt_address_code)
            SELECT hdr.no, \(lineNo), c.no,
                   CASE WHEN c.type = 'company' THEN c.no ELSE c.company_no END,
                   coalesce(src.campaign_no, hdr.campaign_no),
                   coalesce(hdr.salesperson_code, c.salesperson_code),
                   \(Self.correspondenceType),
                   hdr.interaction_template_code, hdr.interaction_group_code, hdr.unit_cost, hdr.unit_duration,
                   lang.attachment_no, \(SegmentSQL.chosenLanguage),
                   lang.subject, coalesce(lang.word_template_code, hdr.word_template_code),
                   hdr.description, hdr.date, hdr.campaign_target, hdr.campaign_response, hdr.information_flow,
                   hdr.initiated_by, hdr.send_word_docs_as_attmt,
                   \(bulk ? "alt.code" : SegmentSQL.activeAltAddress(contact: "c.no", date: "hdr.date"))
            FROM (\(sourceSQL)) src
            JOIN contacts c ON c.no = src.contact_no
            CROSS JOIN hdr
            CROSS JOIN base
            \(language)
            \(bulk ? Self.activeAltAddresses : "")
            """
        let with = """
            WITH hdr AS (\(SegmentSQL.header(segment))),
            base AS (SELECT coalesce(max(line_no), 0) AS last FROM segment_lines WHERE segment_no = \(segment))
            """
        if let historyAction {
            let action = query.bind(historyAction)
            query.sql = """
                \(with),
                ins AS (\(insert) RETURNING line_no, contact_no)
                INSERT INTO segment_history (segment_no, segment_action_no, segment_line_no, contact_no, action_taken)
                SELECT \(segment), \(action)::int, line_no, contact_no, 'insertion' FROM ins
                """
        } else {
            query.sql = with + "\n" + insert
        }
        return try connection.execute(query)
    }

    /// The `lang` columns when the segment has no content of its own.
    static let noLanguage = """
        CROSS JOIN (SELECT false AS found, NULL::text AS language_code, NULL::bigint AS attachment_no,
                           NULL::text AS subject, NULL::text AS word_template_code) lang
        """

    /// Every contact's alternative address active on the header date (the first by code), as one join.
    static let activeAltAddresses = """
        LEFT JOIN (
            SELECT DISTINCT ON (a.contact_no) a.contact_no, a.code
            FROM contact_alt_addresses a, hdr h
            WHERE h.date IS NOT NULL
              AND (a.starting_date IS NULL OR a.starting_date <= h.date)
              AND (a.ending_date IS NULL OR a.ending_date >= h.date)
            ORDER BY a.contact_no, a.code) alt ON alt.contact_no = c.no
        """

    /// Reference 3.2 R3, "contact set" variant (`SegmentLineDefaults.correspondenceType`): the header's forced
    /// default, else the template's default when the template ignores the contact's type or the contact has
    /// none, else the contact's.
    static let correspondenceType = """
        CASE WHEN hdr.ignore_contact_corres_type AND hdr.correspondence_type_default IS NOT NULL
                  THEN hdr.correspondence_type_default
             WHEN coalesce(hdr.template_ignores, false) OR c.correspondence_type IS NULL THEN hdr.template_type
             ELSE c.correspondence_type END
        """
}
