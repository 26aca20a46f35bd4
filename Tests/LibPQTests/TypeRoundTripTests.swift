import Foundation
import LibPQ
import RapportTestSupport
import Testing

/// Every supported type goes to PostgreSQL as a parameter and comes back decoded, unchanged.
@Suite("LibPQ type round trips")
struct TypeRoundTripTests {
    let database: TestDatabase

    init() async throws {
        self.database = try await TestPostgres.freshDatabase(migrated: false)
    }

    /// Sends `value` as `$1`, casts it to `sqlType` on the server and decodes it back.
    func roundTrip<T: PGEncodable & PGDecodable>(_ value: T, as sqlType: String) async throws -> T {
        let database = self.database
        return try await TestPostgres.blocking {
            let connection = try database.connect()
            defer { connection.close() }
            let rows = try connection.query("SELECT \(value)::\(unescaped: sqlType)")
            return try rows[0].decode(T.self, at: 0)
        }
    }

    @Test(arguments: [
        "", "plain", "O'Brien", "say \"hi\"", "back\\slash", "tab\tand\nnewline", "Grüße, 東京, 🚀, e\u{301}",
        "'; DROP TABLE users; --", "$1 $2", String(repeating: "x", count: 100_000),
    ])
    func text(_ value: String) async throws {
        #expect(try await self.roundTrip(value, as: "text") == value)
    }

    @Test func integers() async throws {
        for value in [0, 1, -1, Int.max, Int.min] {
            #expect(try await self.roundTrip(value, as: "int8") == value)
        }
        #expect(try await self.roundTrip(Int32.max, as: "int4") == Int32.max)
        #expect(try await self.roundTrip(Int16.min, as: "int2") == Int16.min)
    }

    @Test func booleans() async throws {
        #expect(try await self.roundTrip(true, as: "bool") == true)
        #expect(try await self.roundTrip(false, as: "bool") == false)
    }

    @Test(arguments: ["0", "12.34", "-0.01", "123456789012345678.99", "1e-10"])
    func numerics(_ text: String) async throws {
        let value = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX"))!
        #expect(try await self.roundTrip(value, as: "numeric") == value)
    }

    @Test func dates() async throws {
        for text in ["2026-11-24", "2024-02-29", "0001-01-01", "9999-12-31"] {
            let value = PGDate(text)!
            #expect(try await self.roundTrip(value, as: "date") == value)
        }
        #expect(PGDate("2025-02-29") == nil)
    }

    @Test func times() async throws {
        for text in ["00:00:00", "09:05", "23:59:59.999999", "12:30:15.5"] {
            let value = PGTime(text)!
            #expect(try await self.roundTrip(value, as: "time") == value)
        }
    }

    @Test func timestamps() async throws {
        for seconds in [0.0, 1_795_000_000.123456, -86_400.5, 253_402_300_799.0] {
            let value = Date(timeIntervalSince1970: seconds)
            let back = try await self.roundTrip(value, as: "timestamptz")
            #expect(abs(back.timeIntervalSince1970 - seconds) < 0.000_001)
        }
    }

    @Test func uuids() async throws {
        let value = UUID()
        #expect(try await self.roundTrip(value, as: "uuid") == value)
    }

    @Test func bytes() async throws {
        let value = PGBytes(Array(0...255) + [0, 0, 92, 120])
        #expect(try await self.roundTrip(value, as: "bytea") == value)
        #expect(try await self.roundTrip(PGBytes([]), as: "bytea") == PGBytes([]))
    }

    @Test func nulls() async throws {
        #expect(try await self.roundTrip(String?.none, as: "text") == nil)
        #expect(try await self.roundTrip(Int?.none, as: "int8") == nil)
        #expect(try await self.roundTrip(Decimal?.none, as: "numeric") == nil)
        #expect(try await self.roundTrip(PGDate?.none, as: "date") == nil)
        #expect(try await self.roundTrip(PGBytes?.none, as: "bytea") == nil)
        #expect(try await self.roundTrip(Optional("x"), as: "text") == "x")
    }

    @Test func nullIntoNonOptionalThrows() async throws {
        let database = self.database
        await #expect(throws: PGError.self) {
            try await TestPostgres.blocking {
                let connection = try database.connect()
                defer { connection.close() }
                _ = try connection.query("SELECT NULL::text")[0].decode(String.self, at: 0)
            }
        }
    }

    @Test func wrongTypeThrows() async throws {
        let database = self.database
        let error = await #expect(throws: PGError.self) {
            try await TestPostgres.blocking {
                let connection = try database.connect()
                defer { connection.close() }
                _ = try connection.query("SELECT 42::int4")[0].decode(String.self, at: 0)
            }
        }
        #expect(error?.kind == .decoding)
        #expect(error?.message.contains("int4") == true)
    }

    @Test func nulInTextIsRefusedBeforeSending() async throws {
        let database = self.database
        let error = await #expect(throws: PGError.self) {
            try await TestPostgres.blocking {
                let connection = try database.connect()
                defer { connection.close() }
                _ = try connection.query("SELECT \("a\u{0}b")::text")
            }
        }
        #expect(error?.kind == .invalidArgument)
    }

    @Test func arrays() async throws {
        let database = self.database
        let values = ["a", "b,c", "d\"e", "f\\g", "", "{x}"]
        let back = try await TestPostgres.blocking {
            let connection = try database.connect()
            defer { connection.close() }
            return try connection.query("SELECT unnest(\(values))").map { try $0.decode(String.self, at: 0) }
        }
        #expect(back == values)
    }
}
