import Foundation
import Testing

/// Dovecot's LMTP server (Debian's dovecot-lmtpd) on a loopback port, with
/// its configuration, state and maildirs in a temporary directory.
///
/// Only the users given exist (a passwd-file user database); any other
/// recipient is refused at `RCPT TO` with `550 5.1.1`. Run as root, mail is
/// written as `nobody`; run as another user, as that user.
public final class DovecotLMTPPeer {
    /// The LMTP port on 127.0.0.1.
    public let port: Int
    /// The temporary directory holding the configuration, state, log and maildirs.
    public let directory: String
    private let peer: PeerProcess

    /// Starts Dovecot with `users` as its only users; waits until it accepts LMTP connections.
    public init(users: [String]) throws {
        let port = LoopbackPort.free()
        let directory = NSTemporaryDirectory() + "tern-dovecot-\(UUID().uuidString)"
        self.port = port
        self.directory = directory
        let fileManager = FileManager.default
        for sub in ["run", "state", "mail"] {
            try fileManager.createDirectory(atPath: directory + "/" + sub, withIntermediateDirectories: true)
        }
        chmod(directory, 0o755)
        chmod(directory + "/mail", 0o777)
        let isRoot = geteuid() == 0
        let (uid, gid) = isRoot ? (65534, 65534) : (Int(geteuid()), Int(getegid()))
        let users = users.map { "\($0)::\(uid):\(gid)::\(directory)/mail/\($0)::" }.joined(separator: "\n") + "\n"
        try users.write(toFile: directory + "/users", atomically: true, encoding: .utf8)
        var configuration = """
            base_dir = \(directory)/run
            state_dir = \(directory)/state
            log_path = \(directory)/dovecot.log
            instance_name = tern-test-\(port)
            protocols = lmtp
            listen = 127.0.0.1
            ssl = no
            first_valid_uid = 1
            auth_username_format = %Ln
            mail_location = maildir:~/Maildir
            userdb {
              driver = passwd-file
              args = \(directory)/users
            }
            passdb {
              driver = passwd-file
              args = \(directory)/users
            }
            service lmtp {
              inet_listener lmtp {
                address = 127.0.0.1
                port = \(port)
              }
              unix_listener lmtp {
                mode = 0600
              }
            }
            service anvil {
              chroot =
            }

            """
        if !isRoot, let name = getpwuid(geteuid()).map({ String(cString: $0.pointee.pw_name) }) {
            configuration += "default_internal_user = \(name)\ndefault_login_user = \(name)\n"
        }
        try configuration.write(toFile: directory + "/dovecot.conf", atomically: true, encoding: .utf8)
        peer = try PeerProcess("/usr/sbin/dovecot", ["-F", "-c", directory + "/dovecot.conf"], package: "dovecot-lmtpd")
        try peer.waitUntil("listening on \(port)") { LoopbackPort.isAcceptingTCP(port) }
    }

    /// Dovecot's LMTP Unix socket (mode 0600, for root or the invoking user).
    public var socketPath: String { directory + "/run/lmtp" }

    /// The messages delivered to `user`'s maildir.
    public func messages(for user: String) throws -> [String] {
        let new = directory + "/mail/\(user)/Maildir/new"
        guard FileManager.default.fileExists(atPath: new) else { return [] }
        return try FileManager.default.contentsOfDirectory(atPath: new).sorted().map {
            try String(contentsOfFile: new + "/" + $0, encoding: .utf8)
        }
    }

    /// Dovecot's log, for failure messages.
    public var log: String { (try? String(contentsOfFile: directory + "/dovecot.log", encoding: .utf8)) ?? "" }

    deinit {
        // SIGTERM lets the master stop its lmtp, log and anvil children.
        peer.terminate()
        try? FileManager.default.removeItem(atPath: directory)
    }
}
