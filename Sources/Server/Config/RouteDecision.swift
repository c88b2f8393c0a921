/// What the rules decide for one recipient.
public enum RouteDecision: Hashable, Sendable {
    /// A rule accepted the recipient for the named action.
    case action(String)
    /// A `reject` rule matched: refuse the recipient with `550 5.7.1`.
    case reject
    /// No rule matched: the caller refuses the recipient with `550 5.7.1` (relay denied).
    case noMatch
}
