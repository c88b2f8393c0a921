/// How an action delivers: locally (maildir, mbox, MDA), over LMTP, or by relaying.
///
/// Path templates and commands may use these `%{…}` variables, expanded at delivery:
/// `sender`, `sender.user`, `sender.domain`, `rcpt`, `rcpt.user`, `rcpt.domain`,
/// `dest`, `dest.user`, `dest.domain` (after alias/virtual expansion),
/// `user.username`, `user.directory` (the local user's name and home).
public enum DeliveryMethod: Hashable, Sendable {
    /// Where an LMTP action connects.
    public enum LMTPDestination: Hashable, Sendable, CustomStringConvertible {
        /// `"host:port"`, with an IPv6 host in brackets: `"[::1]:24"`.
        case tcp(host: String, port: Int)
        /// `"/path"`: a Unix socket (any destination starting with `/` or `.`).
        case unix(path: String)

        /// The destination as written in the configuration.
        public var description: String {
            switch self {
            case .tcp(let host, let port): host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
            case .unix(let path): path
            }
        }
    }

    /// `maildir ["PATH"]`: deliver into a maildir (tmp → new, fsynced); `%{user.directory}/Maildir` by default.
    case maildir(pathTemplate: String)
    /// `mbox ["PATH"]`: append to an mbox file; `/var/mail/%{user.username}` by default.
    case mbox(pathTemplate: String)
    /// `mda "COMMAND"`: pipe the message to a command.
    case mda(command: String)
    /// `lmtp "DEST" [rcpt-to]`: hand over by LMTP (RFC 2033). With `rcpt-to`,
    /// RCPT carries the recipient address rather than the local user name.
    case lmtp(destination: LMTPDestination, usesRecipientAddress: Bool)
    /// `relay …`: send over SMTP to the domain's MX or a smarthost.
    case relay(RelayConfig)

    /// Whether this machine delivers (maildir, mbox, mda) rather than another server (lmtp, relay).
    public var isLocalDelivery: Bool {
        switch self {
        case .maildir, .mbox, .mda: true
        case .lmtp, .relay: false
        }
    }

    /// The `%{…}` variables a template may use.
    public static let templateVariables: Set<String> = [
        "sender", "sender.user", "sender.domain",
        "rcpt", "rcpt.user", "rcpt.domain",
        "dest", "dest.user", "dest.domain",
        "user.username", "user.directory",
    ]
}
