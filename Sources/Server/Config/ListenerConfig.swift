/// A `listen` statement: one SMTP listening socket and how sessions on it behave.
///
///     listen on 127.0.0.1 port 2525
///     listen on 0.0.0.0 port 587 tls-require pki mx.example.com auth <secrets> hostname submit.example.com tag SUBMIT
///     listen on 0.0.0.0 port 465 smtps pki mx.example.com auth-optional <secrets> mask-src
///     listen on lo port 25 tls
///     listen on 192.0.2.1 port 25 no-dsn
///
/// AUTH (RFC 4954) is only offered over TLS: after STARTTLS on a `tls` listener,
/// at once on `tls-require` and `smtps` listeners. `insecure` after the auth
/// table allows it in plaintext too, on a `tls` or a plain listener; a plain
/// listener with `auth` but without `insecure` is a configuration error.
public struct ListenerConfig: Hashable, Sendable {
    /// What `listen on` names.
    public enum Address: Hashable, Sendable, CustomStringConvertible {
        /// A literal IPv4 or IPv6 address (`0.0.0.0` and `::` mean all addresses).
        case ip(IPLiteral)
        /// A network interface name such as `lo` or `eth0`: every address of that interface.
        case interface(String)

        /// The address or the interface name.
        public var description: String {
            switch self {
            case .ip(let address): address.description
            case .interface(let name): name
            }
        }
    }

    /// How the listener uses TLS.
    public enum TLSMode: Hashable, Sendable {
        /// Plaintext only; STARTTLS is not offered.
        case none
        /// `tls`: STARTTLS offered (RFC 3207).
        case startTLS
        /// `tls-require`: STARTTLS offered and required before MAIL.
        case startTLSRequired
        /// `smtps`: implicit TLS from the first byte (RFC 8314).
        case implicitTLS
    }

    /// Whether sessions authenticate.
    public enum Auth: Hashable, Sendable {
        /// AUTH is not offered.
        case none
        /// `auth <table>`: AUTH is offered and required before MAIL; credentials come from the table.
        case required(table: String)
        /// `auth-optional <table>`: AUTH is offered but not required.
        case optional(table: String)

        /// The credentials table, if AUTH is offered.
        public var table: String? {
            switch self {
            case .none: nil
            case .required(let table), .optional(let table): table
            }
        }
    }

    /// `on ADDRESS`.
    public var address: Address
    /// `port N`: 25 by default, 465 with `smtps`.
    public var port: Int
    /// `tls`, `tls-require` or `smtps`.
    public var tls: TLSMode
    /// `pki NAME`: the certificate; required with any TLS mode.
    public var pki: String?
    /// `auth <table>` or `auth-optional <table>`.
    public var auth: Auth
    /// `insecure` after the auth table: AUTH is also offered without TLS.
    public var allowsPlaintextAuth: Bool
    /// `hostname NAME`: the name in the greeting and the Received header; the global `hostname` by default.
    public var hostname: String
    /// `tag NAME`: a label that `match tag` rules test.
    public var tag: String?
    /// `mask-src`: Received headers omit the client's address and name.
    public var masksSource: Bool
    /// `no-dsn`: no DSN (failure, delay or success) is ever sent for mail
    /// that arrived on this listener, to keep bounces from reaching forged
    /// senders (backscatter).
    public var suppressesReports: Bool

    /// Creates a listener.
    public init(
        address: Address,
        port: Int,
        tls: TLSMode = .none,
        pki: String? = nil,
        auth: Auth = .none,
        allowsPlaintextAuth: Bool = false,
        hostname: String,
        tag: String? = nil,
        masksSource: Bool = false,
        suppressesReports: Bool = false
    ) {
        self.address = address
        self.port = port
        self.tls = tls
        self.pki = pki
        self.auth = auth
        self.allowsPlaintextAuth = allowsPlaintextAuth
        self.hostname = hostname
        self.tag = tag
        self.masksSource = masksSource
        self.suppressesReports = suppressesReports
    }
}
