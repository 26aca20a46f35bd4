import EventLoopExecutor
import NIOCore
import NIOPosix
import Synchronization
import Testing

/// The tasks of a session and of a client connection run on their event loop: what makes a command
/// cross one thread to the database and one back, instead of six.
@Suite("Event loop task executor")
struct EventLoopTaskExecutorTests {
    @Test func aTaskThatPrefersAnEventLoopRunsOnItAfterSuspensionsAndSoDoItsChildren() async throws {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let executor = EventLoopTaskExecutor(loop)
        let seen = await Task(executorPreference: executor) { () async -> [Bool] in
            var seen = [loop.inEventLoop]
            // Resumed by a timer of the same loop, and by a thread of another executor.
            try? await Task.sleep(for: .milliseconds(2))
            seen.append(loop.inEventLoop)
            let other = MultiThreadedEventLoopGroup.singleton.any()
            _ = try? await other.submit { 1 }.get()
            seen.append(loop.inEventLoop)
            let children = await withTaskGroup(of: Bool.self, returning: [Bool].self) { group in
                for _ in 0..<3 { group.addTask { loop.inEventLoop } }
                return await group.reduce(into: []) { $0.append($1) }
            }
            return seen + children
        }.value
        #expect(seen == Array(repeating: true, count: 6))
    }

    @Test func jobsEnqueuedFromTheLoopRunAfterTheCurrentOneNotInsideIt() async throws {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let executor = EventLoopTaskExecutor(loop)
        let order = Order()
        let promise = loop.makePromise(of: Void.self)
        try await loop.submit {
            Task(executorPreference: executor) {
                order.lines.withLock { $0.append("task on the loop: \(loop.inEventLoop)") }
                promise.succeed()
            }
            order.lines.withLock { $0.append("caller") }
        }.get()
        try await promise.futureResult.get()
        #expect(order.lines.withLock { $0 } == ["caller", "task on the loop: true"])
    }
}

private final class Order: Sendable {
    let lines = Mutex<[String]>([])
}
