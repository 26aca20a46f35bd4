import LibPQ

/// A contact in a mailing group.
public struct MailingGroupMember: Sendable, Equatable {
    public var contactNo: String
    public var name: String
    public var type: String
    public var companyNo: String?
}

/// Contacts of mailing groups (reference 3.7): join and leave, from a list or from a segment's contacts.
public enum MailingGroupStore {
    /// Adds the contacts (and, with `segmentNo`, the contacts of that segment's lines) to the group;
    /// returns how many joined (contacts already in it are skipped).
    public static func join(_ connection: PGConnection, group: String, contactNos: [String], segmentNo: String?)
        throws -> Int
    {
        try self.lockGroup(connection, group)
        if !contactNos.isEmpty {
            let found = Set(
                try connection.query("SELECT no FROM contacts WHERE no = ANY(\(contactNos))").map {
                    try $0.decode(String.self, at: 0)
                }
            )
            if let missing = contactNos.first(where: { !found.contains($0) }) {
                throw StoreError.notFound("Contact \(missing) does not exist.")
            }
        }
        if let segmentNo,
            try connection.query("SELECT 1 FROM segment_headers WHERE no = \(segmentNo)").isEmpty
        {
            throw StoreError.notFound("Segment \(segmentNo) does not exist.")
        }
        return try connection.execute(
            """
            INSERT INTO contact_mailing_groups (mailing_group_code, contact_no)
            SELECT \(group), c FROM (
                SELECT unnest(\(contactNos)::text[]) AS c
                UNION
                SELECT l.contact_no FROM segment_lines l
                WHERE \(segmentNo)::text IS NOT NULL AND l.segment_no = \(segmentNo) AND l.contact_no IS NOT NULL
            ) s
            ON CONFLICT DO NOTHING
            """
        )
    }

    /// Removes the contacts from the group; returns how many were in it.
    public static func leave(_ connection: PGConnection, group: String, contactNos: [String]) throws -> Int {
        try self.lockGroup(connection, group)
        return try connection.execute(
            """
            DELETE FROM contact_mailing_groups WHERE mailing_group_code = \(group) AND contact_no = ANY(\(contactNos))
            """
        )
    }

    public static func count(_ connection: PGConnection, group: String) throws -> Int {
        try connection.query("SELECT count(*) FROM contact_mailing_groups WHERE mailing_group_code = \(group)")[0]
            .decode(Int.self, at: 0)
    }

    public static func members(_ connection: PGConnection, group: String, after: String?, limit: Int) throws
        -> [MailingGroupMember]
    {
        try CodeTableStore.require(connection, .mailingGroups, group)
        return try connection.query(
            """
            SELECT c.no, c.name, c.type::text, c.company_no FROM contact_mailing_groups m
            JOIN contacts c ON c.no = m.contact_no
            WHERE m.mailing_group_code = \(group) AND (\(after)::text IS NULL OR c.no > \(after))
            ORDER BY c.no LIMIT \(limit)
            """
        ).map {
            MailingGroupMember(
                contactNo: try $0.decode(String.self, at: 0),
                name: try $0.decode(String.self, at: 1),
                type: try $0.decode(String.self, at: 2),
                companyNo: try $0.decode(String?.self, at: 3)
            )
        }
    }

    static func lockGroup(_ connection: PGConnection, _ group: String) throws {
        if try connection.query("SELECT 1 FROM mailing_groups WHERE code = \(group) FOR SHARE").isEmpty {
            throw StoreError.notFound("Mailing group \(group) does not exist.")
        }
    }
}
