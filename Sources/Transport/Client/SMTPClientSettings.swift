import Logging

/// Everything about how `SMTPClientConnection` talks to one server.
///
///     let settings = SMTPClientSettings(heloName: "mx.example.com", tls: .opportunistic)
public struct SMTPClientSettings: Sendable {
    /// The name given in `EHLO`, `HELO` or `LHLO`: this host's fully qualified name.
    public var heloName: String
    /// The local IP address to connect from (bound before connecting), or
    /// nil to let the system choose.
    public var sourceAddress: String?
    /// SMTP or LMTP.
    public var mode: SMTPClientMode
    /// Whether and how to use TLS.
    public var tls: SMTPClientTLSPolicy
    /// Credentials for `AUTH`; nil never authenticates.
    public var credentials: SMTPClientCredentials?
    /// How long to wait at each step.
    public var timeouts: SMTPClientTimeouts
    /// Receives state transitions at trace level and failures at debug level.
    public var logger: Logger

    /// Settings; by default SMTP with opportunistic TLS, no AUTH and the RFC 5321 time-outs.
    public init(
        heloName: String,
        sourceAddress: String? = nil,
        mode: SMTPClientMode = .smtp,
        tls: SMTPClientTLSPolicy = .opportunistic,
        credentials: SMTPClientCredentials? = nil,
        timeouts: SMTPClientTimeouts = SMTPClientTimeouts(),
        logger: Logger = Logger(label: "tern.smtp-client")
    ) {
        self.heloName = heloName
        self.sourceAddress = sourceAddress
        self.mode = mode
        self.tls = tls
        self.credentials = credentials
        self.timeouts = timeouts
        self.logger = logger
    }
}
