import LibPQ
import RapportClient
import RapportModel
import RapportProtocol
import RapportTestSupport
import Testing

/// Reference 3.9 through the real server: logging with Send queues deliveries; workers claim without
/// overlap, complete or fail them; Resend queues again.
@Suite("Segment delivery", .serialized)
struct SegmentDeliveryTests {
    /// Logs a letter segment for all companies and persons with an address (C1, P11, P0, C2) with send=true.
    static func sentSegment(_ kit: SegmentKit) async throws -> String {
        let seg = try await kit.segment([.named("description", "Offer"), .named("template", "BUSLETTER")])
        try await kit.ok("SEGMENT-ADD-CONTACTS", [.positional(seg), .named("contact", "C1|P11|P0|C2")])
        try await kit.ok(
            "SEGMENT-LINE-SET",
            [.positional(seg), .positional("20000"), .named("correspondence-type", "email")]
        )
        let reply = try await kit.ok("LOG-SEGMENT", [.positional(seg), .named("deliver", "true")])
        #expect(SegmentKit.value(reply, "queued") == "4")
        return try #require(SegmentKit.value(reply, "logged-segment"))
    }

    @Test func aDeliveryClaimedByOneWorkerIsNotClaimedByAnother() async throws {
        let kit = try await SegmentKit.start()
        _ = try await Self.sentSegment(kit)
        #expect(
            try await kit.sql(
                "SELECT count(*)::text, bool_and(delivery_status = 'in_progress')::text FROM interaction_log_entries"
            ) == [["4", "true"]]
        )
        #expect(
            try await kit.scalar("SELECT string_agg(status, ',') FROM delivery_outbox")
                == "pending,pending,pending,pending"
        )

        // Two workers claim at the same moment: disjoint batches covering the queue.
        let one = try await kit.session()
        let two = try await kit.session()
        async let a = one.send("DELIVERY-CLAIM", [.named("worker", "w1"), .named("limit", "2")])
        async let b = two.send("DELIVERY-CLAIM", [.named("worker", "w2"), .named("limit", "3")])
        let (first, second) = try await (a, b)
        let claimedA = SegmentKit.values(first, "entry")
        let claimedB = SegmentKit.values(second, "entry")
        #expect(claimedA.count + claimedB.count == 4)
        #expect(Set(claimedA).isDisjoint(with: claimedB))
        let nothing = try await kit.ok("DELIVERY-CLAIM", [.named("worker", "w3")])
        #expect(nothing.dataLines.isEmpty)
        // The e-mail line goes to the contact's address; hard copies carry the attachment.
        #expect(
            try await kit.sql(
                "SELECT claimed_by, count(*)::text FROM delivery_outbox WHERE status = 'claimed' GROUP BY claimed_by ORDER BY 1"
            ) == [["w1", String(claimedA.count)], ["w2", String(claimedB.count)]]
        )

        // Only the claiming worker completes an item.
        let entryA = try #require(claimedA.first)
        let wrong = try await kit.send("DELIVERY-DONE", [.named("entry", entryA), .named("worker", "w2")])
        #expect(SegmentKit.error(wrong, .conflict) == "Entry \(entryA) is not claimed by worker w2.")
        try await kit.ok("DELIVERY-DONE", [.named("entry", entryA), .named("worker", "w1")])
        let entryB = try #require(claimedB.first)
        try await kit.ok(
            "DELIVERY-FAILED",
            [.named("entry", entryB), .named("worker", "w2"), .named("reason", "550 mailbox unavailable")]
        )
        #expect(
            try await kit.sql(
                """
                SELECT e.entry_no::text, e.delivery_status, o.status, o.last_error FROM interaction_log_entries e
                JOIN delivery_outbox o ON o.entry_no = e.entry_no WHERE e.entry_no IN (\(entryA), \(entryB))
                ORDER BY (e.entry_no = \(entryA)) DESC
                """
            ) == [[entryA, nil, "delivered", nil], [entryB, "error", "failed", "550 mailbox unavailable"]]
        )

        // An expired lease can be taken over.
        try await kit.script(
            "UPDATE delivery_outbox SET claimed_until = now() - interval '1 second' WHERE status = 'claimed'"
        )
        let takeover = try await kit.ok("DELIVERY-CLAIM", [.named("worker", "w3"), .named("limit", "10")])
        #expect(SegmentKit.values(takeover, "entry").count == 2)
        #expect(SegmentKit.value(takeover, "attempt") == "2")
        await one.close()
        await two.close()
        try await kit.stop()
    }

    @Test func resendQueuesTheLoggedSegmentAgain() async throws {
        let kit = try await SegmentKit.start()
        let logged = try await Self.sentSegment(kit)
        let claimed = try await kit.ok("DELIVERY-CLAIM", [.named("worker", "w1"), .named("limit", "10")])
        for entry in SegmentKit.values(claimed, "entry") {
            try await kit.ok(
                "DELIVERY-FAILED",
                [.named("entry", entry), .named("worker", "w1"), .named("reason", "down")]
            )
        }
        var reply = try await kit.ok(
            "RESEND",
            [.named("logged-segment", logged), .named("correspondence-type", "email")]
        )
        #expect(SegmentKit.value(reply, "queued") == "4")
        #expect(
            try await kit.sql(
                """
                SELECT string_agg(DISTINCT delivery_status, ','), string_agg(DISTINCT correspondence_type, ','),
                       (SELECT count(*) FROM delivery_outbox WHERE status = 'pending')::text
                FROM interaction_log_entries
                """
            ) == [["in_progress", "email", "4"]]
        )
        // Update Merge Fields logs a copy of each entry and queues that.
        reply = try await kit.ok("RESEND", [.named("logged-segment", logged), .named("update-merge-fields", "true")])
        #expect(SegmentKit.value(reply, "queued") == "4")
        #expect(
            try await kit.sql(
                """
                SELECT count(*)::text, min(description), count(DISTINCT logged_segment_entry_no)::text
                FROM interaction_log_entries WHERE description LIKE 'Resend:%'
                """
            ) == [["4", "Resend:Offer", "1"]]
        )
        // Neither a bare request nor entries of two logged segments.
        reply = try await kit.send("RESEND")
        #expect(SegmentKit.error(reply, .invalid) == SegmentMessages.loggedSegmentRequired)
        try await kit.stop()
    }
}
