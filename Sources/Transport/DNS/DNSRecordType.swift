import CResolv

/// The record types asked for when routing mail.
enum DNSRecordType: Hashable, Sendable {
    /// IPv4 address (RFC 1035 §3.4.1).
    case a
    /// Mail exchange (RFC 1035 §3.3.9).
    case mx
    /// IPv6 address (RFC 3596 §2.1).
    case aaaa

    /// The type's number on the wire.
    var value: Int32 {
        switch self {
        case .a: Int32(TERN_RESOLV_TYPE_A)
        case .mx: Int32(TERN_RESOLV_TYPE_MX)
        case .aaaa: Int32(TERN_RESOLV_TYPE_AAAA)
        }
    }

    /// The type's mnemonic, for messages.
    var name: String {
        switch self {
        case .a: "A"
        case .mx: "MX"
        case .aaaa: "AAAA"
        }
    }
}
