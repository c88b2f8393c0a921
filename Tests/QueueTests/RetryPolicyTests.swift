import Foundation
import Testing
@testable import Queue

@Suite("RetryPolicy")
struct RetryPolicyTests {
    @Test("without jitter the schedule doubles from the minimum to the maximum, to the second")
    func exactSchedule() {
        let policy = RetryPolicy(minimum: .seconds(300), maximum: .seconds(3600), jitter: 0)
        var random = SystemRandomNumberGenerator()
        let delays = (1...8).map { policy.delay(afterAttempts: $0, using: &random) }
        #expect(delays == [300, 600, 1200, 2400, 3600, 3600, 3600, 3600].map { Duration.seconds($0) })
    }

    @Test("jitter stays within its fraction and inside minimum…maximum", arguments: 1...12)
    func jitterBounds(attempts: UInt32) {
        let policy = RetryPolicy(minimum: .seconds(60), maximum: .seconds(1000), jitter: 0.1)
        var random = SystemRandomNumberGenerator()
        let exact = min(60 * pow(2, Double(attempts - 1)), 1000)
        for _ in 0..<200 {
            let seconds = Double(policy.delay(afterAttempts: attempts, using: &random).components.seconds)
            #expect(seconds >= max(60, exact * 0.9) - 1 && seconds <= min(1000, exact * 1.1) + 1)
        }
    }

    @Test("the next attempt is never after the expiry")
    func cappedAtExpiry() {
        let policy = RetryPolicy(minimum: .seconds(600), maximum: .seconds(3600), jitter: 0)
        var random = SystemRandomNumberGenerator()
        let now = Date(timeIntervalSince1970: 1_000_000)
        #expect(policy.nextAttempt(afterAttempts: 1, now: now, expiry: now.addingTimeInterval(60), using: &random) == now.addingTimeInterval(60))
        #expect(policy.nextAttempt(afterAttempts: 1, now: now, expiry: now.addingTimeInterval(-5), using: &random) == now)
        #expect(policy.nextAttempt(afterAttempts: 2, now: now, expiry: .distantFuture, using: &random) == now.addingTimeInterval(1200))
    }

    @Test("huge attempt counts and a maximum below the minimum do not trap")
    func extremes() {
        var random = SystemRandomNumberGenerator()
        let policy = RetryPolicy(minimum: .seconds(10), maximum: .seconds(5))
        #expect(policy.delay(afterAttempts: .max, using: &random) == .seconds(10))
        #expect(policy.delay(afterAttempts: 0, using: &random) == .seconds(10))
    }
}
