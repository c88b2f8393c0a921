import Envelope
import Foundation

/// A message's envelope and recipients as a queue archive carries them: the
/// JSON metadata that precedes its raw bytes (see `QueueArchive`). Codable, so
/// it can also travel over the control socket.
///
///     {"version":1,"id":"0036262jbf8n38em0hb0","sender":"alice@example.org",
///      "size":389,"arrival":"2026-11-25T14:06:29.123Z", …,
///      "recipients":[{"address":"bob@example.test","state":"scheduled", …}]}
public struct ArchivedMessage: Codable, Hashable, Sendable {
    /// The metadata version this build writes and reads.
    public static let currentVersion = 1

    /// One recipient with its delivery state.
    public struct ArchivedRecipient: Codable, Hashable, Sendable {
        public var address: String
        /// `ORCPT` as its parameter value (`rfc822;bob@example.org`).
        public var orcpt: String?
        /// `NOTIFY` as its parameter value (`SUCCESS,FAILURE`, `NEVER`), absent when not given.
        public var notify: String?
        /// `scheduled`, `held`, `delivered` or `failed`.
        public var state: String
        public var attempts: UInt32
        public var nextAttempt: Date
        public var lastAttempt: Date?
        /// The enhanced status of the last attempt (`4.4.1`).
        public var lastStatus: String?
        public var lastReply: String?
        public var remoteHost: String?
        public var delayWarned: Bool
    }

    public var version: Int
    public var id: String
    /// The reverse path without brackets; empty for the null sender `<>`.
    public var sender: String
    /// `ENVID`, xtext-decoded.
    public var envelopeID: String?
    /// `RET` as its parameter value (`FULL`, `HDRS`).
    public var ret: String?
    /// The number of message bytes that follow the metadata.
    public var size: Int
    public var arrival: Date
    public var expiry: Date
    public var client: String
    public var helo: String
    public var authUser: String?
    public var tag: String?
    /// Of `dsn`, `smtputf8`, `8bitmime`, `local`.
    public var flags: [String]
    /// When every recipient reached a final state, if they have.
    public var completed: Date?
    public var recipients: [ArchivedRecipient]

    private static let flagNames: [(Envelope.Flags, String)] = [
        (.isDSN, "dsn"), (.smtpUTF8, "smtputf8"), (.eightBitMIME, "8bitmime"), (.fromLocal, "local"),
        (.suppressReports, "no-dsn"), (.isPostmasterNotice, "postmaster-notice"),
    ]

    /// The archive form of a queued message.
    public init(_ message: QueuedMessage) {
        let envelope = message.envelope
        version = Self.currentVersion
        id = envelope.id.description
        sender = envelope.sender.address?.description ?? ""
        envelopeID = envelope.envelopeID
        ret = envelope.ret?.parameterValue
        size = envelope.size
        arrival = envelope.arrival
        expiry = envelope.expiry
        client = envelope.clientAddress
        helo = envelope.heloName
        authUser = envelope.authUser
        tag = envelope.listenerTag
        flags = Self.flagNames.filter { envelope.flags.contains($0.0) }.map(\.1)
        completed = message.completed
        recipients = message.recipients.map { recipient in
            ArchivedRecipient(
                address: recipient.address.description,
                orcpt: recipient.originalRecipient?.parameterValue,
                notify: recipient.notify?.parameterValue,
                state: Self.stateName(recipient.state),
                attempts: recipient.attempts,
                nextAttempt: recipient.nextAttempt,
                lastAttempt: recipient.lastAttempt,
                lastStatus: recipient.lastStatus?.description,
                lastReply: recipient.lastReply,
                remoteHost: recipient.remoteHost,
                delayWarned: recipient.delayWarned
            )
        }
    }

    private static func stateName(_ state: RecipientState) -> String {
        switch state {
        case .scheduled: "scheduled"
        case .held: "held"
        case .delivered: "delivered"
        case .failed: "failed"
        }
    }

