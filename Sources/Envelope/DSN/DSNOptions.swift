import Foundation

/// Site choices for the delivery status notifications this MTA writes.
public struct DSNOptions: Hashable, Sendable {
    /// What a failure report returns when the sender gave no `RET`
    /// (RFC 3461 §4.3 leaves it to the MTA). Default: `.full`.
    public var defaultReturn: DSNReturn
    /// The most octets of the original message returned. A larger message is
    /// returned as its headers only, and headers larger still not at all; the
    /// explanation says so. Default: 64 KiB.
    public var maximumReturnedSize: Int
    /// The display name of the report's `From:`. Default: `Mail Delivery System`.
    public var fromName: String
    /// The address of the report's `From:`; nil for `MAILER-DAEMON@` the
    /// reporting MTA. RFC 3464 §2 asks that a reply to a DSN reach whoever
    /// runs the mail system without starting a mail loop.
    public var fromAddress: MailAddress?
    /// The zone the report's dates are written in. Default: UTC.
    public var timeZone: TimeZone

    /// Options; the defaults are as documented on each property.
    public init(
        defaultReturn: DSNReturn = .full,
        maximumReturnedSize: Int = 64 * 1024,
        fromName: String = "Mail Delivery System",
        fromAddress: MailAddress? = nil,
        timeZone: TimeZone = TimeZone(secondsFromGMT: 0) ?? .current
    ) {
        self.defaultReturn = defaultReturn
        self.maximumReturnedSize = maximumReturnedSize
        self.fromName = fromName
        self.fromAddress = fromAddress
        self.timeZone = timeZone
    }
}
