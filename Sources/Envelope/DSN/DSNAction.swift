/// The `Action` of one recipient in a delivery status notification
/// (RFC 3464 §2.3.3):
///
///     action-field = "Action" ":" action-value
///     action-value = "failed" / "delayed" / "delivered" / "relayed" / "expanded"
///
///     Action: failed
public enum DSNAction: String, Hashable, Sendable, CaseIterable {
    /// The message could not be delivered and no further attempt will be made.
    case failed
    /// Not delivered yet; the reporting MTA keeps trying.
    case delayed
    /// Delivered to the recipient's mailbox (a terminal state; not "read").
    case delivered
    /// Handed to a next hop that does not promise to report success.
    case relayed
    /// Delivered to an alias and forwarded to several further recipients;
    /// further DSNs may follow for them.
    case expanded

    /// The status reported when none is known: `5.0.0` for `failed`, `4.0.0`
    /// for `delayed` and `2.0.0` otherwise (RFC 3463 §3.1, "other undefined status").
    public var defaultStatus: EnhancedStatus {
        switch self {
        case .failed: .permanentFailure
        case .delayed: EnhancedStatus(4, 0, 0)
        case .delivered, .relayed, .expanded: .ok
        }
    }

    /// Whether the action tells of success, which NOTIFY=SUCCESS asks for
    /// (RFC 3461 §4.1): `delivered`, `relayed` or `expanded`.
    public var isSuccess: Bool {
        switch self {
        case .delivered, .relayed, .expanded: true
        case .failed, .delayed: false
        }
    }
}
