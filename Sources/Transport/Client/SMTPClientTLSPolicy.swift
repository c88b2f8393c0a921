import NIOSSL

/// Whether and how the client protects a connection with TLS.
///
/// Opportunistic TLS (RFC 7435, RFC 3207) encrypts without checking the
/// certificate, as MX delivery usually must; the `required` policies fail
/// the connection (temporarily) when TLS cannot be had.
public enum SMTPClientTLSPolicy: Hashable, Sendable {
    /// Never use TLS.
    case none
    /// `STARTTLS` when the server offers it; plain text otherwise, or when
    /// the server refuses `STARTTLS`. The certificate is not checked. A
    /// failed handshake fails the connection (the caller may retry without TLS).
    case opportunistic
    /// `STARTTLS` must succeed; the certificate is not checked.
    case required
    /// `STARTTLS` must succeed with a certificate that chains to the trust
    /// roots and names the server.
    case requiredVerified(SMTPClientTLSVerification)
    /// TLS from the first byte (SMTPS, RFC 8314), with the certificate
    /// checked when a verification is given.
    case implicit(SMTPClientTLSVerification?)

    /// Whether `STARTTLS` is used at all.
    var usesSTARTTLS: Bool {
        switch self {
        case .opportunistic, .required, .requiredVerified: true
        case .none, .implicit: false
        }
    }

    /// Whether a session without TLS is refused.
    var requiresTLS: Bool {
        switch self {
        case .required, .requiredVerified, .implicit: true
        case .none, .opportunistic: false
        }
    }

    /// The certificate check, when one is asked for.
    var verification: SMTPClientTLSVerification? {
        switch self {
        case .requiredVerified(let verification): verification
        case .implicit(let verification): verification
        case .none, .opportunistic, .required: nil
        }
    }

    /// The TLS client context for this policy, or nil for `.none`.
    ///
    /// TLS 1.2 at least whenever TLS is required; opportunistic TLS keeps
    /// the library's floor (as Postfix's `smtp_tls_protocols` does), since
    /// its alternative is plain text. Cipher suites are swift-nio-ssl's
    /// defaults (forward-secret AEAD suites first); SNI is sent by the caller.
    func makeContext() throws -> NIOSSLContext? {
        guard self != .none else { return nil }
        var configuration = TLSConfiguration.makeClientConfiguration()
        if self != .opportunistic {
            configuration.minimumTLSVersion = .tlsv12
        }
        if let verification {
            configuration.certificateVerification = .fullVerification
            configuration.trustRoots = verification.trustRoots
        } else {
            configuration.certificateVerification = .none
        }
        return try NIOSSLContext(configuration: configuration)
    }
}
