/// One host to try for a mail domain, with the addresses to connect to.
///
/// `addresses` lists the host's IPv4 addresses (A records) first, then its
/// IPv6 addresses (AAAA records), each in the order DNS returned them, as
/// literal strings: `192.0.2.25`, `2001:db8::25`.
public struct MailHost: Hashable, Sendable {
    /// The host name from the MX record, the domain itself for an implicit
    /// MX, or the address literal as written (`[192.0.2.25]`).
    public let name: String
    /// The MX preference: lower is tried first; 0 for an implicit MX or an
    /// address literal.
    public let preference: Int
    /// IPv4 then IPv6 address literals, never empty.
    public let addresses: [String]

    /// A host; `addresses` should not be empty.
    public init(name: String, preference: Int, addresses: [String]) {
        self.name = name
        self.preference = preference
        self.addresses = addresses
    }
}
