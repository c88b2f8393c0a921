/// The `NOTIFY` parameter of `RCPT TO` (RFC 3461 §4.1).
///
/// An empty set is `NOTIFY=NEVER`; absence of the parameter is modelled as
/// `nil` by its holders.
public struct DSNNotify: OptionSet, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let success = DSNNotify(rawValue: 1 << 0)
    public static let failure = DSNNotify(rawValue: 1 << 1)
    public static let delay = DSNNotify(rawValue: 1 << 2)
    /// `NOTIFY=NEVER`.
    public static let never: DSNNotify = []
}

/// The `RET` parameter of `MAIL FROM` (RFC 3461 §4.3).
public enum DSNReturn: UInt8, Hashable, Sendable {
    /// `RET=FULL`: return the whole message.
    case full = 1
    /// `RET=HDRS`: return the headers only.
    case headers = 2
}

/// The `ORCPT` parameter of `RCPT TO` (RFC 3461 §4.2): `addr-type ";" xtext`.
public struct OriginalRecipient: Hashable, Sendable {
    /// The address type, e.g. `rfc822` or `utf-8`.
    public let addressType: String
    /// The address, xtext-decoded.
    public let address: String

    public init(addressType: String, address: String) {
        self.addressType = addressType
        self.address = address
    }
}
