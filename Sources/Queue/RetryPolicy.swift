import Foundation

/// When to try a deferred recipient again: exponential back-off from
/// `minimum`, doubling per attempt up to `maximum`, with jitter, and never
/// past the message's expiry (so that expiry is noticed on time).
///
/// Attempt 1 failed → `minimum`; attempt 2 → 2 × `minimum`; … capped at
/// `maximum`. With `jitter` 0.1 each delay is scaled by a factor drawn from
/// 0.9…1.1, then clamped to `minimum…maximum`.
public struct RetryPolicy: Hashable, Sendable {
    public var minimum: Duration
    public var maximum: Duration
    /// The fraction by which a delay may vary either way, 0…1.
    public var jitter: Double

    public init(minimum: Duration, maximum: Duration, jitter: Double = 0.1) {
        self.minimum = minimum
        self.maximum = max(minimum, maximum)
        self.jitter = min(max(jitter, 0), 1)
    }

    /// The delay before the next attempt, after `attempts` failed attempts (≥ 1).
    public func delay(afterAttempts attempts: UInt32, using random: inout some RandomNumberGenerator) -> Duration {
        let exponent = min(Double(max(attempts, 1) - 1), 62)
        let base = min(seconds(minimum) * pow(2, exponent), seconds(maximum))
        let factor = jitter > 0 ? Double.random(in: (1 - jitter)...(1 + jitter), using: &random) : 1
        let bounded = min(max(base * factor, seconds(minimum)), seconds(maximum))
        return .milliseconds(Int64((bounded * 1000).rounded()))
    }

    /// The next attempt time after `attempts` failures ending at `now`, no later than `expiry`.
    public func nextAttempt(afterAttempts attempts: UInt32, now: Date, expiry: Date, using random: inout some RandomNumberGenerator) -> Date {
        let next = now.addingTimeInterval(seconds(delay(afterAttempts: attempts, using: &random)))
        return min(next, max(expiry, now))
    }

    private func seconds(_ duration: Duration) -> Double {
        let (whole, attoseconds) = duration.components
        return Double(whole) + Double(attoseconds) / 1e18
    }
}
