import Envelope
import Foundation
import Queue
import Transport

/// `-oQ DIR`: writes a submission straight into the journal in `DIR` while
/// the daemon is stopped (the journal's lock refuses it otherwise). There
/// are no rules to consult offline: the daemon routes each recipient at its
/// first attempt, and qualifies nothing, so bare user names get this host's name.
struct OfflineEnqueuer {
    let directory: String
    /// How long the daemon keeps trying, as its default `queue expire`.
    static let expiry: TimeInterval = 4 * 24 * 3600

    /// Commits `submission`; returns its queue id.
    func enqueue(_ submission: SendmailSubmission, context: SendmailSubmission.Context) async throws(SubmissionError) -> String {
        let journal: Journal
        do {
            journal = try Journal(path: directory)
        } catch let error as JournalError where error.code == .locked {
            throw SubmissionError(.temporaryFailure, "\(directory) is in use: ternd is running, so leave out -oQ")
        } catch {
            throw SubmissionError(.temporaryFailure, "cannot open the journal \(directory): \(error)")
        }
        defer { journal.close() }
        // The journal keeps milliseconds.
        let now = Date(timeIntervalSince1970: (context.now.timeIntervalSince1970 * 1000).rounded(.down) / 1000)
        let id = MessageIDGenerator().next(now: now)
        let recipients = submission.recipients.map { address in
            Recipient(
                address: address.domain.isEmpty ? MailAddress(localPart: address.localPart, domain: context.hostname) : address,
                notify: submission.notify, nextAttempt: now
            )
        }
        let header = MessageHeaders.received(
            from: nil, by: context.hostname, with: nil, id: id,
            for: recipients.count == 1 ? recipients[0].address : nil, date: now
        )
        let body = Array(header.utf8) + submission.message
        var flags: Envelope.Flags = [.fromLocal]
        if body.contains(where: { $0 >= 0x80 }) { flags.insert(.eightBitMIME) }
        let envelope = Envelope(
            id: id, sender: submission.sender, envelopeID: submission.envelopeID, ret: submission.ret, size: body.count,
            arrival: now, expiry: now.addingTimeInterval(Self.expiry), clientAddress: "local", heloName: "localhost",
            authUser: context.user, flags: flags
        )
        do {
            try await journal.enqueue(NewMessage(envelope: envelope, recipients: recipients, body: .bytes(body)))
        } catch {
            throw SubmissionError(.temporaryFailure, "cannot write to the journal \(directory): \(error)")
        }
        return id.description
    }

    /// `-bp -oQ DIR`: the messages not yet completed, read without taking the journal's lock.
    func queue() throws(SubmissionError) -> [MessageReport] {
        do {
            var options = Journal.Options()
            options.readOnly = true
            let journal = try Journal(path: directory, options: options)
            defer { journal.close() }
            return try journal.messageIDs().compactMap { id in
                guard let message = try journal.message(id), message.completed == nil else { return nil }
                return MessageReport(envelope: message.envelope, recipients: message.recipients, completed: nil)
            }
        } catch {
            throw SubmissionError(.temporaryFailure, "cannot read the journal \(directory): \(error)")
        }
    }
}
