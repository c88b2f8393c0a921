import Foundation
import Testing
@testable import Server

@Suite("Delivery event loop")
struct DeliveryEventLoopTests {
    /// The calling thread's kernel name and nice value.
    static func currentThread() -> (name: String, nice: Int32) {
        let name = (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? ""
        return (name.trimmingCharacters(in: .whitespacesAndNewlines), getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0))
    }

    @Test("tasks that prefer it run on one thread, named tern-delivery, at a lower priority than the daemon's")
    func runsTasksOnItsThread() async throws {
        let loop = DeliveryEventLoop()
        let baseline = await Task.detached { Self.currentThread().nice }.value
        let seen = await withTaskExecutorPreference(loop) {
            await withTaskGroup(of: (String, Int32).self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        await Task.yield()
                        return Self.currentThread()
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
        }
        await loop.shutdown()
        #expect(seen.count == 8)
        #expect(seen.allSatisfy { $0.0 == "tern-delivery" })
        #expect(seen.allSatisfy { $0.1 == min(19, baseline + DeliveryEventLoop.niceness) })
    }
}
