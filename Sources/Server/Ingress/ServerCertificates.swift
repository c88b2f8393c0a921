import NIOCore
import NIOSSL

/// Every `pki` of the configuration, loaded while ternd may still be root
/// (key files are commonly readable by root alone), and the TLS contexts of
/// the listeners built from them.
///
/// A listener presents its own `pki`; a client that names another
/// configured pki's host name in SNI gets that one instead (pki names are
/// host names, compared without regard to case), so one listener serves
/// several domains.
struct ServerCertificates: Sendable {
    struct Identity: Sendable {
        var chain: [NIOSSLCertificateSource]
        var key: NIOSSLPrivateKeySource
    }

    /// The loaded identities by lowercased pki name.
    let identities: [String: Identity]

    /// Reads every pki's certificate chain and key; an unreadable or invalid
    /// file stops start-up with the pki and file named.
    init(_ pkis: [String: PKIConfig]) throws(TernDaemon.StartupError) {
        var identities: [String: Identity] = [:]
        for pki in pkis.values {
            do {
                let chain = try NIOSSLCertificate.fromPEMFile(pki.certificatePath).map { NIOSSLCertificateSource.certificate($0) }
                guard !chain.isEmpty else { throw TernDaemon.StartupError(description: "no certificate in the file") }
                let key = try NIOSSLPrivateKey(file: pki.keyPath, format: .pem)
                identities[pki.name.lowercased()] = Identity(chain: chain, key: .privateKey(key))
            } catch {
                throw TernDaemon.StartupError(description: "pki \(pki.name): cannot load \(pki.certificatePath) / \(pki.keyPath): \(error)")
            }
        }
        self.identities = identities
    }

    /// The server context of a listener whose pki is `name`: TLS 1.2 or
    /// newer, and SNI choosing among all loaded identities.
    func context(forListenerPKI name: String) throws -> NIOSSLContext {
        guard let identity = identities[name.lowercased()] else {
            throw TernDaemon.StartupError(description: "undefined pki '\(name)'")
        }
        var tls = TLSConfiguration.makeServerConfiguration(certificateChain: identity.chain, privateKey: identity.key)
        tls.minimumTLSVersion = .tlsv12
        let identities = self.identities
        let own = name.lowercased()
        tls.sslContextCallback = { hello, promise in
            promise.succeed(Self.override(forServerName: hello.serverHostname, listenerPKI: own, identities: identities))
        }
        return try NIOSSLContext(configuration: tls)
    }

    /// The certificate to present instead of the listener's own for a client
    /// that asked for `serverName` in SNI, if another pki is named so.
    static func override(forServerName serverName: String?, listenerPKI: String, identities: [String: Identity]) -> NIOSSLContextConfigurationOverride {
        guard let wanted = serverName?.lowercased(), wanted != listenerPKI, let identity = identities[wanted] else { return .noChanges }
        var override = NIOSSLContextConfigurationOverride()
        override.certificateChain = identity.chain
        override.privateKey = identity.key
        return override
    }
}
