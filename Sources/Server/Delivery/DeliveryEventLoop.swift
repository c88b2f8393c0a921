import Foundation
import Logging
import NIOCore
import NIOPosix
import Queue

/// The one thread delivery runs on: an event loop of its own for the outbound
/// SMTP and LMTP connections that is also the task executor of the delivery
/// scheduler and its tasks, at the configured ``DeliveryPriority`` below the
/// listeners' event loops and the journal writer.
///
/// Under CPU contention a client waiting for its 250 is then served before a
/// delivery step, and the queue absorbs the difference until the listeners
/// leave CPU over. On the 2-core benchmark machine, relaying at 50 sessions,
/// delivery at nice 10 took the p99 end-of-data → 250 from 4.8–5.4 to 4.0–4.2
/// ms, and `SCHED_IDLE` (``DeliveryPriority/idle``) took another 0.6–1.5 ms
/// off the median of interleaved runs, at the same end-to-end rate at 1 KB and
/// 7% less at 100 KB (README, "What the p99 is made of"). One thread also
/// spares the hops between the concurrency pool and an event loop that every
/// outbound reply used to take.
final class DeliveryEventLoop: TaskExecutor {
    /// The nice increment of ``DeliveryPriority/low``.
    static let lowNiceness: Int32 = 10
    /// Linux's `SCHED_IDLE` policy (`<linux/sched.h>`), which glibc declares only under `_GNU_SOURCE`.
    static let idlePolicy: Int32 = 5

    let group: MultiThreadedEventLoopGroup
    private let eventLoop: any EventLoop

    /// Starts the thread; `logger` gets a warning when `priority` cannot be applied.
    init(priority: DeliveryPriority, logger: Logger) {
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        eventLoop = group.next()
        eventLoop.execute {
            nameCurrentThread("tern-delivery")
            if let error = Self.lowerCurrentThread(to: priority) {
                logger.warning("delivery priority \(priority.rawValue) not applied, delivery runs at the daemon's priority: \(String(cString: strerror(error)))")
            }
        }
    }

    /// Gives the calling thread (on Linux, that thread alone) `priority`.
    /// Lowering one's own priority needs no privilege, but a sandbox may
    /// refuse it; then the thread stays as it was and the `errno` is returned.
    static func lowerCurrentThread(to priority: DeliveryPriority) -> Int32? {
        switch priority {
        case .idle:
            var parameters = sched_param(sched_priority: 0)
            if sched_setscheduler(0, idlePolicy, &parameters) != 0 { return errno }
        case .low:
            let which = __priority_which_t(PRIO_PROCESS.rawValue)
            if setpriority(which, 0, getpriority(which, 0) + lowNiceness) != 0 { return errno }
        case .normal:
            break
        }
        return nil
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }

    /// Stops the thread once delivery has stopped.
    func shutdown() async {
        try? await group.shutdownGracefully()
    }
}
