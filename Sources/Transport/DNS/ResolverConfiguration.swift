/// How `SystemResolver` asks DNS: which server, how long to wait, how often.
///
/// By default the servers of `/etc/resolv.conf` are used. Tests and special
/// set-ups point `nameserver` at one IPv4 server and port, for example
/// dnsmasq on loopback:
///
///     ResolverConfiguration(nameserver: ("127.0.0.1", 5353), timeout: .seconds(1), attempts: 1)
public struct ResolverConfiguration: Sendable {
    /// One IPv4 server to ask instead of those in `/etc/resolv.conf`, or nil.
    public var nameserver: (address: String, port: Int)?
    /// How long to wait for each attempt. glibc counts whole seconds, so
    /// this is rounded up to at least one second.
    public var timeout: Duration
    /// How many times each server is asked before the query fails.
    public var attempts: Int

    /// A configuration; the defaults are glibc's (5 s, 2 attempts).
    public init(nameserver: (address: String, port: Int)? = nil, timeout: Duration = .seconds(5), attempts: Int = 2) {
        self.nameserver = nameserver
        self.timeout = timeout
        self.attempts = attempts
    }

    /// `timeout` in whole seconds, rounded up, at least 1.
    var timeoutSeconds: Int {
        let (seconds, attoseconds) = timeout.components
        return max(1, Int(seconds) + (attoseconds > 0 ? 1 : 0))
    }
}
