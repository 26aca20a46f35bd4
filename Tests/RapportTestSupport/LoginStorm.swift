import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A password-guessing storm against the real server, for the login fairness tests: many
/// connections, each presenting a client address through a PROXY v1 header (the server must trust
/// 127.0.0.1 as a balancer), sending `LOGIN` after `LOGIN` as fast as they are answered.
public enum LoginStorm {
    /// What the guessers got.
    public struct Tally: Sendable {
        /// Answers per address: `AUTH_FAILED` (a guess was checked) …
        public var failed: [String: Int] = [:]
        /// … and `BUSY` (refused at once, nothing hashed).
        public var busy: [String: Int] = [:]
        public var other: [String: Int] = [:]

        public var totalFailed: Int { self.failed.values.reduce(0, +) }
        public var totalBusy: Int { self.busy.values.reduce(0, +) }
    }

    /// The storm as it goes, for the body to wait on.
    public struct Progress: Sendable {
        let tally: NIOLockedValueBox<Tally>

        /// Waits until every one of `addresses` has had a guess refused (its checks then rank
        /// behind those of addresses without failures), at most `limit`.
        public func untilEveryAddressFailed(_ addresses: [String], limit: Duration = .seconds(30)) async throws {
            let deadline = ContinuousClock.now + limit
            while ContinuousClock.now < deadline {
                let failed = self.tally.withLockedValue { tally in addresses.filter { tally.failed[$0] != nil }.count }
                if failed == addresses.count { return }
                try await Task.sleep(for: .milliseconds(50))
            }
        }
    }

    /// Runs `connections` guessers, connection `i` claiming to come from `addresses[i % count]`
    /// and guessing user `users[i % count]`, until `body` returns; returns `body`'s result and
    /// the tally of the guessers' answers while it ran.
    public static func during<T: Sendable>(
        port: Int,
        connections: Int,
        addresses: [String],
        users: [String],
        _ body: @Sendable (_ storm: Progress) async throws -> T
    ) async throws -> (T, Tally) {
        let tally = NIOLockedValueBox(Tally())
        let stop = NIOLockedValueBox(false)
        return try await withThrowingTaskGroup(of: T?.self) { group in
            for index in 0..<connections {
                let address = addresses[index % addresses.count]
                let user = users[index % users.count]
                group.addTask {
                    let connection = try await LineConnection.connect(port: port, proxiedFrom: address)
                    defer { connection.close() }
                    var guess = index * 1_000_000
                    while !stop.withLockedValue({ $0 }) {
                        guess += 1
                        guard let reply = try? await connection.request("LOGIN \(user) \"guess-\(guess)\"") else {
                            break
                        }
                        // Answers after the end (queued attempts draining) are not counted.
                        if stop.withLockedValue({ $0 }) { break }
                        tally.withLockedValue { tally in
                            if reply.hasPrefix("ERR AUTH_FAILED") {
                                tally.failed[address, default: 0] += 1
                            } else if reply.hasPrefix("ERR BUSY") {
                                tally.busy[address, default: 0] += 1
                            } else {
                                tally.other[address, default: 0] += 1
                            }
                        }
                        // A refused guesser retries after a short pause (not a busy loop: the test
                        // machine is small); a real attacker gains nothing by retrying faster.
                        if reply.hasPrefix("ERR BUSY") { try? await Task.sleep(for: .milliseconds(100)) }
                    }
                    return nil
                }
            }
            let result = try await body(Progress(tally: tally))
            stop.withLockedValue { $0 = true }
            try await group.waitForAll()
            return (result, tally.withLockedValue { $0 })
        }
    }

    /// Logs in once from `address` and returns the reply's final line and how long it took.
    public static func timedLogin(port: Int, from address: String, user: String, password: String) async throws
        -> (reply: String, seconds: Double)
    {
        let connection = try await LineConnection.connect(port: port, proxiedFrom: address)
        defer { connection.close() }
        let clock = ContinuousClock()
        let start = clock.now
        let reply = try await connection.request("LOGIN \(user) \"\(password)\"")
        let elapsed = clock.now - start
        return (reply, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }
}

/// A bare line connection: one request line out, its final line back (the storm's replies have no
/// data lines).
public final class LineConnection: Sendable {
    private let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
    private let lines: NIOLockedValueBox<Reader>

    private struct Reader: @unchecked Sendable {
        var iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
        var buffer: [UInt8] = []
    }

    /// Connects, sends a PROXY v1 header naming `address` when given, and reads the greeting.
    public static func connect(port: Int, proxiedFrom address: String?) async throws -> LineConnection {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        let connection = LineConnection(channel: channel)
        if let address {
            try await channel.outbound.write(ByteBuffer(string: "PROXY TCP4 \(address) 192.0.2.1 51234 7878\r\n"))
        }
        _ = try await connection.line()
        return connection
    }

    private init(channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>) {
        self.channel = channel
        self.lines = NIOLockedValueBox(Reader(iterator: channel.inbound.makeAsyncIterator()))
    }

    /// Sends `line` and returns the next reply line (without CRLF).
    public func request(_ line: String) async throws -> String {
        try await self.channel.outbound.write(ByteBuffer(string: line + "\n"))
        return try await self.line()
    }

    private func line() async throws -> String {
        // One reader at a time (each connection is driven by one task), so taking the iterator
        // out of the box and putting it back is safe.
        var reader = self.lines.withLockedValue { $0 }
        defer { self.lines.withLockedValue { $0 = reader } }
        while true {
            if let end = reader.buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: reader.buffer[..<end], as: UTF8.self)
                reader.buffer.removeSubrange(...end)
                return line.hasSuffix("\r") ? String(line.dropLast()) : line
            }
            guard var bytes = try await reader.iterator.next() else { throw ChannelError.eof }
            reader.buffer += bytes.readBytes(length: bytes.readableBytes) ?? []
        }
    }

    public func close() {
        self.channel.outbound.finish()
        self.channel.channel.close(promise: nil)
    }
}
