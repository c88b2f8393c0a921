/// A `resolver ADDRESS [port N]` statement: the DNS server for MX lookups,
/// instead of the system's (`resolver system`, the default). Tests point it at
/// a DNS server on loopback.
///
///     resolver 127.0.0.1 port 5353
public struct ResolverConfig: Hashable, Sendable {
    /// The server's address.
    public var address: IPLiteral
    /// The server's port; 53 by default.
    public var port: Int

    /// Creates a resolver setting.
    public init(address: IPLiteral, port: Int = ConfigDefaults.resolverPort) {
        self.address = address
        self.port = port
    }
}
