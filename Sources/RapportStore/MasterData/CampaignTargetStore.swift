import LibPQ

/// A contact in a campaign's target group.
public struct CampaignTarget: Sendable, Equatable {
    public var contactNo: String
    public var name: String
}

/// Campaign activation and target groups (reference 3.13 R2): activating fills the target group from the
/// segment lines and the active log entries marked campaign target — companies for their persons, each
/// once — in one transaction; deactivating empties it. Segment lines keep it in step (0018 triggers);
/// contacts leave it when deleted.
public enum CampaignTargetStore {
    /// Fills the target group anew and marks the campaign activated; returns its size. Refused, changing
    /// nothing, when nothing is marked campaign target.
    public static func activate(_ connection: PGConnection, campaignNo: String) throws -> Int {
        try self.lock(connection, campaignNo)
        let targets = try connection.query(
            """
            SELECT DISTINCT coalesce(c.company_no, c.no) FROM segment_lines l JOIN contacts c ON c.no = l.contact_no
            WHERE l.campaign_no = \(campaignNo) AND l.campaign_target
            UNION
            SELECT coalesce(e.contact_company_no, e.contact_no) FROM interaction_log_entries e
            WHERE e.campaign_no = \(campaignNo) AND e.campaign_target AND NOT e.canceled AND NOT e.postponed
              AND e.contact_no IS NOT NULL
            """
        ).map { try $0.decode(String.self, at: 0) }
        guard !targets.isEmpty else {
            throw StoreError.invalid(
                "There are no segment lines or interaction log entries marked as campaign target for Campaign "
                    + "\(campaignNo): mark some with campaign-target=true, then activate it"
            )
        }
        try connection.execute("DELETE FROM campaign_target_groups WHERE campaign_no = \(campaignNo)")
        try connection.execute(
            """
            INSERT INTO campaign_target_groups (campaign_no, contact_no)
            SELECT \(campaignNo), unnest(\(targets)::text[])
            """
        )
        try connection.execute("UPDATE campaigns SET activated = true WHERE no = \(campaignNo)")
        return targets.count
    }

    /// Empties the target group and marks the campaign not activated; returns how many targets it had.
    public static func deactivate(_ connection: PGConnection, campaignNo: String) throws -> Int {
        guard try self.lock(connection, campaignNo) else {
            throw StoreError.invalid("Campaign \(campaignNo) is not activated.")
        }
        let removed = try connection.execute("DELETE FROM campaign_target_groups WHERE campaign_no = \(campaignNo)")
        try connection.execute("UPDATE campaigns SET activated = false WHERE no = \(campaignNo)")
        return removed
    }

    public static func count(_ connection: PGConnection, campaignNo: String) throws -> Int {
        try connection.query("SELECT count(*) FROM campaign_target_groups WHERE campaign_no = \(campaignNo)")[0]
            .decode(Int.self, at: 0)
    }

    public static func list(_ connection: PGConnection, campaignNo: String, after: String?, limit: Int) throws
        -> [CampaignTarget]
    {
        if try connection.query("SELECT 1 FROM campaigns WHERE no = \(campaignNo)").isEmpty {
            throw StoreError.notFound("Campaign \(campaignNo) does not exist.")
        }
        return try connection.query(
            """
            SELECT c.no, c.name FROM campaign_target_groups t JOIN contacts c ON c.no = t.contact_no
            WHERE t.campaign_no = \(campaignNo) AND (\(after)::text IS NULL OR c.no > \(after))
            ORDER BY c.no LIMIT \(limit)
            """
        ).map { CampaignTarget(contactNo: try $0.decode(String.self, at: 0), name: try $0.decode(String.self, at: 1)) }
    }

    /// The activated campaign, running today, whose target group holds the contact's company (or the contact):
    /// the campaign a posted sales invoice is logged with (reference 3.13 R2). The first by number. The
    /// contact is `contactNo`, or the one linked to the account (`link`, `accountNo`), so that document
    /// logging sends it with its other reads.
    static func runningCampaignQuery(contactNo: String?, link: String?, accountNo: String?) -> PGQuery {
        """
        SELECT t.campaign_no FROM contacts k
        JOIN campaign_target_groups t ON t.contact_no = coalesce(k.company_no, k.no)
        JOIN campaigns c ON c.no = t.campaign_no
        WHERE k.no = coalesce(\(contactNo)::text, (SELECT r.contact_no FROM contact_business_relations r
                                                   WHERE r.link_to = \(link) AND r.account_no = \(accountNo)))
          AND c.activated
          AND (c.starting_date IS NULL OR c.starting_date <= CURRENT_DATE)
          AND (c.ending_date IS NULL OR c.ending_date >= CURRENT_DATE)
        ORDER BY t.campaign_no LIMIT 1
        """
    }

    /// An interaction marked campaign target of an activated campaign puts its contact's company into the
    /// target group. Queued: it goes out with the COMMIT, no extra round trip on the write path.
    static func enqueueTarget(_ connection: PGConnection, campaignNo: String, contactNo: String) {
        connection.enqueue(
            """
            INSERT INTO campaign_target_groups (campaign_no, contact_no)
            SELECT no, \(contactNo) FROM campaigns WHERE no = \(campaignNo) AND activated
            ON CONFLICT DO NOTHING
            """
        )
    }

    /// Locks the campaign; returns whether it is activated.
    @discardableResult
    static func lock(_ connection: PGConnection, _ campaignNo: String) throws -> Bool {
        guard
            let row = try connection.query("SELECT activated FROM campaigns WHERE no = \(campaignNo) FOR UPDATE").first
        else { throw StoreError.notFound("Campaign \(campaignNo) does not exist.") }
        return try row.decode(Bool.self, at: 0)
    }
}
