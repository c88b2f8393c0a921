import Envelope
import Foundation
import Queue

/// The new messages that local deliveries forward to other addresses (alias,
/// virtual and `.forward` targets that this action does not deliver), as
/// journal changes committed together with the outcome that causes them, so
/// a crash never loses a forward nor makes two (DESIGN.md contract 2).
///
/// A forward keeps the envelope sender, ENVID and RET, and comes from this
/// host (routed as `from local`). Its body is the original's with a
/// `Delivered-To:` header naming the recipient that was expanded; a later
/// expansion that finds its own recipient there fails with 5.4.6 (a loop
/// through other messages or hosts, as Postfix detects it). DSN requests
/// follow RFC 3461 §6.2.7: one forward address carries NOTIFY and ORCPT on
/// unchanged; several get NOTIFY without SUCCESS (the sender was told
/// `expanded`) and ORCPT naming the expanded recipient. A forward of mail
/// from a `no-dsn` listener stays without DSNs.
struct DeliveryForwards: Sendable {
    let configuration: Configuration
    let ids: MessageIDGenerator

    /// One new message for each delivered recipient of the message with `envelope` that has forwards.
    func changes(for envelope: Envelope, outcomes: [(UInt32, Recipient, DeliveryResult)], body: [UInt8], now: Date) -> [JournalChange] {
        outcomes.compactMap { _, recipient, result in
            guard recipient.state == .delivered, !result.forwards.isEmpty else { return nil }
            return .enqueue(forward(envelope, recipient, to: result.forwards, body: body, now: now))
        }
    }

    /// The new message that forwards `recipient`'s copy to `addresses`.
    func forward(_ original: Envelope, _ recipient: Recipient, to addresses: [MailAddress], body: [UInt8], now: Date) -> NewMessage {
        let arrival = Date(journalMilliseconds: now)
        let bytes = Array("Delivered-To: \(recipient.address)\r\n".utf8) + body
        var flags = original.flags.intersection([.smtpUTF8, .eightBitMIME, .suppressReports])
        flags.insert(.fromLocal)
        let envelope = Envelope(
            id: ids.next(now: now), sender: original.sender, envelopeID: original.envelopeID, ret: original.ret,
            size: bytes.count, arrival: arrival,
            expiry: arrival.addingTimeInterval(configuration.queue.expire.timeInterval),
            clientAddress: "127.0.0.1", heloName: configuration.hostname, flags: flags
        )
        let single = addresses.count == 1
        let original = recipient.originalRecipient ?? OriginalRecipient(addressType: "rfc822", address: recipient.address.description)
        let recipients = addresses.map { address in
            Recipient(
                address: address,
                originalRecipient: single ? recipient.originalRecipient : original,
                notify: single ? recipient.notify : recipient.notify.map { $0.subtracting(.success) },
                nextAttempt: arrival
            )
        }
        return NewMessage(envelope: envelope, recipients: recipients, body: .bytes(bytes))
    }
}
