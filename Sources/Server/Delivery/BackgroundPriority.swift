#if canImport(Glibc)
import Glibc
#endif

/// Delivery runs below SMTP ingress in CPU priority: under load, sessions
/// waiting for their 250 come first and delivery takes the CPU left over.
/// The kernel's fair scheduler never starves it: a thread at nice 10 still
/// gets about a tenth of a core that a nice-0 thread keeps busy, and all of
/// an idle one.
///
/// Linux keeps the nice value per thread, so every thread of Swift's
/// cooperative pool that runs delivery work lowers its own. Raising one's own
/// nice value needs no privilege; calling again is harmless.
enum BackgroundPriority {
    /// The nice value of threads that deliver.
    static let nice: Int32 = 10

    /// Lowers the calling thread's CPU priority to `nice`.
    static func lowerCurrentThread() {
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, nice)
    }
}
