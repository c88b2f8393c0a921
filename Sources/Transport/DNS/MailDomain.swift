import NIOCore

/// The part of an address after `@`, classified for routing: a domain name
/// to look up in DNS, or an address literal that needs no lookup
/// (RFC 5321 §4.1.3, §5.1).
///
///     example.com            → .name("example.com")
///     [192.0.2.1]            → .literal(MailHost(name: "[192.0.2.1]", preference: 0, addresses: ["192.0.2.1"]))
///     [IPv6:2001:db8::1]     → .literal(… addresses: ["2001:db8::1"])
enum MailDomain: Hashable, Sendable {
    /// A domain name in its lookup form: without a trailing dot.
    case name(String)
    /// An address literal: the one host to deliver to.
    case literal(MailHost)

    /// The longest domain name, in octets (RFC 1035 §2.3.4, without the root's dot).
    static let maximumNameLength = 253
    /// The longest label, in octets (RFC 1035 §2.3.4).
    static let maximumLabelLength = 63

    /// Classifies and checks `domain`.
    ///
    /// - Throws: `DNSError` (permanent) for an empty or over-long name, an
    ///   empty label, a non-ASCII name (IDNA is not supported), or a literal
    ///   that is not an IPv4 or `IPv6:` address.
    static func parse(_ domain: String) throws(DNSError) -> MailDomain {
        if domain.hasPrefix("[") {
            return .literal(try literalHost(domain))
        }
        var name = Substring(domain)
        if name.hasSuffix(".") { name = name.dropLast() }
        guard !name.isEmpty else { throw .invalidDomain(domain, reason: "empty domain") }
        guard name.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw .invalidDomain(domain, reason: "not an ASCII domain name (internationalized names are not supported)")
        }
        guard name.utf8.count <= maximumNameLength else {
            throw .invalidDomain(domain, reason: "longer than \(maximumNameLength) octets")
        }
        let labels = name.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.allSatisfy({ !$0.isEmpty && $0.utf8.count <= maximumLabelLength }) else {
            throw .invalidDomain(domain, reason: "empty label or label longer than \(maximumLabelLength) octets")
        }
        return .name(String(name))
    }

    /// The host of `[IPv4]` or `[IPv6:address]`.
    private static func literalHost(_ domain: String) throws(DNSError) -> MailHost {
        guard domain.hasSuffix("]"), domain.count >= 3 else {
            throw .invalidDomain(domain, reason: "unterminated address literal")
        }
        var content = domain.dropFirst().dropLast()
        let isIPv6 = content.prefix(5).lowercased() == "ipv6:"
        if isIPv6 { content = content.dropFirst(5) }
        // SocketAddress parses with inet_pton and prints with inet_ntop, so the
        // address comes out in its canonical form.
        guard let address = try? SocketAddress(ipAddress: String(content), port: 0),
            let text = address.ipAddress,
            isIPv6 == (address.protocol == .inet6)
        else {
            throw .invalidDomain(domain, reason: "not an IPv4 or IPv6 address literal")
        }
        return MailHost(name: domain, preference: 0, addresses: [text])
    }
}
