import Foundation

/// Runs the sessions of `tern-bench latency` on one thread with poll(2), as `smtp-source`
/// does with select(2), so that the client adds one runnable thread to the machine rather
/// than one per session.
struct LatencyDriver {
    /// What the sessions measured together.
    struct Outcome {
        var samples: [UInt64] = []
        var failures = 0
        var lastFailure: String?
    }

    var sessions: [LatencySession]
    let measureFrom: UInt64
    let end: UInt64

    /// Runs until `end`, then lets every session finish its transaction and QUIT.
    mutating func run() throws -> Outcome {
        var polled: [pollfd] = []
        var owners: [Int] = []
        while true {
            let now = LatencySession.now()
            var active = 0
            var wake = now + 100_000_000
            polled.removeAll(keepingCapacity: true)
            owners.removeAll(keepingCapacity: true)
            for index in sessions.indices {
                if sessions[index].stage == .idle {
                    if now >= end {
                        sessions[index].finish()
                    } else if now >= sessions[index].reconnectAt {
                        sessions[index].connect(now: now)
                    }
                }
                sessions[index].checkDeadline(now: now)
                let session = sessions[index]
                guard session.stage != .finished else { continue }
                active += 1
                guard session.fd >= 0 else {
                    wake = min(wake, session.reconnectAt)
                    continue
                }
                wake = min(wake, session.deadline)
                polled.append(pollfd(fd: session.fd, events: Int16(POLLIN) | (session.wantsToWrite ? Int16(POLLOUT) : 0), revents: 0))
                owners.append(index)
            }
            guard active > 0 else { break }
            let timeout = Int32(clamping: (wake > now ? wake - now : 0) / 1_000_000 + 1)
            let count = poll(&polled, nfds_t(polled.count), timeout)
            if count < 0 && errno != EINTR { throw LatencySession.Failure(description: "poll: errno \(errno)") }
            guard count > 0 else { continue }
            let collected = LatencySession.now()
            for (entry, index) in zip(polled, owners) where entry.revents != 0 {
                sessions[index].handle(
                    readable: entry.revents & Int16(POLLIN | POLLHUP | POLLERR) != 0,
                    writable: entry.revents & Int16(POLLOUT) != 0,
                    now: collected, measureFrom: measureFrom, end: end
                )
            }
        }
        var outcome = Outcome()
        for session in sessions {
            outcome.samples += session.latencies
            outcome.failures += session.failures
            if let last = session.lastFailure { outcome.lastFailure = last }
        }
        return outcome
    }
}
