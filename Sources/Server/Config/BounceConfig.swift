/// The `bounce` statements: DSN policy choices RFC 3461 leaves to the MTA.
///
///     bounce warn-on-missing-notify yes
public struct BounceConfig: Hashable, Sendable {
    /// `warn-on-missing-notify yes|no`: whether a recipient without a NOTIFY
    /// parameter gets delay warnings, as if it had asked for `NOTIFY=FAILURE,DELAY`.
    public var warnOnMissingNotify = ConfigDefaults.warnOnMissingNotify

    /// The defaults of ``ConfigDefaults``.
    public init() {}
}
