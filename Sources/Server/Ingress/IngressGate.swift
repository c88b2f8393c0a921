import Synchronization

/// Whether the listeners take new SMTP sessions (`ternctl pause smtp`): while
/// paused, a new connection is answered `421 4.3.2` and closed; sessions
/// already open carry on.
final class IngressGate: Sendable {
    private let paused = Atomic<Bool>(false)

    var isPaused: Bool { paused.load(ordering: .relaxed) }

    func pause() { paused.store(true, ordering: .relaxed) }

    func resume() { paused.store(false, ordering: .relaxed) }
}
