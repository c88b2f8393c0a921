/// Whether a recipient's change of state calls for a delivery status
/// notification, by the rules of RFC 3461 §4.1 and §5.
///
/// | NOTIFY               | failed | delayed                  | delivered, relayed, expanded |
/// |----------------------|--------|--------------------------|------------------------------|
/// | absent               | yes    | `defaultDelayWhenAbsent` | no                           |
/// | `NEVER`              | no     | no                       | no                           |
/// | lists the keyword    | yes    | yes                      | yes                          |
/// | omits the keyword    | no     | no                       | no                           |
///
/// (`FAILURE` answers for `failed`, `DELAY` for `delayed`, `SUCCESS` for the
/// others.) RFC 3461 §4.1 lets an absent NOTIFY mean either `FAILURE` or
/// `FAILURE,DELAY`; `defaultDelayWhenAbsent` picks one. A message that is
/// itself a DSN, or has the null reverse path, never gets one: DSNs go out
/// with the null reverse path, and RFC 5321 §4.5.5 forbids answering such a
/// message, which keeps bounces from looping.
///
/// Two site choices come on top: mail from a `no-dsn` listener
/// (`.suppressReports`) gets no report at all (`isSuppressed`), and a DSN
/// we generated that fails may be reported to the postmaster instead
/// (`needsPostmasterNotice`), once: a notice never gets a notice.
public enum DSNPolicy {
    /// Whether to report `action` for a recipient that asked for `notify`
    /// (nil when NOTIFY was absent) of a message that `isDSN` or not.
    public static func shouldReport(
        _ action: DSNAction, notify: DSNNotify?, defaultDelayWhenAbsent: Bool, isDSN: Bool
    ) -> Bool {
        guard !isDSN else { return false }
        guard let notify else {
            switch action {
            case .failed: return true
            case .delayed: return defaultDelayWhenAbsent
            case .delivered, .relayed, .expanded: return false
            }
        }
        switch action {
        case .failed: return notify.contains(.failure)
        case .delayed: return notify.contains(.delay)
        case .delivered, .relayed, .expanded: return notify.contains(.success)
        }
    }

    /// Whether to report `action` for `recipient` of the message with
    /// `envelope`: as `shouldReport(_:notify:defaultDelayWhenAbsent:isDSN:)`,
    /// counting a message as a DSN when it carries `.isDSN` or the null
    /// reverse path.
    public static func shouldReport(
        _ action: DSNAction, for recipient: Recipient, of envelope: Envelope, defaultDelayWhenAbsent: Bool
    ) -> Bool {
        shouldReport(
            action,
            notify: recipient.notify,
            defaultDelayWhenAbsent: defaultDelayWhenAbsent,
            isDSN: envelope.flags.contains(.isDSN) || envelope.sender == .null
        )
    }

    /// Whether the site forbids reports on the message with `envelope`
    /// whatever its sender asked: it arrived on a `no-dsn` listener.
    public static func isSuppressed(_ envelope: Envelope) -> Bool {
        envelope.flags.contains(.suppressReports)
    }

    /// Whether a permanent failure of the message with `envelope` calls for
    /// a notice to the postmaster (when one is configured): the message is a
    /// DSN we generated, and not itself such a notice.
    public static func needsPostmasterNotice(_ envelope: Envelope) -> Bool {
        envelope.flags.contains(.isDSN) && !envelope.flags.contains(.isPostmasterNotice)
    }
}
