/// A record of an answer section, as far as mail routing needs it.
enum DNSRecord: Hashable, Sendable {
    /// `MX preference exchange`; the exchange is `""` for the root (a null MX).
    case mx(preference: Int, exchange: String)
    /// An A or AAAA record's address as a literal string.
    case address(String)
    /// A record of another type, such as the CNAME in front of the answer.
    case other
}
