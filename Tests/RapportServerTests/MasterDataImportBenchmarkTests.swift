import Foundation
import RapportClient
import RapportProtocol
import RapportTestSupport
import Testing

/// QUALITY P7: 1 million contacts from CSV in ≤ 30 s, sent as the CLI would: parts of whole rows
/// under the 16 MiB payload limit, each with the header row. Run with RAPPORT_IMPORT_BENCH=1.
@Suite("Master data: contact import benchmark", .serialized)
struct MasterDataImportBenchmarkTests {
    static let enabled = ProcessInfo.processInfo.environment["RAPPORT_IMPORT_BENCH"] != nil

    @Test(.enabled(if: Self.enabled)) func oneMillionContacts() async throws {
        let total = Int(ProcessInfo.processInfo.environment["RAPPORT_IMPORT_ROWS"] ?? "") ?? 1_000_000
        let kit = try await MasterDataKit.start()
        try await kit.ok("SERIES-ADD", [.positional("cont"), .named("starting-no", "CT0000001")])
        try await kit.ok("SETUP-MARKETING", [.named("contact-nos", "CONT")])
        let header = "no,type,name,company_no,salesperson_code,email,phone_no,city,post_code,country_code\n"
        var parts: [(firstLine: Int, bytes: [UInt8])] = []
        var chunk = header
        var firstLine = 2
        for row in 0..<total {
            let line =
                row % 10 == 0
                ? "CO\(row),company,Company \(row) Ltd,,AH,info\(row)@example.com,+44 20 7946 \(row % 10000),"
                    + "London,EC1A,GB\n"
                : ",person,Person \(row),CO\(row - row % 10),,p\(row)@example.com,,Leeds,LS1,GB\n"
            if chunk.utf8.count + line.utf8.count > 15 * 1024 * 1024
                || (row % 10 == 0 && chunk.utf8.count > 14 * 1024 * 1024)
            {
                parts.append((firstLine, Array(chunk.utf8)))
                chunk = header
                firstLine = row + 2
            }
            chunk += line
        }
        parts.append((firstLine, Array(chunk.utf8)))
        try await kit.sql("UPDATE number_series SET allow_manual = true")
        let started = ContinuousClock.now
        var imported = 0
        for part in parts {
            let reply = try await kit.ok(
                "CONTACT-IMPORT",
                [.named("first-line", String(part.firstLine))],
                payload: part.bytes
            )
            imported += Int(reply.value("imported") ?? "0") ?? 0
        }
        let elapsed = ContinuousClock.now - started
        print("imported \(imported) contacts in \(parts.count) parts: \(elapsed)")
        #expect(imported == total)
        #expect(elapsed < .seconds(30))
        try await kit.stop()
    }
}
