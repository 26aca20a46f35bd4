/// The requests in flight on one connection, in the order they were written, and the matching of replies to them.
///
/// A reply goes to the oldest request with the same tag; an untagged reply goes to the oldest untagged request.
/// When neither exists (the server could not read the tag, e.g. an over-long line), the reply goes to the oldest
/// request still waiting: the server answers in order, so that is the best guess. A request whose caller gave up
/// (cancellation) keeps its place, so that its reply, when it comes, is dropped instead of being handed to
/// someone else.
struct PendingRequests<Waiter: Sendable>: Sendable {
    /// What became of a reply.
    enum Match {
        /// The reply belongs to this waiter.
        case waiter(Waiter)
        /// The reply belongs to a request whose caller has gone.
        case abandoned
        /// Nobody sent a request this reply could answer.
        case unmatched
    }

    private struct Entry: Sendable {
        let key: UInt64
        let tag: String?
        /// Nil once the caller has abandoned the request.
        var waiter: Waiter?
    }

    /// Entries by sequence number (the order requests were written).
    private var entries: [UInt64: Entry] = [:]
    private var sequenceByKey: [UInt64: UInt64] = [:]
    /// Sequence numbers of tagged entries, oldest first, per tag.
    private var sequencesByTag: [String: [UInt64]] = [:]
    /// Sequence numbers of untagged entries, oldest first, from `untaggedHead` on.
    private var untaggedSequences: [UInt64] = []
    private var untaggedHead = 0
    private var nextSequence: UInt64 = 0
    /// No entry is older than this.
    private var oldestSequence: UInt64 = 0

    /// Number of requests whose caller is still waiting.
    private(set) var waitingCount = 0

    /// Whether no caller is waiting.
    var isEmpty: Bool { self.waitingCount == 0 }

    /// Whether an untagged reply would answer an untagged request (rather than being a fallback or unasked).
    var expectsUntaggedReply: Bool { self.untaggedHead < self.untaggedSequences.count }

    /// Records a request just written; `key` identifies it for ``abandon(key:)``.
    mutating func add(key: UInt64, tag: String?, waiter: Waiter) {
        let sequence = self.nextSequence
        self.nextSequence += 1
        self.entries[sequence] = Entry(key: key, tag: tag, waiter: waiter)
        self.sequenceByKey[key] = sequence
        if let tag {
            self.sequencesByTag[tag, default: []].append(sequence)
        } else {
            self.untaggedSequences.append(sequence)
        }
        self.waitingCount += 1
    }

    /// Marks a request as abandoned by its caller and returns its waiter, if it was still waiting.
    mutating func abandon(key: UInt64) -> Waiter? {
        guard let sequence = self.sequenceByKey[key], let waiter = self.entries[sequence]?.waiter else { return nil }
        self.entries[sequence]?.waiter = nil
        self.waitingCount -= 1
        return waiter
    }

    /// Finds the request a reply with `tag` answers and removes it.
    mutating func match(tag: String?) -> Match {
        let sequence: UInt64?
        if let tag {
            sequence = self.popTagged(tag)
        } else {
            sequence = self.popUntagged()
        }
        if let sequence { return self.remove(sequence) }
        guard let oldest = self.oldestWaiting() else { return .unmatched }
        return self.remove(oldest)
    }

    /// Removes every request and returns the waiters still waiting, oldest first.
    mutating func removeAll() -> [Waiter] {
        let waiters = self.entries.sorted { $0.key < $1.key }.compactMap(\.value.waiter)
        self = PendingRequests()
        return waiters
    }

    private mutating func popTagged(_ tag: String) -> UInt64? {
        guard var sequences = self.sequencesByTag[tag], !sequences.isEmpty else { return nil }
        let first = sequences.removeFirst()
        self.sequencesByTag[tag] = sequences.isEmpty ? nil : sequences
        return first
    }

    private mutating func popUntagged() -> UInt64? {
        // Entries taken by the fallback are skipped here rather than searched for there.
        while self.untaggedHead < self.untaggedSequences.count {
            let sequence = self.untaggedSequences[self.untaggedHead]
            self.untaggedHead += 1
            if self.entries[sequence] != nil {
                self.compactUntaggedQueue()
                return sequence
            }
        }
        self.compactUntaggedQueue()
        return nil
    }

    private mutating func compactUntaggedQueue() {
        if self.untaggedHead == self.untaggedSequences.count {
            self.untaggedSequences.removeAll(keepingCapacity: true)
            self.untaggedHead = 0
        } else if self.untaggedHead > 1024, self.untaggedHead * 2 > self.untaggedSequences.count {
            self.untaggedSequences.removeFirst(self.untaggedHead)
            self.untaggedHead = 0
        }
    }

    /// The oldest entry whose caller still waits.
    private mutating func oldestWaiting() -> UInt64? {
        while self.oldestSequence < self.nextSequence, self.entries[self.oldestSequence] == nil {
            self.oldestSequence += 1
        }
        var sequence = self.oldestSequence
        while sequence < self.nextSequence {
            if self.entries[sequence]?.waiter != nil { return sequence }
            sequence += 1
        }
        return nil
    }

    private mutating func remove(_ sequence: UInt64) -> Match {
        guard let entry = self.entries.removeValue(forKey: sequence) else { return .unmatched }
        self.sequenceByKey[entry.key] = nil
        if let tag = entry.tag, var sequences = self.sequencesByTag[tag], let index = sequences.firstIndex(of: sequence)
        {
            // Only reached through the fallback: a tagged match has already popped its sequence.
            sequences.remove(at: index)
            self.sequencesByTag[tag] = sequences.isEmpty ? nil : sequences
        }
        guard let waiter = entry.waiter else { return .abandoned }
        self.waitingCount -= 1
        return .waiter(waiter)
    }
}
