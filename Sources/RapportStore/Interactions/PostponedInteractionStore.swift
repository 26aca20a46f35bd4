import LibPQ
import RapportModel

/// The Postponed Interactions page (reference 3.4 R1): list and delete; resuming is
/// ``InteractionStore/resume(_:entryNo:_:actor:)``.
public enum PostponedInteractionStore {
    /// The filters of the postponed list.
    public struct Filter: Sendable, Equatable {
        public var salespersonCode: String?
        public var userID: String?
        public var contactNo: String?

        public init(salespersonCode: String? = nil, userID: String? = nil, contactNo: String? = nil) {
            self.salespersonCode = salespersonCode
            self.userID = userID
            self.contactNo = contactNo
        }
    }

    /// A keyset page of postponed entries, newest first. A salesperson sees only their own salesperson code's.
    public static func list(
        _ connection: PGConnection,
        _ filter: Filter,
        after cursor: LogCursor?,
        limit: Int,
        actor: ActingUser
    ) throws -> InteractionLogPage {
        var filter = filter
        if actor.role < .manager {
            if let asked = filter.salespersonCode, asked != actor.salespersonCode {
                throw AccessDenied("A salesperson may only list their own postponed interactions.")
            }
            filter.salespersonCode = actor.salespersonCode ?? ""
        }
        var query = PGQuery(sql: "")
        var conditions = ["e.postponed"]
        if let salesperson = filter.salespersonCode {
            conditions.append("e.salesperson_code = \(query.bind(salesperson))")
        }
        if let user = filter.userID { conditions.append("e.user_id = \(query.bind(user))") }
        if let contact = filter.contactNo { conditions.append("e.contact_no = \(query.bind(contact))") }
        return try InteractionLogReader.page(connection, where: conditions, binds: query, after: cursor, limit: limit)
    }

    /// Deletes postponed entries with their comments and unique attachments (reference 3.4 R1).
    public static func delete(_ connection: PGConnection, _ entryNos: [Int64], actor: ActingUser) throws -> Int {
        guard !entryNos.isEmpty else { throw StoreError.invalid("Select at least one postponed interaction.") }
        let list = PGInt64Array(entryNos)
        let rows = try connection.query(
            """
            SELECT entry_no, salesperson_code, postponed FROM interaction_log_entries
            WHERE entry_no = ANY(\(list)) ORDER BY entry_no FOR UPDATE
            """
        )
        var found: Set<Int64> = []
        for row in rows {
            let entryNo = try row.decode(Int64.self, at: 0)
            let salesperson = try row.decode(String?.self, at: 1)
            guard try row.decode(Bool.self, at: 2) else {
                throw StoreError.invalid("Interaction log entry \(entryNo) is not postponed.")
            }
            guard actor.mayActFor(salesperson) else {
                throw AccessDenied(
                    "Postponed interaction \(entryNo) belongs to salesperson \(salesperson ?? "(blank)")."
                )
            }
            found.insert(entryNo)
        }
        if let missing = entryNos.first(where: { !found.contains($0) }) {
            throw StoreError.notFound("Postponed interaction \(missing) does not exist.")
        }
        return try connection.execute("DELETE FROM interaction_log_entries WHERE entry_no = ANY(\(list)) AND postponed")
    }
}
