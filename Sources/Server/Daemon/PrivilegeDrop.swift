import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The `user` statement carried out: ternd starts as root to bind ports
/// below 1024, then gives up root for good, as OpenSMTPD's processes do
/// with `setresuid` before they touch mail.
///
/// The order is fixed: look the account up, hand it the queue directory if
/// ternd is about to create it, bind the listeners, drop the supplementary
/// groups, the group and the user, and check that root cannot be regained.
/// Only then is the journal opened, so that every file in the queue
/// directory belongs to the account.
struct PrivilegeDrop {
    /// The account to run as.
    let name: String
    let uid: uid_t
    let gid: gid_t

    /// Looks up `name` in the password database.
    init(user name: String) throws {
        guard let entry = getpwnam(name) else {
            throw TernDaemon.StartupError(description: "user \(name): no such user")
        }
        self.name = name
        uid = entry.pointee.pw_uid
        gid = entry.pointee.pw_gid
    }

    /// Whether there is anything to drop: only root can switch users.
    static var isPrivileged: Bool { geteuid() == 0 }

    /// Creates the queue directory (mode 0700; missing parents root's, with
    /// the default mode, so that the account can reach it) for the account
    /// when it does not exist yet, as the journal would, and gives it to the
    /// account. An existing directory is left alone: `checkQueueDirectory`
    /// then refuses it unless it belongs to the account.
    func prepareQueueDirectory(_ path: String) throws {
        var info = stat()
        guard stat(path, &info) != 0 else { return }
        do {
            let parent = URL(fileURLWithPath: path).deletingLastPathComponent().path
            try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        } catch {
            throw TernDaemon.StartupError(description: "cannot create the parent of the queue directory \(path): \(error)")
        }
        guard mkdir(path, 0o700) == 0 else {
            throw TernDaemon.StartupError(description: "cannot create the queue directory \(path): \(String(cString: strerror(errno)))")
        }
        try handOver(path)
    }

    /// Gives `path` (the spill directory, which holds nothing durable) to the account.
    func handOver(_ path: String) throws {
        guard chown(path, uid, gid) == 0 else {
            throw TernDaemon.StartupError(description: "cannot give \(path) to user \(name): \(String(cString: strerror(errno)))")
        }
    }

    /// Switches the whole process (every thread) to the account for good.
    func drop() throws {
        var groups = [gid]
        guard setgroups(1, &groups) == 0, setgid(gid) == 0, setuid(uid) == 0 else {
            throw TernDaemon.StartupError(description: "cannot switch to user \(name): \(String(cString: strerror(errno)))")
        }
        guard uid == 0 || (setuid(0) != 0 && geteuid() == uid && getegid() == gid) else {
            throw TernDaemon.StartupError(description: "user \(name): root privileges could be regained after the switch")
        }
    }
}
