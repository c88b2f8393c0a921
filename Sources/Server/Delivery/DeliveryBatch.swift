import Envelope
import Foundation
import Queue

/// Recipients of one message that go out together: same action, same
/// destination domain — one SMTP transaction, or one pass of local delivery.
struct DeliveryBatch: Sendable {
    /// How the batch is to be handled.
    enum Route: Sendable {
        case action(ActionConfig)
        /// The message is past its expiry: fail with 4.4.7 without an attempt.
        case expired
        /// No rule delivers these recipients now (a configuration problem): retry later.
        case unroutable(String)
    }

    var message: QueuedMessage
    var route: Route
    var domain: String
    /// Indices into `message.recipients`.
    var indices: [UInt32]

    var recipients: [(index: UInt32, recipient: Recipient)] {
        indices.map { ($0, message.recipients[Int($0)]) }
    }
}

/// Decides, at each attempt and from the current configuration, which action
/// delivers a recipient: routing is never frozen into the envelope, so a fixed
/// configuration unsticks queued mail.
struct DeliveryRouter: Sendable {
    let configuration: Configuration
    let tables: any TableLookup

    enum Decision: Sendable {
        case action(ActionConfig)
        /// No rule delivers this recipient now; retried until a configuration does or it expires.
        case unroutable(String)
    }

    /// The session facts stored with `envelope`, for the recipient `address`.
    static func facts(for address: MailAddress, of envelope: Envelope) -> RoutingFacts {
        RoutingFacts(
            clientIsLocal: envelope.flags.contains(.fromLocal),
            clientAddress: envelope.clientAddress,
            authenticatedUser: envelope.authUser,
            listenerTag: envelope.listenerTag,
            sender: envelope.sender.address?.description ?? "",
            recipientLocalPart: address.localPart,
            recipientDomain: address.domain
        )
    }

    func route(_ recipient: Recipient, of envelope: Envelope) -> Decision {
        switch configuration.route(for: Self.facts(for: recipient.address, of: envelope), tables: tables) {
        case .action(let name):
            guard let action = configuration.actions[name] else { return .unroutable("action \(name) is not defined") }
            return .action(action)
        case .reject:
            return .unroutable("a rule now rejects this recipient")
        case .noMatch:
            return .unroutable("no rule matches this recipient")
        }
    }
}
