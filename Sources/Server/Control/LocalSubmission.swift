import Envelope
import Foundation
import Queue
import Transport

/// Turns a message handed over by a local program (the sendmail enqueuer,
/// through the control socket) into a journal entry, applying the same checks
/// as SMTP ingress: address syntax, DSN parameters, the size limit and the
/// match rules (as a client `from local`).
struct LocalSubmission {
    /// Why a submission was refused, in words for the submitter.
    struct Refusal: Error, CustomStringConvertible {
        let description: String
    }

    let configuration: Configuration
    let tables: any TableLookup

    /// The message to enqueue, with a `Received` header and CRLF line endings.
    func message(from submission: Submission, id: MessageID, now: Date) throws(Refusal) -> NewMessage {
        let sender = try Self.sender(submission.sender)
        guard !submission.recipients.isEmpty else { throw Refusal(description: "no recipients") }
        var recipients: [Recipient] = []
        for entry in submission.recipients {
            recipients.append(try recipient(entry, sender: sender, now: now))
        }
        let ret: DSNReturn?
        do {
            ret = try submission.ret.map { try DSNReturn.parse($0[...]) }
        } catch {
            throw Refusal(description: "RET \(submission.ret ?? ""): \(error)")
        }
        let header = MessageHeaders.received(
            from: nil, by: configuration.hostname, with: nil,
            id: id, for: recipients.count == 1 ? recipients[0].address : nil, date: now
        )
        let body = Array(header.utf8) + Self.crlfLines(submission.message)
        guard body.count <= configuration.smtp.maxMessageSize else {
            throw Refusal(description: "message of \(body.count) bytes exceeds the limit of \(configuration.smtp.maxMessageSize) bytes")
        }
        var flags: Envelope.Flags = [.fromLocal]
        if body.contains(where: { $0 >= 0x80 }) { flags.insert(.eightBitMIME) }
        let envelope = Envelope(
            id: id, sender: sender, envelopeID: submission.envelopeID, ret: ret, size: body.count, arrival: now,
            expiry: now.addingTimeInterval(configuration.queue.expire.timeInterval),
            clientAddress: "local", heloName: "localhost", authUser: submission.user, flags: flags
        )
        return NewMessage(envelope: envelope, recipients: recipients, body: .bytes(body))
    }

    /// Refuses what `message(from:id:now:)` would refuse about this sender and recipient.
    func check(_ check: RecipientCheck) throws(Refusal) {
        _ = try recipient(check.recipient, sender: try Self.sender(check.sender), now: Date())
    }

    private static func sender(_ text: String) throws(Refusal) -> ReversePath {
        do {
            return text.isEmpty ? .null : try ReversePath.parse("<\(text)>"[...], allowUTF8: true)
        } catch {
            throw Refusal(description: "sender <\(text)>: \(error)")
        }
    }

    private func recipient(_ entry: Submission.Recipient, sender: ReversePath, now: Date) throws(Refusal) -> Recipient {
        var address: MailAddress
        do {
            let text = entry.address.contains("@") ? entry.address : "\(entry.address)@\(configuration.hostname)"
            address = try MailAddress.parseForwardPath("<\(text)>"[...], allowUTF8: true)
        } catch {
            throw Refusal(description: "recipient <\(entry.address)>: \(error)")
        }
        if address.domain.isEmpty { address = MailAddress(localPart: address.localPart, domain: configuration.hostname) }
        let facts = RoutingFacts(
            clientIsLocal: true, clientAddress: "local", authenticatedUser: nil, listenerTag: nil,
            sender: sender.address.map(\.description) ?? "", recipientLocalPart: address.localPart, recipientDomain: address.domain
        )
        guard case .action = configuration.route(for: facts, tables: tables) else {
            throw Refusal(description: "recipient <\(address)>: no rule accepts it from local submission")
        }
        do {
            return Recipient(
                address: address,
                originalRecipient: try entry.originalRecipient.map { try OriginalRecipient.parse($0[...]) },
                notify: try entry.notify.map { try DSNNotify.parse($0[...]) },
                nextAttempt: now
            )
        } catch {
            throw Refusal(description: "recipient <\(address)>: \(error)")
        }
    }

    /// The message with every line ending made CRLF (bare LF and bare CR alike).
    static func crlfLines(_ data: Data) -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(data.count + data.count / 32)
        var previous: UInt8 = 0
        for byte in data {
            if byte == UInt8(ascii: "\n") && previous != UInt8(ascii: "\r") {
                result.append(UInt8(ascii: "\r"))
            } else if previous == UInt8(ascii: "\r") && byte != UInt8(ascii: "\n") {
                result.append(UInt8(ascii: "\n"))
            }
            result.append(byte)
            previous = byte
        }
        if previous == UInt8(ascii: "\r") { result.append(UInt8(ascii: "\n")) }
        if !result.isEmpty && previous != UInt8(ascii: "\n") && previous != UInt8(ascii: "\r") { result += [13, 10] }
        return result
    }
}
