/// Finds the hosts that receive mail for a domain (RFC 5321 §5.1).
///
/// The result is in the order to try: by MX preference, equal preferences
/// in random order. Every host has at least one address. Errors say whether
/// they are permanent (the recipients fail) or temporary (try again later).
public protocol MXResolving: Sendable {
    /// The mail hosts of `domain`, a domain name or an address literal
    /// (`[192.0.2.1]`, `[IPv6:2001:db8::1]`), in the order to try.
    ///
    /// - Throws: `DNSError`.
    func resolveMailHosts(for domain: String) async throws(DNSError) -> [MailHost]
}
