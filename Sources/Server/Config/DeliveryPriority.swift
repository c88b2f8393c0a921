/// `delivery priority idle|low|normal`: how the delivery thread's CPU
/// priority compares with the listeners' event loops and the journal writer,
/// which answer clients waiting for their `250`.
public enum DeliveryPriority: String, Hashable, Sendable, CaseIterable {
    /// Linux `SCHED_IDLE`: delivery runs on CPU nothing else of normal
    /// priority wants, and any such thread that wakes takes the CPU from it at
    /// once. Under sustained contention from other processes its share is
    /// about 0.3% of a core against each busy one, so the queue grows until
    /// they leave CPU over. The default: the lowest p99 end-of-data → 250 on
    /// a busy machine of its own.
    case idle
    /// nice +10: about a tenth of a core against each busy thread at the
    /// daemon's priority; for hosts shared with CPU-bound work.
    case low
    /// The daemon's own priority: delivery competes with ingress as an equal.
    case normal
}
