import Synchronization
import Testing

@testable import Server

@Suite("DestinationLimiter")
struct DestinationLimiterTests {
    static func limiter(connections: Int, rate: DeliveryLimitsConfig.RateSetting = .unlimited) -> DestinationLimiter {
        var limits = DeliveryLimitsConfig()
        limits.domainOverrides["slow.test"] = DeliveryLimitsConfig.DomainOverride(connections: connections, rate: rate)
        return DestinationLimiter(limits: limits)
    }

    @Test("a delivery over the connection limit waits for a release, and the slot passes to it")
    func connectionLimit() async throws {
        let limiter = Self.limiter(connections: 2)
        await limiter.acquire("slow.test")
        await limiter.acquire("slow.test")
        let admitted = Tally()
        let waiter = Task {
            await limiter.acquire("slow.test")
            admitted.enter()
        }
        try await Task.sleep(for: .milliseconds(100))
        #expect(admitted.count == 0)
        #expect(limiter.usage()["slow.test"]?.waiting == 1)
        limiter.release("slow.test")
        await waiter.value
        #expect(admitted.count == 1)
        #expect(limiter.usage()["slow.test"]?.active == 2)
        #expect(limiter.usage()["slow.test"]?.waiting == 0)
        limiter.release("slow.test")
        limiter.release("slow.test")
        #expect(limiter.usage()["slow.test"] == nil)
    }

    @Test("other destinations are not held back by a full one")
    func independentDestinations() async {
        let limiter = Self.limiter(connections: 1)
        await limiter.acquire("slow.test")
        await limiter.acquire("other.test")
        await limiter.acquire("other.test")
        #expect(limiter.usage()["other.test"]?.active == 2)
        #expect(limiter.usage()["slow.test"]?.active == 1)
    }

    @Test("many deliveries through one slot all get it, one at a time")
    func manyThroughOne() async {
        let limiter = Self.limiter(connections: 1)
        let inside = Tally()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<50 {
                group.addTask {
                    await limiter.acquire("slow.test")
                    inside.enter()
                    await Task.yield()
                    inside.leave()
                    limiter.release("slow.test")
                }
            }
        }
        #expect(inside.most == 1)
        #expect(inside.entries == 50)
        #expect(limiter.usage()["slow.test"] == nil)
    }

    @Test("a rate of 2 per second lets two start at once and makes the third wait")
    func rate() async {
        let limiter = Self.limiter(connections: 10, rate: .limited(count: 2, per: .second))
        let clock = ContinuousClock()
        let started = clock.now
        await limiter.acquire("slow.test")
        await limiter.acquire("slow.test")
        await limiter.acquire("slow.test")
        #expect(clock.now - started >= .milliseconds(900))
        #expect(limiter.usage()["slow.test"]?.recentStarts ?? 0 >= 1)
    }
}

/// Counts who is inside a section, and the most at once.
private final class Tally: Sendable {
    private let state = Mutex((count: 0, most: 0, entries: 0))

    var count: Int { state.withLock { $0.count } }
    var most: Int { state.withLock { $0.most } }
    var entries: Int { state.withLock { $0.entries } }

    func enter() {
        state.withLock {
            $0.count += 1
            $0.entries += 1
            $0.most = max($0.most, $0.count)
        }
    }

    func leave() {
        state.withLock { $0.count -= 1 }
    }
}
