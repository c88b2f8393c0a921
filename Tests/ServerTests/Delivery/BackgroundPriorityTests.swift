import Foundation
import Testing

@testable import Server

@Suite("BackgroundPriority")
struct BackgroundPriorityTests {
    private static func currentNice() -> Int32 {
        getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
    }

    @Test("lowers the calling thread's priority and no other thread's")
    func perThread() {
        let before = Self.currentNice()
        let seen = LockedValue<Int32?>(nil)
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            BackgroundPriority.lowerCurrentThread()
            BackgroundPriority.lowerCurrentThread()
            seen.set(Self.currentNice())
            done.signal()
        }
        thread.start()
        done.wait()
        #expect(seen.get() == BackgroundPriority.nice)
        #expect(Self.currentNice() == before)
    }
}

/// A value shared with another thread.
private final class LockedValue<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) { self.value = value }

    func set(_ newValue: Value) { lock.withLock { value = newValue } }
    func get() -> Value { lock.withLock { value } }
}
