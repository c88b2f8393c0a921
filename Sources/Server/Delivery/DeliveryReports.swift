import Envelope
import Foundation
import Logging
import Queue

/// Turns delivery outcomes into the DSNs the sender asked for (RFC 3461),
/// as journal changes committed together with the outcomes themselves: one
/// report per message and pass for its failed recipients, one for its
/// successes (`delivered` for final delivery, `relayed` past a server that
/// does not speak DSN, `expanded` for an alias with several targets). DSNs
/// themselves never cause DSNs.
///
/// Site choices come from the `bounce` statements: what a report returns
/// (`return`, `max-return-size`), and `postmaster`, who gets one notice when
/// a DSN we generated fails for good (a double bounce), with the failed DSN's
/// headers; a failing notice is only logged. Mail from a `no-dsn` listener
/// gets no report at all; each report skipped for that is logged.
struct DeliveryReports: Sendable {
    let configuration: Configuration
    let ids: MessageIDGenerator
    let logger: Logger

    init(configuration: Configuration, ids: MessageIDGenerator = MessageIDGenerator(), logger: Logger = Logger(label: "tern.delivery")) {
        self.configuration = configuration
        self.ids = ids
        self.logger = logger
    }

    func changes(for message: QueuedMessage, outcomes: [(UInt32, Recipient, DeliveryResult)], body: [UInt8], now: Date) -> [JournalChange] {
        let envelope = message.envelope
        var failed: [DSNRecipientReport] = []
        var succeeded: [DSNRecipientReport] = []
        for (_, recipient, result) in outcomes {
            switch recipient.state {
            case .failed where DSNPolicy.shouldReport(.failed, for: recipient, of: envelope, defaultDelayWhenAbsent: false):
                failed.append(Self.recipientReport(recipient, action: .failed))
            case .delivered:
                let action: DSNAction? = switch result.successNotice {
                case .delivered: .delivered
                case .relayed: .relayed
                case .expanded: .expanded
                case .passedOn: nil
                }
                if let action, DSNPolicy.shouldReport(action, for: recipient, of: envelope, defaultDelayWhenAbsent: false) {
                    succeeded.append(Self.recipientReport(recipient, action: action))
                }
            default:
                continue
            }
        }
        var changes = [failed, succeeded].compactMap { report($0, about: envelope, body: body, now: now) }
        if let notice = postmasterNotice(for: message, outcomes: outcomes, body: body, now: now) { changes.append(notice) }
        return changes
    }

    /// The notice to the postmaster about recipients of a DSN we generated
    /// that failed for good; nil when there are none or no postmaster is set.
    /// The notice returns the failed DSN's headers and is itself marked so
    /// that its own failure causes nothing more.
    func postmasterNotice(for message: QueuedMessage, outcomes: [(UInt32, Recipient, DeliveryResult)], body: [UInt8], now: Date) -> JournalChange? {
        let envelope = message.envelope
        let failedRecipients = outcomes.map(\.1).filter { $0.state == .failed }
        guard !failedRecipients.isEmpty else { return nil }
        if envelope.flags.contains(.isPostmasterNotice) {
            let addresses = failedRecipients.map(\.address.wireForm).joined(separator: ",")
            logger.error("id=\(envelope.id) to=\(addresses) postmaster notice undeliverable; not reported further")
            return nil
        }
        let failed = failedRecipients.map { Self.recipientReport($0, action: .failed) }
        guard DSNPolicy.needsPostmasterNotice(envelope), let postmaster = configuration.bounce.postmaster else { return nil }
        var reported = envelope
        reported.sender = .mailbox(postmaster)
        reported.ret = .headers
        return report(failed, about: reported, body: body, now: now, extraFlags: .isPostmasterNotice)
    }

    /// A delay warning for recipients still being retried.
    func delayWarning(for message: QueuedMessage, recipients: [Recipient], body: [UInt8], now: Date) -> JournalChange? {
        let reports = recipients.map { Self.recipientReport($0, action: .delayed, willRetryUntil: message.envelope.expiry) }
        return report(reports, about: message.envelope, body: body, now: now)
    }

    /// One recipient's part of a report. `Remote-MTA` names the server
    /// (RFC 3464 §2.3.5: `dns; mx.example.org`), not the log form the journal
    /// keeps for it (`mx.example.org[192.0.2.1]:25`).
    static func recipientReport(_ recipient: Recipient, action: DSNAction, willRetryUntil: Date? = nil) -> DSNRecipientReport {
        var report = DSNRecipientReport(recipient, action: action, willRetryUntil: willRetryUntil)
        report.remoteMTA = report.remoteMTA.map(mtaName)
        return report
    }

    /// `mx.example.org` from `mx.example.org[192.0.2.1]:25`; anything else as it is.
    static func mtaName(_ remoteHost: String) -> String {
        guard let match = remoteHost.wholeMatch(of: /(.+)\[[^\[\]]+\]:[0-9]+/) else { return remoteHost }
        return String(match.1)
    }

    private func report(
        _ recipients: [DSNRecipientReport], about envelope: Envelope, body: [UInt8], now: Date, extraFlags: Envelope.Flags = []
    ) -> JournalChange? {
        guard !recipients.isEmpty else { return nil }
        if DSNPolicy.isSuppressed(envelope) {
            let actions = Set(recipients.map(\.action.rawValue)).sorted().joined(separator: ",")
            logger.notice("id=\(envelope.id) DSN suppressed (no-dsn listener): \(actions) for \(recipients.count) recipient(s)")
            return nil
        }
        let id = ids.next(now: now)
        guard let report = DSNReport(
            reportingMTA: configuration.hostname, envelope: envelope, recipients: recipients,
            originalMessage: body, messageID: id, date: now, options: configuration.bounce.dsnOptions
        ) else { return nil }
        let bytes = report.message()
        var flags: Envelope.Flags = [.isDSN, .fromLocal]
        flags.formUnion(extraFlags)
        if report.requiresSMTPUTF8 { flags.insert(.smtpUTF8) }
        if report.requires8BitMIME { flags.insert(.eightBitMIME) }
        let arrival = Date(journalMilliseconds: now)
        let dsn = Envelope(
            id: id, sender: .null, size: bytes.count, arrival: arrival,
            expiry: arrival.addingTimeInterval(configuration.queue.expire.timeInterval),
            clientAddress: "127.0.0.1", heloName: configuration.hostname, flags: flags
        )
        let recipient = Recipient(address: report.recipient, notify: .never, nextAttempt: arrival)
        return .enqueue(NewMessage(envelope: dsn, recipients: [recipient], body: .bytes(bytes)))
    }
}
