/// An `action` statement: a named way to deliver, which match rules select.
///
///     action "local" maildir "/var/mail/%{user.username}/Maildir" alias <aliases>
///     action "mda" mda "/usr/bin/procmail -f %{sender}" virtual <vusers>
///     action "store" lmtp "127.0.0.1:24" rcpt-to
///     action "users" maildir userbase <vusers> forward-file
///     action "outbound" relay helo mx.example.com tls verify
///
/// `alias` and `virtual` are exclusive; all four options apply only
/// to local methods (maildir, mbox, mda, lmtp).
public struct ActionConfig: Hashable, Sendable {
    /// The name rules use in `action NAME`.
    public var name: String
    /// How the action delivers.
    public var method: DeliveryMethod
    /// `alias <table>`: expand local parts through an aliases map first.
    public var aliasTable: String?
    /// `virtual <table>`: map full addresses to local users or other addresses first.
    public var virtualTable: String?
    /// `userbase <table>`: look local users up in this table rather than the system's.
    public var userbaseTable: String?
    /// `forward-file`: honour users' `~/.forward` files.
    public var usesForwardFile: Bool

    /// Creates an action.
    public init(
        name: String,
        method: DeliveryMethod,
        aliasTable: String? = nil,
        virtualTable: String? = nil,
        userbaseTable: String? = nil,
        usesForwardFile: Bool = false
    ) {
        self.name = name
        self.method = method
        self.aliasTable = aliasTable
        self.virtualTable = virtualTable
        self.userbaseTable = userbaseTable
        self.usesForwardFile = usesForwardFile
    }
}
