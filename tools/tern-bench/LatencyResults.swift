import Synchronization

/// The samples of all sessions, gathered as each session thread ends.
final class LatencyResults: Sendable {
    private let state = Mutex<(samples: [UInt64], failures: Int, lastFailure: String?)>(([], 0, nil))

    /// Adds one session's end-of-data → reply times (nanoseconds) and failures.
    func add(_ samples: [UInt64], failures: Int, lastFailure: String?) {
        state.withLock {
            $0.samples.append(contentsOf: samples)
            $0.failures += failures
            if let lastFailure { $0.lastFailure = lastFailure }
        }
    }

    /// Every sample so far, the failure count and the last failure's description.
    func snapshot() -> (samples: [UInt64], failures: Int, lastFailure: String?) {
        state.withLock { $0 }
    }
}
