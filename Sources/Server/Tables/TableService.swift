/// What a table is asked, as in OpenSMTPD's table(5): the same table can
/// answer several services, and a backend with per-service queries (SQLite)
/// runs the query configured for the service asked.
public enum TableService: String, Hashable, Sendable, CaseIterable {
    /// Is this domain in the table (`for domain <t>`, `localnames`)?
    case domain
    /// The targets of a local part (`alias <t>`).
    case alias
    /// The targets of an address, `user` or `@domain` (`virtual <t>`).
    case virtual
    /// The password hash of a user (`auth <t>` on listeners and relays).
    case credentials
    /// `uid:gid:home` of a virtual user (`userbase <t>`).
    case userinfo
    /// Is the client address in one of the netmasks (`from src <t>`)?
    case netaddr
    /// Is this address, or `@domain`, in the table (`from mail-from <t>`, `for rcpt <t>`, `from auth <t>` user names)?
    case mailaddr

    /// Whether the service asks only whether a key is present (`domain`,
    /// `mailaddr`, `netaddr`), so that a list can answer it.
    public var asksMembership: Bool {
        switch self {
        case .domain, .mailaddr, .netaddr: true
        case .alias, .virtual, .credentials, .userinfo: false
        }
    }
}
