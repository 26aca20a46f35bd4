import Testing

@testable import RapportClient

@Suite struct PendingRequestsTests {
    private func waiter(_ match: PendingRequests<String>.Match) -> String? {
        if case .waiter(let name) = match { return name }
        return nil
    }

    @Test func matchesTagsInAnyOrder() {
        var pending = PendingRequests<String>()
        pending.add(key: 1, tag: "#1", waiter: "one")
        pending.add(key: 2, tag: "#2", waiter: "two")
        pending.add(key: 3, tag: "#3", waiter: "three")
        #expect(self.waiter(pending.match(tag: "#3")) == "three")
        #expect(self.waiter(pending.match(tag: "#1")) == "one")
        #expect(pending.waitingCount == 1)
        #expect(self.waiter(pending.match(tag: "#2")) == "two")
        #expect(pending.isEmpty)
        guard case .unmatched = pending.match(tag: "#2") else {
            Issue.record("a second reply to #2 matched something")
            return
        }
    }

    @Test func givesUntaggedRepliesToUntaggedRequestsFirst() {
        var pending = PendingRequests<String>()
        pending.add(key: 1, tag: "#1", waiter: "tagged")
        pending.add(key: 2, tag: nil, waiter: "raw")
        #expect(pending.expectsUntaggedReply)
        #expect(self.waiter(pending.match(tag: nil)) == "raw")
        #expect(!pending.expectsUntaggedReply)
        #expect(self.waiter(pending.match(tag: "#1")) == "tagged")
    }

    @Test func fallsBackToTheOldestRequest() {
        var pending = PendingRequests<String>()
        pending.add(key: 1, tag: "#1", waiter: "one")
        pending.add(key: 2, tag: "#2", waiter: "two")
        // The server could not read the tag (e.g. an over-long line): FIFO.
        #expect(self.waiter(pending.match(tag: nil)) == "one")
        #expect(self.waiter(pending.match(tag: "#unknown")) == "two")
        #expect(pending.isEmpty)
    }

    @Test func repeatsOfARawTagAreAnsweredInOrder() {
        var pending = PendingRequests<String>()
        pending.add(key: 1, tag: "#a", waiter: "first")
        pending.add(key: 2, tag: "#a", waiter: "second")
        #expect(self.waiter(pending.match(tag: "#a")) == "first")
        #expect(self.waiter(pending.match(tag: "#a")) == "second")
    }

    @Test func dropsRepliesToAbandonedRequests() {
        var pending = PendingRequests<String>()
        pending.add(key: 1, tag: "#1", waiter: "gone")
        pending.add(key: 2, tag: nil, waiter: "raw gone")
        pending.add(key: 3, tag: "#3", waiter: "three")
        #expect(pending.abandon(key: 1) == "gone")
        #expect(pending.abandon(key: 1) == nil)
        #expect(pending.abandon(key: 2) == "raw gone")
        #expect(pending.waitingCount == 1)
        guard case .abandoned = pending.match(tag: "#1"), case .abandoned = pending.match(tag: nil) else {
            Issue.record("replies to abandoned requests were not dropped")
            return
        }
        // Abandoned requests are skipped by the FIFO fallback.
        #expect(self.waiter(pending.match(tag: "#zzz")) == "three")
    }

    @Test func removesEverythingOldestFirst() {
        var pending = PendingRequests<String>()
        pending.add(key: 5, tag: "#1", waiter: "one")
        pending.add(key: 6, tag: nil, waiter: "two")
        pending.add(key: 7, tag: "#3", waiter: "three")
        _ = pending.abandon(key: 6)
        #expect(pending.removeAll() == ["one", "three"])
        #expect(pending.isEmpty)
        #expect(!pending.expectsUntaggedReply)
    }
}
