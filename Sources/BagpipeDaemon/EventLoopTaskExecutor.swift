public import NIOCore

/// A task executor (SE-0417) that runs jobs on one NIO event loop. The REST server's tasks prefer it, so that a
/// request is read, handled by the VPN service and the speaker (both on that loop), and answered on one thread:
/// without it every request crossed between Swift's global executor and the event loop four times, and those
/// thread hand-offs were a third of bagpipe-bgp's CPU per attach (docs/performance.md, "Attach latency").
public final class EventLoopTaskExecutor: TaskExecutor {
    public let eventLoop: any EventLoop

    public init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
