import Foundation
import RapportClient
import RapportProtocol
import RapportServer
import RapportTestSupport
import Testing

/// Salespeople, languages, groups, campaigns, number series and the marketing setup; and the
/// examples of every master data command bind against their own declarations.
@Suite("Master data: setup commands", .serialized)
struct MasterDataSetupServerTests {
    @Test func salespeopleLanguagesAndGroups() async throws {
        let kit = try await MasterDataKit.start()
        let added = try await kit.ok(
            "SALESPERSON-ADD",
            [.positional("jo"), .named("name", "Jim Olive"), .named("email", "jo@cronus.example")]
        )
        #expect(added.final == .ok("salesperson JO created"))
        #expect(
            try await kit.send("SALESPERSON-ADD", [.positional("JO")]).errorText(.conflict)
                == "Salesperson JO already exists"
        )
        let changed = try await kit.ok(
            "SALESPERSON-SET",
            [.positional("jo"), .named("blocked", "true"), .named("email", "")]
        )
        #expect(changed.value("blocked") == "true")
        #expect(changed.value("email") == "")
        #expect(
            try await kit.sql("SELECT name, email, blocked::text FROM salespeople WHERE code = 'JO'") == [
                ["Jim Olive", nil, "true"]
            ]
        )
        let list = try await kit.ok("SALESPERSON-LIST")
        #expect(list.final == .ok("2 salespeople total=2"))
        // AH is MANAGER's salesperson: in use.
        #expect(try await kit.send("SALESPERSON-DELETE", [.positional("AH")]).errorText(.conflict) != nil)
        try await kit.ok("SALESPERSON-DELETE", [.positional("JO")])

        try await kit.ok("LANGUAGE-ADD", [.positional("enu"), .named("name", "English")])
        try await kit.ok("SETUP-MARKETING", [.named("language", "enu")])
        #expect(try await kit.send("LANGUAGE-DELETE", [.positional("enu")]).errorText(.conflict) != nil)
        try await kit.ok("SETUP-MARKETING", [.named("language", "")])
        #expect(try await kit.ok("SETUP-MARKETING").value("language") == "")
        try await kit.ok("LANGUAGE-DELETE", [.positional("enu")])
        #expect(try await kit.ok("LANGUAGE-LIST").final == .ok("0 languages total=0"))

        try await kit.ok("GROUP-ADD", [.positional("phone"), .named("description", "Calls")])
        #expect(
            try await kit.ok("GROUP-SET", [.positional("phone"), .named("description", "Phone calls")])
                .value("description") == "Phone calls"
        )
        #expect(
            try await kit.send("GROUP-SET", [.positional("nope"), .named("description", "x")]).errorText(.notFound)
                != nil
        )
        #expect(try await kit.ok("GROUP-LIST").value("group") == "PHONE")
        #expect(try await kit.ok("GROUP-LIST").value("description") == "Phone calls")
        #expect(try await kit.send("GROUP-SET", [.positional("phone")]).errorText(.badArguments) != nil)
        #expect(
            try await kit.ok("GROUP-SET", [.positional("phone"), .named("description", "")]).value("description") == ""
        )
        try await kit.stop()
    }

    @Test func campaignsSeriesAndSetup() async throws {
        let kit = try await MasterDataKit.start()
        try await kit.script("UPDATE marketing_setup SET campaign_nos = NULL")
        let noSeries = try await kit.send("CAMPAIGN-ADD", [.named("description", "Spring")])
        #expect(
            noSeries.errorText(.invalid)
                == "Campaign Nos. must have a value in Marketing Setup: set one with SETUP-MARKETING campaign-nos=<series>"
        )
        try await kit.ok(
            "SERIES-ADD",
            [.positional("camp"), .named("starting-no", "CP0001"), .named("ending-no", "CP0002")]
        )
        #expect(
            try await kit.send("SERIES-ADD", [.positional("bad"), .named("starting-no", "ABC")])
                .errorText(.invalid)?.hasPrefix(
                    "Starting No. ABC must contain a number"
                ) == true
        )
        try await kit.ok("SETUP-MARKETING", [.named("campaign-nos", "camp")])
        let campaign = try await kit.ok(
            "CAMPAIGN-ADD",
            [
                .named("description", "Spring"), .named("starting-date", "2025-04-01"),
                .named("ending-date", "2025-05-31"), .named("salesperson", "ah"),
            ]
        )
        #expect(campaign.value("campaign") == "CP0001")
        #expect(campaign.value("ending-date") == "2025-05-31")
        let backwards = try await kit.send(
            "CAMPAIGN-SET",
            [.positional("CP0001"), .named("ending-date", "2025-03-01")]
        )
        #expect(
            backwards.errorText(.invalid)?.hasPrefix(
                "Starting Date 2025-04-01 must not be after Ending Date 2025-03-01"
            ) == true
        )
        #expect(backwards.errorText(.invalid)?.hasSuffix(": change starting-date= or ending-date=") == true)
        let changed = try await kit.ok(
            "CAMPAIGN-SET",
            [.positional("cp0001"), .named("salesperson", ""), .named("ending-date", "")]
        )
        #expect(changed.value("salesperson") == "")
        #expect(changed.value("ending-date") == "")
        try await kit.ok("CAMPAIGN-ADD", [.named("description", "Summer")])
        let exhausted = try await kit.send("CAMPAIGN-ADD", [.named("description", "Autumn")])
        #expect(
            exhausted.errorText(.invalid)
                == "number series CAMP is exhausted: the next number CP0003 would pass the ending number CP0002"
        )
        #expect(try await kit.ok("CAMPAIGN-LIST").final == .ok("2 campaigns total=2"))
        try await kit.script(
            "INSERT INTO interaction_groups (code) VALUES ('G'); "
                + "INSERT INTO interaction_templates (code, interaction_group_code, campaign_no) "
                + "VALUES ('T', 'G', 'CP0001')"
        )
        #expect(try await kit.send("CAMPAIGN-DELETE", [.positional("CP0001")]).errorText(.conflict) != nil)
        try await kit.ok("CAMPAIGN-DELETE", [.positional("CP0002")])

        let series = try await kit.ok("SERIES-LIST")
        #expect(series.value("last-no-used") == "CP0002")
        let setup = try await kit.ok("SETUP-MARKETING")
        #expect(setup.value("campaign-nos") == "CAMP")
        #expect(setup.value("max-attachment-bytes") == "10485760")
        #expect(
            try await kit.send("SETUP-MARKETING", [.named("contact-nos", "NOPE")]).errorText(.notFound)
                == "No. Series NOPE does not exist: create it with SERIES-ADD"
        )
        #expect(
            try await kit.send("SETUP-MARKETING", [.named("max-attachment-bytes", "")]).errorText(.badArguments)
                != nil
        )
        try await kit.stop()
    }

    @Test func examplesBindAgainstTheirCommands() throws {
        let names = Set(
            ["SALESPERSON", "CONTACT", "LANGUAGE", "GROUP", "TEMPLATE", "ATTACHMENT", "SETUP", "CAMPAIGN", "SERIES"]
        )
        let specs = RapportServer.commandSpecs.filter { names.contains(String($0.name.split(separator: "-")[0])) }
        #expect(specs.count == 62)
        for spec in specs {
            var line = spec.example[0]
            if let brace = line.range(of: " {", options: .backwards) { line = String(line[..<brace.lowerBound]) }
            let request = try #require(try Tokenizer.parse(line))
            #expect(request.verb == spec.name)
            #expect(throws: Never.self, "\(spec.name) example: \(line)") { try spec.bind(request) }
        }
    }
}
