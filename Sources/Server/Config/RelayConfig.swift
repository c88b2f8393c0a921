/// The `relay` delivery method: SMTP to the recipient domain's MX, to a
/// smarthost, or as a backup MX to a domain's better MX.
///
///     action "outbound" relay helo mx.example.com src 192.0.2.1 tls verify
///     action "smarthost" relay host smtps://user@smtp.example.com:465 auth <secrets>
///     action "backup" relay backup mx mx1.example.com
public struct RelayConfig: Hashable, Sendable {
    /// The scheme of a `relay host` URL.
    public enum Scheme: String, Hashable, Sendable, CaseIterable {
        /// `smtp://`: SMTP with opportunistic STARTTLS.
        case smtp
        /// `smtp+tls://`: SMTP with STARTTLS required.
        case smtpStartTLS = "smtp+tls"
        /// `smtps://`: SMTP over implicit TLS (RFC 8314).
        case smtps
        /// `lmtp://`: LMTP over TCP (RFC 2033).
        case lmtp

        /// Whether the scheme itself requires TLS.
        public var requiresTLS: Bool {
            self == .smtpStartTLS || self == .smtps
        }
    }

    /// A smarthost: `scheme://[label@]host[:port]`.
    public struct Host: Hashable, Sendable, CustomStringConvertible {
        /// The protocol.
        public var scheme: Scheme
        /// The label whose credentials the `auth` table holds, if any.
        public var user: String?
        /// The host name or literal address (without brackets).
        public var host: String
        /// The port; the scheme's default when the URL has none.
        public var port: Int

        /// Creates a smarthost.
        public init(scheme: Scheme, user: String? = nil, host: String, port: Int) {
            self.scheme = scheme
            self.user = user
            self.host = host
            self.port = port
        }

        /// The URL, with the port made explicit.
        public var description: String {
            let userPart = user.map { "\($0)@" } ?? ""
            let hostPart = host.contains(":") ? "[\(host)]" : host
            return "\(scheme.rawValue)://\(userPart)\(hostPart):\(port)"
        }
    }

    /// Where the mail goes.
    public enum Route: Hashable, Sendable {
        /// The recipient domain's MX hosts (the default).
        case mx
        /// `host URL`: always this smarthost.
        case host(Host)
        /// `backup [mx NAME]`: only MX hosts preferred over `NAME` (this host's name by default).
        case backup(mxName: String)
    }

    /// How much TLS outbound connections insist on.
    public enum TLSPolicy: Hashable, Sendable {
        /// `tls opportunistic`: STARTTLS when offered, plaintext otherwise; certificates are not checked.
        case opportunistic
        /// `tls`: TLS required; certificates are not checked.
        case required
        /// `tls verify`: TLS required and the certificate must verify for the host name.
        case verified
    }

    /// Where the mail goes.
    public var route: Route
    /// `helo NAME`: the EHLO name; the global `hostname` by default.
    public var helo: String
    /// `src ADDRESS`: the local address to connect from; the system's choice when nil.
    public var sourceAddress: IPLiteral?
    /// `tls …`: the TLS policy; at least `required` for `smtp+tls://` and `smtps://` hosts.
    public var tls: TLSPolicy
    /// `auth <table>`: the credentials table for a smarthost; the URL's label is the key.
    public var authTable: String?

    /// Creates a relay.
    public init(route: Route, helo: String, sourceAddress: IPLiteral? = nil, tls: TLSPolicy = .opportunistic, authTable: String? = nil) {
        self.route = route
        self.helo = helo
        self.sourceAddress = sourceAddress
        self.tls = tls
        self.authTable = authTable
    }
}
