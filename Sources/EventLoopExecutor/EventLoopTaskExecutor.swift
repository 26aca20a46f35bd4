import NIOCore

/// Runs a task's jobs on one NIO event loop (`Task(executorPreference:)`): the tasks that serve a
/// connection prefer the event loop of that connection.
///
/// Why: on Swift's global executor a server's command crossed six threads between its request and
/// its reply (the event loop, the session's task, the command's task on another thread of the
/// cooperative pool, a database thread, and back the same way), each crossing a wake-up. With this
/// preference a frame read on the event loop resumes the session on the same thread, and the reply
/// is written from it: one wake-up to reach a database thread, one to come back. A client's reader
/// and writer likewise run where their socket is.
///
/// Nothing that runs here may block: blocking work (libpq, password hashing) has threads of its own.
/// Actor-isolated code still runs on its actor's executor.
public final class EventLoopTaskExecutor: TaskExecutor {
    public let eventLoop: any EventLoop

    public init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        // From the event loop itself this only queues the job (no wake-up); it runs after the
        // current one, never inside it.
        self.eventLoop.execute {
            job.runSynchronously(on: self.asUnownedTaskExecutor())
        }
    }
}
