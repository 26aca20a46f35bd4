import RapportClient
import Testing

@Suite struct RapportURLTests {
    @Test(arguments: [
        ("rapport://crm.example:7000", RapportURL(user: nil, host: "crm.example", port: 7000)),
        ("rapport://alice@crm.example:7000", RapportURL(user: "alice", host: "crm.example", port: 7000)),
        ("RAPPORT://alice@10.0.0.1", RapportURL(user: "alice", host: "10.0.0.1", port: 7878)),
        ("rapport://crm.example:7000/", RapportURL(user: nil, host: "crm.example", port: 7000)),
        ("rapport://[::1]:7001", RapportURL(user: nil, host: "::1", port: 7001)),
        ("rapport://bob@[fe80::1]", RapportURL(user: "bob", host: "fe80::1", port: 7878)),
        ("rapport://j%C3%BCrgen%40sales@h:1", RapportURL(user: "jürgen@sales", host: "h", port: 1)),
    ])
    func parses(text: String, expected: RapportURL) throws {
        #expect(try RapportURL(parsing: text) == expected)
    }

    @Test(arguments: [
        "http://crm.example:7000", "crm.example:7000", "rapport://", "rapport://:7000", "rapport://host:",
        "rapport://host:0", "rapport://host:65536", "rapport://host:70a", "rapport://host:7000/path",
        "rapport://host?x=1", "rapport://@host", "rapport://alice:secret@host", "rapport://[::1",
        "rapport://[::1]x", "rapport://a:b:c", "rapport://%zz@host",
    ])
    func refuses(text: String) {
        #expect(throws: UsageError.self) { try RapportURL(parsing: text) }
    }

    @Test func refusesSecretsWithAHint() {
        #expect(throws: UsageError("the URL must not hold a secret; set RAPPORT_PASSWORD or type it when asked")) {
            try RapportURL(parsing: "rapport://alice:pw@host")
        }
    }

    @Test func printsItself() throws {
        #expect(RapportURL(user: "jürgen", host: "::1", port: 7).description == "rapport://j%C3%BCrgen@[::1]:7")
        let url = try RapportURL(parsing: "rapport://a.b@h:9")
        #expect(try RapportURL(parsing: url.description) == url)
    }
}

@Suite struct ConnectionSettingsTests {
    private func resolve(
        host: String? = nil,
        port: Int? = nil,
        url: String? = nil,
        user: String? = nil,
        environment: [String: String] = [:]
    ) throws -> ConnectionSettings {
        try ConnectionSettings.resolve(host: host, port: port, url: url, user: user, environment: environment)
    }

    @Test func defaultsToLocalhostWithoutUser() throws {
        #expect(try self.resolve() == ConnectionSettings(host: "127.0.0.1", port: 7878, user: nil))
    }

    @Test func readsTheEnvironment() throws {
        let environment = ["RAPPORT_HOST": "db", "RAPPORT_PORT": "9000", "RAPPORT_USER": "alice"]
        #expect(try self.resolve(environment: environment) == ConnectionSettings(host: "db", port: 9000, user: "alice"))
        let url = ["RAPPORT_URL": "rapport://bob@crm:7100"]
        #expect(try self.resolve(environment: url) == ConnectionSettings(host: "crm", port: 7100, user: "bob"))
    }

    @Test func layersSourcesInOrder() throws {
        let environment = ["RAPPORT_URL": "rapport://bob@crm:7100", "RAPPORT_PORT": "7200", "RAPPORT_USER": ""]
        #expect(try self.resolve(environment: environment) == ConnectionSettings(host: "crm", port: 7200, user: "bob"))
        #expect(
            try self.resolve(url: "rapport://other", environment: environment)
                == ConnectionSettings(host: "other", port: 7878, user: "bob")
        )
        #expect(
            try self.resolve(host: "h", port: 1, user: "carol", environment: environment)
                == ConnectionSettings(host: "h", port: 1, user: "carol")
        )
    }

    @Test func refusesConflictsAndBadValues() {
        #expect(throws: UsageError.self) { try self.resolve(host: "h", url: "rapport://x") }
        #expect(throws: UsageError.self) { try self.resolve(port: 1, url: "rapport://x") }
        #expect(throws: UsageError.self) { try self.resolve(port: 0) }
        #expect(throws: UsageError.self) { try self.resolve(environment: ["RAPPORT_PORT": "http"]) }
        #expect(throws: UsageError.self) { try self.resolve(environment: ["RAPPORT_URL": "crm:7000"]) }
    }
}
