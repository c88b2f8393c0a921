import Envelope

/// The `bounce` statements: DSN policy choices RFC 3461 leaves to the MTA.
///
///     bounce warn-on-missing-notify yes
///     bounce return headers
///     bounce max-return-size 128K
///     bounce postmaster postmaster@example.com
public struct BounceConfig: Hashable, Sendable {
    /// `warn-on-missing-notify yes|no`: whether a recipient without a NOTIFY
    /// parameter gets delay warnings, as if it had asked for `NOTIFY=FAILURE,DELAY`.
    public var warnOnMissingNotify = ConfigDefaults.warnOnMissingNotify
    /// `return full|headers`: what a failure report returns of the original
    /// message when the sender gave no `RET` (RFC 3461 §4.3).
    public var defaultReturn = ConfigDefaults.bounceReturn
    /// `max-return-size SIZE`: the most octets of the original message a
    /// report returns; a larger message is returned as its headers only.
    public var maximumReturnedSize = ConfigDefaults.bounceMaxReturnSize
    /// `postmaster ADDRESS|none`: who is told when a DSN we generated cannot
    /// be delivered (a double bounce); nobody when nil.
    public var postmaster: MailAddress? = ConfigDefaults.bouncePostmaster

    /// The defaults of ``ConfigDefaults``.
    public init() {}

    /// The report options these settings give.
    public var dsnOptions: DSNOptions {
        DSNOptions(defaultReturn: defaultReturn, maximumReturnedSize: maximumReturnedSize)
    }
}
