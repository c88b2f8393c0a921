import NIOSSL

/// How a server's certificate is checked.
public struct SMTPClientTLSVerification: Hashable, Sendable {
    /// The certificates to trust (`.default` is the system's store).
    public var trustRoots: NIOSSLTrustRoots
    /// The name the certificate must carry; also sent as SNI.
    public var serverName: String

    /// A check against `trustRoots` (by default the system's) for `serverName`.
    public init(trustRoots: NIOSSLTrustRoots = .default, serverName: String) {
        self.trustRoots = trustRoots
        self.serverName = serverName
    }
}
