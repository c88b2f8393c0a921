import Envelope

/// One recipient of an `OutboundTransaction`, with the DSN parameters to
/// pass on to servers that announce `DSN` (RFC 3461 §4.1, §4.2).
public struct OutboundRecipient: Hashable, Sendable {
    /// The forward path for `RCPT TO`.
    public var address: MailAddress
    /// `NOTIFY`, or nil to send none.
    public var notify: DSNNotify?
    /// `ORCPT`, or nil to send none.
    public var originalRecipient: OriginalRecipient?

    /// A recipient; the DSN parameters default to none.
    public init(address: MailAddress, notify: DSNNotify? = nil, originalRecipient: OriginalRecipient? = nil) {
        self.address = address
        self.notify = notify
        self.originalRecipient = originalRecipient
    }
}