    /// The message as the journal holds it, checked field by field.
    /// - Throws: `QueueArchiveError` `.invalidMessage` naming the bad field, or
    ///   `.unsupportedVersion`.
    public func queuedMessage() throws(QueueArchiveError) -> QueuedMessage {
        func invalid(_ detail: String) -> QueueArchiveError {
            QueueArchiveError(.invalidMessage, detail, messageID: id)
        }
        guard version == Self.currentVersion else {
            throw QueueArchiveError(.unsupportedVersion, "metadata version \(version); this build reads \(Self.currentVersion)", messageID: id)
        }
        guard let messageID = MessageID(id) else { throw invalid("'\(id)' is not a message id") }
        guard size >= 0 else { throw invalid("negative size \(size)") }
        let senderPath: ReversePath
        if sender.isEmpty {
            senderPath = .null
        } else {
            guard let address = Self.address(sender) else { throw invalid("bad sender '\(sender)'") }
            senderPath = .mailbox(address)
        }
        var retValue: DSNReturn?
        if let ret {
            guard let parsed = try? DSNReturn.parse(Substring(ret)) else { throw invalid("bad RET '\(ret)'") }
            retValue = parsed
        }
        var envelopeFlags: Envelope.Flags = []
        for name in flags {
            guard let flag = Self.flagNames.first(where: { $0.1 == name })?.0 else { throw invalid("unknown flag '\(name)'") }
            envelopeFlags.insert(flag)
        }
        let envelope = Envelope(
            id: messageID, sender: senderPath, envelopeID: envelopeID, ret: retValue, size: size,
            arrival: arrival, expiry: expiry, clientAddress: client, heloName: helo,
            authUser: authUser, listenerTag: tag, flags: envelopeFlags
        )
        var list: [Recipient] = []
        for (index, archived) in recipients.enumerated() {
            guard let address = Self.address(archived.address) else { throw invalid("recipient \(index): bad address '\(archived.address)'") }
            guard let state = RecipientState.allCases.first(where: { Self.stateName($0) == archived.state }) else {
                throw invalid("recipient \(index): unknown state '\(archived.state)'")
            }
            var original: OriginalRecipient?
            if let orcpt = archived.orcpt {
                guard let parsed = try? OriginalRecipient.parse(Substring(orcpt)) else { throw invalid("recipient \(index): bad ORCPT '\(orcpt)'") }
                original = parsed
            }
            var notify: DSNNotify?
            if let text = archived.notify {
                guard let parsed = try? DSNNotify.parse(Substring(text)) else { throw invalid("recipient \(index): bad NOTIFY '\(text)'") }
                notify = parsed
            }
            var status: EnhancedStatus?
            if let text = archived.lastStatus {
                guard let parsed = EnhancedStatus(text) else { throw invalid("recipient \(index): bad status '\(text)'") }
                status = parsed
            }
            list.append(Recipient(
                address: address, originalRecipient: original, notify: notify, state: state,
                attempts: archived.attempts, nextAttempt: archived.nextAttempt, lastAttempt: archived.lastAttempt,
                lastStatus: status, lastReply: archived.lastReply, remoteHost: archived.remoteHost,
                delayWarned: archived.delayWarned
            ))
        }
        guard !list.isEmpty else { throw invalid("no recipients") }
        return QueuedMessage(envelope: envelope, recipients: list, completed: completed)
    }

    /// Reads an address written by `MailAddress.description`; an address our
    /// parser would refuse today is split at its last `@` rather than lost.
    private static func address(_ text: String) -> MailAddress? {
        if let parsed = try? MailAddress.parseForwardPath(Substring("<" + text + ">"), allowUTF8: true) { return parsed }
        guard let at = text.lastIndex(of: "@"), at != text.startIndex else { return nil }
        return MailAddress(localPart: String(text[..<at]), domain: String(text[text.index(after: at)...]))
    }
}
