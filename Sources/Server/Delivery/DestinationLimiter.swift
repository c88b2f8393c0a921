import Foundation

/// Traffic shaping per destination domain (`limit domain … connections N
/// rate N/s`): at most `connections` deliveries at once, and message starts
/// spaced so that no more than `count` begin in any `per` window.
actor DestinationLimiter {
    private struct Destination {
        var active = 0
        var waiters: [CheckedContinuation<Void, Never>] = []
        /// Start times within the current rate window, oldest first.
        var starts: [ContinuousClock.Instant] = []
    }

    private let limits: DeliveryLimitsConfig
    private var destinations: [String: Destination] = [:]

    init(limits: DeliveryLimitsConfig) {
        self.limits = limits
    }

    /// Waits for a free connection slot and for the rate to allow one more message.
    func acquire(_ domain: String) async {
        let limit = limits.limits(forDomain: domain)
        if destinations[domain, default: Destination()].active >= max(1, limit.connections) {
            await withCheckedContinuation { destinations[domain, default: Destination()].waiters.append($0) }
        } else {
            destinations[domain, default: Destination()].active += 1
        }
        guard case .limited(let count, let unit) = limit.rate, count > 0 else { return }
        while true {
            let now = ContinuousClock.now
            var destination = destinations[domain, default: Destination()]
            destination.starts.removeAll { now - $0 >= unit.duration }
            if destination.starts.count < count {
                destination.starts.append(now)
                destinations[domain] = destination
                return
            }
            let wait = unit.duration - (now - destination.starts[0])
            destinations[domain] = destination
            try? await Task.sleep(for: wait)
        }
    }

    /// Gives the slot back, handing it straight to the next waiter if any.
    func release(_ domain: String) {
        guard var destination = destinations[domain] else { return }
        if destination.waiters.isEmpty {
            destination.active -= 1
            destinations[domain] = destination.active == 0 && destination.starts.isEmpty ? nil : destination
        } else {
            destination.waiters.removeFirst().resume()
            destinations[domain] = destination
        }
    }

    /// One destination's use of its limits right now.
    struct Usage: Sendable {
        var active: Int
        var waiting: Int
        var recentStarts: Int
    }

    /// The destinations with deliveries running, waiting or counted in a rate window.
    func usage() -> [String: Usage] {
        destinations.mapValues { Usage(active: $0.active, waiting: $0.waiters.count, recentStarts: $0.starts.count) }
    }

    /// How many messages one connection to `domain` may carry.
    nonisolated func messagesPerConnection(_ domain: String) -> Int {
        max(1, limits.limits(forDomain: domain).messagesPerConnection)
    }
}
