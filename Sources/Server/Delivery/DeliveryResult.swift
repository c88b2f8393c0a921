import Envelope

/// What one delivery attempt did for one recipient: every failure says
/// whether it is transient or permanent and carries an enhanced status.
struct DeliveryResult: Hashable, Sendable {
    enum Outcome: Hashable, Sendable {
        case delivered
        case temporary
        case permanent
    }

    var index: UInt32
    var outcome: Outcome
    var status: EnhancedStatus
    /// The remote reply or the local diagnostic, for logs, the journal and DSNs.
    var reply: String
    /// `name[ip]:port` of the server that answered, when remote.
    var remoteHost: String?
    /// For a delivered recipient: which success DSN, if it asked for one, is ours to send.
    var successNotice = SuccessNotice.delivered
    /// No server of the destination could be reached at all: the whole
    /// destination is backed off, not just this recipient.
    var destinationUnreachable = false
    /// For a delivered recipient that an alias, virtual entry or `.forward`
    /// sent on to other addresses: they become a new message, enqueued in the
    /// same journal transaction as this outcome (``DeliveryForwards``).
    var forwards: [MailAddress] = []

    /// Who reports a delivery to a recipient that asked for success DSNs (RFC 3461 §6.2.1).
    enum SuccessNotice: Hashable, Sendable {
        /// Final delivery here, or by an LMTP server into the mailbox: `delivered`.
        case delivered
        /// Relayed to a server that did not announce DSN: `relayed`.
        case relayed
        /// The next hop announced DSN and took the request over: no report of ours.
        /// Also a recipient forwarded to one other address, which carries its
        /// NOTIFY and ORCPT on (RFC 3461 §6.2.7.1).
        case passedOn
        /// An alias (or virtual entry, `.forward`) expanded the recipient into
        /// several targets: `expanded` (RFC 3461 §6.2.7.3).
        case expanded
    }

    static func delivered(_ index: UInt32, _ reply: String, status: EnhancedStatus = .ok, remoteHost: String? = nil) -> DeliveryResult {
        DeliveryResult(index: index, outcome: .delivered, status: status, reply: reply, remoteHost: remoteHost)
    }

    static func failed(_ index: UInt32, _ failure: DeliveryFailure) -> DeliveryResult {
        DeliveryResult(
            index: index, outcome: failure.isPermanent ? .permanent : .temporary,
            status: failure.status, reply: failure.reason, remoteHost: failure.remoteHost
        )
    }
}

/// A failed delivery, transient or permanent, with its status and reason.
struct DeliveryFailure: Error, Hashable, Sendable, CustomStringConvertible {
    var isPermanent: Bool
    var status: EnhancedStatus
    var reason: String
    var remoteHost: String?

    static func temporary(_ status: EnhancedStatus, _ reason: String) -> DeliveryFailure {
        DeliveryFailure(isPermanent: false, status: status, reason: reason)
    }

    static func permanent(_ status: EnhancedStatus, _ reason: String) -> DeliveryFailure {
        DeliveryFailure(isPermanent: true, status: status, reason: reason)
    }

    var description: String { "\(status) \(reason)" }
}
