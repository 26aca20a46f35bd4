import LibPQ

/// A language code (reference §1.17; `languages`).
public struct Language: Sendable, Equatable {
    public var code: String
    public var name: String?

    public init(code: String, name: String? = nil) {
        self.code = code
        self.name = name
    }
}

/// Languages, inside the caller's transaction.
public enum LanguageStore {
    public static func add(_ connection: PGConnection, _ language: Language) throws -> Language {
        try MasterDataLookup.inserting("Language \(language.code) already exists") {
            try connection.execute("INSERT INTO languages (code, name) VALUES (\(language.code), \(language.name))")
        }
        return language
    }

    /// Languages in code order: a keyset page after `after` of at most `limit` (nil: all).
    /// How many languages there are (the total of a list).
    public static func count(_ connection: PGConnection) throws -> Int {
        try MasterDataLookup.count(connection, "SELECT count(*) FROM languages")
    }

    public static func list(_ connection: PGConnection, after: String? = nil, limit: Int? = nil) throws -> [Language] {
        try connection.query(
            """
            SELECT code, name FROM languages
            WHERE \(after)::text IS NULL OR code > \(after) ORDER BY code LIMIT \(limit)
            """
        ).map {
            Language(code: try $0.decode(String.self, at: 0), name: try $0.decode(String?.self, at: 1))
        }
    }

    public static func delete(_ connection: PGConnection, _ code: String) throws {
        let message =
            "Language \(code) cannot be deleted because contacts, template languages, segments, interaction log "
            + "entries or the marketing setup refer to it"
        let deleted = try MasterDataLookup.deleting(message) {
            try connection.execute("DELETE FROM languages WHERE code = \(code)")
        }
        if deleted == 0 { throw StoreError.notFound("Language \(code) does not exist") }
    }
}
