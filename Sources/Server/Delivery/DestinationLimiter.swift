import Foundation
import Synchronization

/// Traffic shaping per destination domain (`limit domain … connections N
/// rate N/s`): at most `connections` deliveries at once, and message starts
/// spaced so that no more than `count` begin in any `per` window.
///
/// A lock rather than an actor: a delivery under its limits takes and gives
/// back its slot without leaving its thread; only one over them suspends.
final class DestinationLimiter: Sendable {
    private struct Destination {
        var active = 0
        var waiters: [CheckedContinuation<Void, Never>] = []
        /// Start times within the current rate window, oldest first.
        var starts: [ContinuousClock.Instant] = []
    }

    private let limits: DeliveryLimitsConfig
    private let destinations = Mutex<[String: Destination]>([:])

    init(limits: DeliveryLimitsConfig) {
        self.limits = limits
    }

    /// Waits for a free connection slot and for the rate to allow one more message.
    func acquire(_ domain: String) async {
        let limit = limits.limits(forDomain: domain)
        let capacity = max(1, limit.connections)
        if !takeSlot(domain, capacity: capacity, orQueue: nil) {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                // A slot freed since the first look is taken here; otherwise release() hands one over.
                if takeSlot(domain, capacity: capacity, orQueue: continuation) { continuation.resume() }
            }
        }
        guard case .limited(let count, let unit) = limit.rate, count > 0 else { return }
        while true {
            let wait: Duration? = destinations.withLock { destinations in
                let now = ContinuousClock.now
                var destination = destinations[domain, default: Destination()]
                destination.starts.removeAll { now - $0 >= unit.duration }
                defer { destinations[domain] = destination }
                if destination.starts.count < count {
                    destination.starts.append(now)
                    return nil
                }
                return unit.duration - (now - destination.starts[0])
            }
            guard let wait else { return }
            try? await Task.sleep(for: wait)
        }
    }

    /// Takes a connection slot if one is free; otherwise queues `waiter`, if
    /// given, for `release` to hand one over.
    private func takeSlot(_ domain: String, capacity: Int, orQueue waiter: CheckedContinuation<Void, Never>?) -> Bool {
        destinations.withLock { destinations in
            if destinations[domain, default: Destination()].active < capacity {
                destinations[domain, default: Destination()].active += 1
                return true
            }
            if let waiter { destinations[domain, default: Destination()].waiters.append(waiter) }
            return false
        }
    }

    /// Gives the slot back, handing it straight to the next waiter if any.
    func release(_ domain: String) {
        let next: CheckedContinuation<Void, Never>? = destinations.withLock { destinations in
            guard var destination = destinations[domain] else { return nil }
            if destination.waiters.isEmpty {
                destination.active -= 1
                destinations[domain] = destination.active == 0 && destination.starts.isEmpty ? nil : destination
                return nil
            }
            let waiter = destination.waiters.removeFirst()
            destinations[domain] = destination
            return waiter
        }
        next?.resume()
    }

    /// One destination's use of its limits right now.
    struct Usage: Sendable {
        var active: Int
        var waiting: Int
        var recentStarts: Int
    }

    /// The destinations with deliveries running, waiting or counted in a rate window.
    func usage() -> [String: Usage] {
        destinations.withLock { $0.mapValues { Usage(active: $0.active, waiting: $0.waiters.count, recentStarts: $0.starts.count) } }
    }

    /// How many messages one connection to `domain` may carry.
    func messagesPerConnection(_ domain: String) -> Int {
        max(1, limits.limits(forDomain: domain).messagesPerConnection)
    }
}
