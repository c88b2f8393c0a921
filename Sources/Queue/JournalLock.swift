import Foundation

/// The exclusive lock (`tern.lock`, flock) that a writer of a journal
/// holds: the daemon, or an offline tool that must not run beside it.
struct JournalLock {
    private let descriptor: Int32

    /// Takes the lock of the journal in `path`.
    /// - Parameter create: create the lock file when missing; without it a
    ///   missing lock file means no writer and the lock is taken on nothing.
    /// - Throws: `JournalError` `.locked` when another process holds it.
    init(path: String, create: Bool) throws {
        let lockPath = path + "/tern.lock"
        descriptor = open(lockPath, (create ? O_RDWR | O_CREAT : O_RDONLY) | O_CLOEXEC, 0o600)
        if descriptor < 0 {
            guard !create && errno == ENOENT else {
                throw JournalError(.unavailable, "cannot open \(lockPath): \(String(cString: strerror(errno)))")
            }
            return
        }
        if flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            close(descriptor)
            throw JournalError(.locked, "\(path) is in use by another process (is ternd running?)")
        }
    }

    func release() {
        if descriptor >= 0 { close(descriptor) }
    }
}
