import Foundation

/// A local user that mail is delivered for: from the action's `userbase`
/// table (`name uid:gid:home`, OpenSMTPD's userinfo format, for virtual
/// users not in the system), or else from the system's user database.
struct LocalAccount: Hashable, Sendable {
    /// The user name (`%{user.username}`).
    var name: String
    /// The user's home directory (`%{user.directory}`, where `.forward` is read).
    var home: String
    var uid: uid_t
    var gid: gid_t

    /// The account from a userbase value `uid:gid:home`; nil when it is not in that form.
    init?(name: String, userinfo: String) {
        let fields = userinfo.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
        guard fields.count == 3, let uid = uid_t(fields[0].trimmingCharacters(in: .whitespaces)),
              let gid = gid_t(fields[1].trimmingCharacters(in: .whitespaces)) else { return nil }
        let home = fields[2].trimmingCharacters(in: .whitespaces)
        guard home.hasPrefix("/") else { return nil }
        self.init(name: name, home: home, uid: uid, gid: gid)
    }

    init(name: String, home: String, uid: uid_t, gid: gid_t) {
        self.name = name
        self.home = home
        self.uid = uid
        self.gid = gid
    }

    /// The system user `name` (getpwnam_r: deliveries run on several threads), or nil.
    static func system(_ name: String) -> LocalAccount? {
        var entry = passwd()
        var found: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getpwnam_r(name, &entry, &buffer, buffer.count, &found) == 0, found != nil, let directory = entry.pw_dir else { return nil }
        let home = String(decoding: UnsafeRawBufferPointer(start: directory, count: strlen(directory)), as: UTF8.self)
        return LocalAccount(name: name, home: home, uid: entry.pw_uid, gid: entry.pw_gid)
    }
}
