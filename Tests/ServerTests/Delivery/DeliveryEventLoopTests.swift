import Foundation
import Logging
import Testing
@testable import Server

@Suite("Delivery event loop")
struct DeliveryEventLoopTests {
    /// The calling thread's kernel name, scheduling policy and nice value.
    struct ThreadFacts: Sendable {
        let name: String
        let policy: Int32
        let nice: Int32

        static func current() -> ThreadFacts {
            let name = (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? ""
            return ThreadFacts(
                name: name.trimmingCharacters(in: .whitespacesAndNewlines),
                policy: sched_getscheduler(0),
                nice: getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
            )
        }
    }

    /// What eight tasks preferring a loop of `priority` saw of their threads.
    static func threadsSeen(priority: DeliveryPriority) async -> [ThreadFacts] {
        let loop = DeliveryEventLoop(priority: priority, logger: Logger(label: "test"))
        let seen = await withTaskExecutorPreference(loop) {
            await withTaskGroup(of: ThreadFacts.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        await Task.yield()
                        return ThreadFacts.current()
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
        }
        await loop.shutdown()
        return seen
    }

    @Test("tasks that prefer it run on one thread named tern-delivery, at the idle policy by default")
    func runsTasksOnItsThread() async throws {
        let seen = await Self.threadsSeen(priority: ConfigDefaults.deliveryPriority)
        #expect(seen.count == 8)
        #expect(seen.allSatisfy { $0.name == "tern-delivery" })
        #expect(seen.allSatisfy { $0.policy == DeliveryEventLoop.idlePolicy })
    }

    @Test("low and normal keep the normal policy, low at a higher nice value")
    func lowAndNormal() async throws {
        let baseline = await Task.detached { ThreadFacts.current() }.value
        let low = await Self.threadsSeen(priority: .low)
        #expect(low.allSatisfy { $0.policy == SCHED_OTHER && $0.nice == min(19, baseline.nice + DeliveryEventLoop.lowNiceness) })
        let normal = await Self.threadsSeen(priority: .normal)
        #expect(normal.allSatisfy { $0.policy == SCHED_OTHER && $0.nice == baseline.nice })
    }
}
