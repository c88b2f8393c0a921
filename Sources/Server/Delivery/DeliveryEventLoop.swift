import Foundation
import NIOCore
import NIOPosix
import Queue

/// The one thread delivery runs on: an event loop of its own for the outbound
/// SMTP and LMTP connections that is also the task executor of the delivery
/// scheduler and its tasks, at a lower CPU priority than the listeners' event
/// loops and the journal writer.
///
/// Under CPU contention a client waiting for its 250 is then served before a
/// delivery step, and the queue absorbs the difference until the listeners
/// leave CPU over; delivery still gets a share (nice 10: about a tenth against
/// one busy thread at nice 0) and all of any idle CPU. On the 2-core benchmark
/// machine this took the p99 end-of-data → 250 at 50 sessions, while relaying,
/// from 4.8–5.4 to 4.0–4.2 ms (medians of interleaved runs; README, "What the
/// p99 is made of"). One thread also spares the hops between the concurrency
/// pool and an event loop that every outbound reply used to take.
final class DeliveryEventLoop: TaskExecutor {
    /// How much lower the delivery thread's priority is (nice increment).
    static let niceness: Int32 = 10

    let group: MultiThreadedEventLoopGroup
    private let eventLoop: any EventLoop

    init() {
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        eventLoop = group.next()
        eventLoop.execute {
            nameCurrentThread("tern-delivery")
            // On Linux, PRIO_PROCESS with id 0 is the calling thread. Raising one's own
            // nice value needs no privilege; a failure leaves the thread as it was.
            let which = __priority_which_t(PRIO_PROCESS.rawValue)
            _ = setpriority(which, 0, getpriority(which, 0) + Self.niceness)
        }
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
