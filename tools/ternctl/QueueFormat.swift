import Envelope
import Foundation
import Queue

/// The text and JSON forms of queue listings.
enum QueueFormat {
    static func date(_ date: Date) -> String {
        ISO8601DateFormatter().string(from: date)
    }

    static func line(_ message: QueuedMessage) -> String {
        let envelope = message.envelope
        return "\(envelope.id)  \(envelope.size)  \(date(envelope.arrival))  \(envelope.sender.wireForm)"
    }

    static func recipientLine(_ recipient: Recipient) -> String {
        var parts = ["\(recipient.address.wireForm)", "\(recipient.state)", "attempts=\(recipient.attempts)"]
        if recipient.state == .scheduled { parts.append("next=\(date(recipient.nextAttempt))") }
        if let status = recipient.lastStatus { parts.append("dsn=\(status)") }
        if let reply = recipient.lastReply { parts.append("(\(reply))") }
        return parts.joined(separator: " ")
    }
}

/// One message in `--json` output.
struct MessageSummary: Encodable {
    struct RecipientSummary: Encodable {
        var address: String
        var state: String
        var attempts: UInt32
        var nextAttempt: Date
        var lastAttempt: Date?
        var lastStatus: String?
        var lastReply: String?
        var notify: String?
        var originalRecipient: String?
    }

    var id: String
    var sender: String
    var size: Int
    var arrival: Date
    var expiry: Date
    var client: String
    var helo: String
    var authUser: String?
    var tag: String?
    var envelopeID: String?
    var ret: String?
    var completed: Date?
    var recipients: [RecipientSummary]

    init(_ message: QueuedMessage) {
        let envelope = message.envelope
        id = envelope.id.description
        sender = envelope.sender.address?.description ?? ""
        size = envelope.size
        arrival = envelope.arrival
        expiry = envelope.expiry
        client = envelope.clientAddress
        helo = envelope.heloName
        authUser = envelope.authUser
        tag = envelope.listenerTag
        envelopeID = envelope.envelopeID
        ret = envelope.ret?.parameterValue
        completed = message.completed
        recipients = message.recipients.map {
            RecipientSummary(
                address: $0.address.description, state: "\($0.state)", attempts: $0.attempts, nextAttempt: $0.nextAttempt,
                lastAttempt: $0.lastAttempt, lastStatus: $0.lastStatus?.description, lastReply: $0.lastReply,
                notify: $0.notify?.parameterValue, originalRecipient: $0.originalRecipient.map { "\($0.addressType);\($0.address)" }
            )
        }
    }
}
