/// What one listener offers and enforces; every limit has its RFC 5321
/// §4.5.3.1 default here.
public struct SMTPServerSettings: Sendable {
    /// Whether and how AUTH (RFC 4954) is offered.
    public enum AuthPolicy: Hashable, Sendable {
        case none
        /// Offered; mail may also be sent without it.
        case optional
        /// Required before MAIL.
        case required
    }

    /// The name in the banner and the EHLO reply.
    public var hostname: String
    /// `SIZE` (RFC 1870): the largest message accepted, in octets.
    public var maxMessageSize = 35 * 1024 * 1024
    /// Recipients per message (RFC 5321 §4.5.3.1.8 requires at least 100).
    public var maxRecipients = 1000
    /// Failed commands before the session is closed with 421.
    public var maxErrors = 10
    /// Whether STARTTLS is offered (a certificate is configured).
    public var startTLSAvailable = false
    /// Whether MAIL is refused until STARTTLS (`tls-require`).
    public var tlsRequired = false
    public var auth = AuthPolicy.none
    /// Whether AUTH is offered without TLS (only for tests and trusted networks).
    public var authWithoutTLS = false

    public init(hostname: String) {
        self.hostname = hostname
    }
}

/// Facts about the session that the state machine reports to its delegate.
public struct SMTPSessionFacts: Hashable, Sendable {
    /// The client's IP address as text.
    public var clientAddress: String
    /// The name from HELO/EHLO.
    public var heloName: String?
    /// Whether EHLO (not HELO) was used.
    public var extended = false
    /// Whether the session is encrypted (STARTTLS done, or SMTPS).
    public var tls = false
    /// The authenticated user.
    public var authenticatedUser: String?

    public init(clientAddress: String, tls: Bool = false) {
        self.clientAddress = clientAddress
        self.tls = tls
    }

    /// The `with` protocol of the Received header (RFC 3848).
    public var receivedProtocol: String {
        guard extended else { return "SMTP" }
        return "ESMTP" + (tls ? "S" : "") + (authenticatedUser != nil ? "A" : "")
    }
}
