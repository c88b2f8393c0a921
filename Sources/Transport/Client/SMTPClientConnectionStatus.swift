import Synchronization

/// What `SMTPClientConnection` may read from any thread about the session
/// its handler runs on the event loop.
final class SMTPClientConnectionStatus: Sendable {
    private let reusable = Atomic<Bool>(false)

    /// Whether the session is idle and open, ready for a transaction.
    var isReusable: Bool {
        get { reusable.load(ordering: .acquiring) }
        set { reusable.store(newValue, ordering: .releasing) }
    }
}
