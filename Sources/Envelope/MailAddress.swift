/// An RFC 5321 §4.1.2 mailbox: `Local-part "@" ( Domain / address-literal )`.
///
/// The local part is kept exactly as received (without the quotes of a
/// quoted-string); the domain compares case-insensitively.
///
///     MAIL FROM:<alice@example.com>
public struct MailAddress: Hashable, Sendable {
    /// The local part, unquoted, case preserved.
    public let localPart: String
    /// The domain or address literal (`[192.0.2.1]`, `[IPv6:2001:db8::1]`), as written.
    public let domain: String

    /// Makes an address from parts already known to be valid.
    public init(localPart: String, domain: String) {
        self.localPart = localPart
        self.domain = domain
    }

    /// The domain lower-cased, for routing and comparison.
    public var normalizedDomain: String { domain.lowercased() }

    public static func == (lhs: MailAddress, rhs: MailAddress) -> Bool {
        lhs.localPart == rhs.localPart && lhs.normalizedDomain == rhs.normalizedDomain
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(localPart)
        hasher.combine(normalizedDomain)
    }
}

/// The reverse path of `MAIL FROM`: a mailbox, or the null path `<>` used by DSNs.
public enum ReversePath: Hashable, Sendable {
    /// `<>`: the null reverse path (RFC 5321 §4.5.5).
    case null
    /// A mailbox.
    case mailbox(MailAddress)

    /// The mailbox, or nil for the null path.
    public var address: MailAddress? {
        if case .mailbox(let address) = self { return address }
        return nil
    }
}
