import NIOPosix

/// Finds mail hosts with glibc's stub resolver (`libresolv`).
///
/// Each lookup is one blocking `res_nquery` with a resolver state of its
/// own, run on a `NIOThreadPool` so that no event loop ever blocks. For a
/// domain name it asks for MX records, then for the A and AAAA records of
/// each MX host:
///
/// - MX records are ordered by preference, equal preferences shuffled.
/// - No MX record (NODATA): the domain itself is the one host, preference 0
///   (the implicit MX of RFC 5321 §5.1). Without A or AAAA records either,
///   the domain cannot receive mail: permanent `5.4.4`.
/// - A null MX (RFC 7505): permanent `5.1.10`.
/// - NXDOMAIN: permanent `5.1.2`.
/// - SERVFAIL, REFUSED, time-out: temporary `4.4.3`.
/// - An MX host whose addresses cannot be found is left out; when that
///   leaves none, temporary `4.4.3`.
///
/// Address literals (`[192.0.2.1]`, `[IPv6:2001:db8::1]`) need no DNS.
///
///     let resolver = SystemResolver(configuration: .init(nameserver: ("127.0.0.1", 5353)))
///     let hosts = try await resolver.resolveMailHosts(for: "example.test")
public final class SystemResolver: MXResolving {
    /// Where and how queries are sent.
    public let configuration: ResolverConfiguration
    private let threadPool: NIOThreadPool

    /// A resolver that runs its queries on `threadPool` (which must be started).
    public init(configuration: ResolverConfiguration = ResolverConfiguration(), threadPool: NIOThreadPool = .singleton) {
        self.configuration = configuration
        self.threadPool = threadPool
    }

    /// The mail hosts of `domain` in the order to try; see the type's description.
    public func resolveMailHosts(for domain: String) async throws(DNSError) -> [MailHost] {
        let name: String
        switch try MailDomain.parse(domain) {
        case .literal(let host): return [host]
        case .name(let parsed): name = parsed
        }
        switch await lookup(name, .mx) {
        case .records(let records):
            var generator = SystemRandomNumberGenerator()
            let exchanges = try MXOrdering.order(records, domain: domain, using: &generator)
            var hosts: [MailHost] = []
            for exchange in exchanges {
                guard case .found(let addresses) = await addresses(of: exchange.name) else { continue }
                hosts.append(MailHost(name: exchange.name, preference: exchange.preference, addresses: addresses))
            }
            guard !hosts.isEmpty else { throw .noMailHostAddresses(domain, hosts: exchanges.count) }
            return hosts
        case .noData:
            switch await addresses(of: name) {
            case .found(let addresses): return [MailHost(name: name, preference: 0, addresses: addresses)]
            case .none: throw .noAddress(domain)
            case .nameNotFound: throw .domainNotFound(domain)
            case .failed(let type): throw .serverFailure(domain, recordType: type)
            }
        case .nameNotFound: throw .domainNotFound(domain)
        case .serverFailure: throw .serverFailure(domain, recordType: .mx)
        case .malformed: throw .malformedAnswer(domain, recordType: .mx)
        case nil: throw .resolverUnavailable(domain)
        }
    }

    /// What the address lookups of one host found.
    private enum HostAddresses {
        /// A first, then AAAA; not empty.
        case found([String])
        /// The name exists without A or AAAA records.
        case none
        /// NXDOMAIN.
        case nameNotFound
        /// A lookup failed (server failure, malformed answer, resolver down) and found nothing else.
        case failed(DNSRecordType)
    }

    /// The A and AAAA records of `host`, looked up side by side.
    private func addresses(of host: String) async -> HostAddresses {
        async let ipv4 = lookup(host, .a)
        async let ipv6 = lookup(host, .aaaa)
        let results = [(DNSRecordType.a, await ipv4), (.aaaa, await ipv6)]
        var addresses: [String] = []
        var failure: DNSRecordType?
        var notFound = false
        for (type, result) in results {
            switch result {
            case .records(let records):
                for case .address(let address) in records { addresses.append(address) }
            case .noData: break
            case .nameNotFound: notFound = true
            case .serverFailure, .malformed, nil: failure = failure ?? type
            }
        }
        if !addresses.isEmpty { return .found(addresses) }
        if let failure { return .failed(failure) }
        return notFound ? .nameNotFound : .none
    }

    /// One query on the thread pool; nil when the pool is not running or the task was cancelled.
    private func lookup(_ name: String, _ type: DNSRecordType) async -> DNSLookup.Result? {
        let configuration = configuration
        return try? await threadPool.runIfActive {
            DNSLookup.query(name, type: type, configuration: configuration)
        }
    }
}
