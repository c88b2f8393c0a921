import Foundation

/// The delivery flows the operator paused: all remote delivery (`mta`), all
/// local delivery (`mda`), or single destination domains. Pauses live in
/// memory only; a restarted daemon delivers everything.
struct DeliveryPause: Hashable, Sendable {
    var mta = false
    var mda = false
    var destinations: Set<String> = []

    /// How long a paused recipient is parked before the scheduler looks at it
    /// again (resuming brings it back at once).
    static let parkingTime: TimeInterval = 3600

    /// Whether delivery by `action` to `domain` is paused.
    func holdsBack(_ action: ActionConfig, domain: String) -> Bool {
        if destinations.contains(domain) { return true }
        switch action.method {
        case .maildir, .mbox, .mda: return mda
        case .lmtp, .relay: return mta
        }
    }

    /// The paused flows in words, for `show status`.
    var descriptions: [String] {
        (mta ? ["mta"] : []) + (mda ? ["mda"] : []) + destinations.sorted().map { "destination \($0)" }
    }
}
