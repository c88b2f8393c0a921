/// A `pki` statement: a certificate and key for one host name, used by
/// listeners for TLS (and for SNI, by name).
///
///     pki mx.example.com cert "/etc/tern/mx.crt" key "/etc/tern/mx.key"
public struct PKIConfig: Hashable, Sendable {
    /// The name listeners refer to with `pki NAME`; by convention the host name the certificate is for.
    public var name: String
    /// `cert`: the PEM certificate chain file.
    public var certificatePath: String
    /// `key`: the PEM private key file.
    public var keyPath: String

    /// Creates a pki entry.
    public init(name: String, certificatePath: String, keyPath: String) {
        self.name = name
        self.certificatePath = certificatePath
        self.keyPath = keyPath
    }
}
