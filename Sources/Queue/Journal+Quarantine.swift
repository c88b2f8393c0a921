import Envelope
import Foundation

extension Journal {
    /// Every quarantined message, by id, decoded as far as it goes now.
    public func quarantined() throws -> [QuarantinedMessage] {
        guard let quarantine = store.quarantine else { return [] }
        return try store.environment.read { txn in
            var result: [QuarantinedMessage] = []
            try txn.scan(quarantine) { key, value in
                guard let id = MessageID(bytes: key) else { return true }
                result.append(Self.describe(id, value))
                return true
            }
            return result
        }
    }

    /// The quarantined message `id`, or nil.
    public func quarantinedMessage(_ id: MessageID) throws -> QuarantinedMessage? {
        guard let quarantine = store.quarantine else { return nil }
        return try store.environment.read { txn in
            try txn.withValue(quarantine, JournalKey.message(id)) { bytes in bytes.map { Self.describe(id, $0) } }
        }
    }

    private static func describe(_ id: MessageID, _ value: UnsafeRawBufferPointer) -> QuarantinedMessage {
        guard let entry = try? QuarantineRecord.decode(value) else {
            return QuarantinedMessage(
                messageID: id, reason: "the quarantine entry itself does not decode", quarantined: .distantPast,
                envelope: nil, recipients: [:], unreadableRecipients: []
            )
        }
        let record = entry.messageRecord.flatMap { bytes in try? bytes.withUnsafeBytes { try MessageRecord.decode(id: id, $0) } }
        var recipients: [UInt32: Recipient] = [:]
        for (index, bytes) in entry.recipientRecords {
            recipients[index] = try? bytes.withUnsafeBytes { try RecipientRecord.decode($0) }
        }
        let expected = max(record.map { Int($0.recipientCount) } ?? 0, entry.recipientRecords.map { Int($0.index) + 1 }.max() ?? 0)
        let unreadable = (0..<expected).map(UInt32.init).filter { recipients[$0] == nil }
        return QuarantinedMessage(
            messageID: id, reason: entry.reason, quarantined: entry.quarantined,
            envelope: record?.envelope, recipients: recipients, unreadableRecipients: unreadable
        )
    }

    /// Brings quarantined message `id` back into service (after an upgrade
    /// that reads its records, or to salvage it): its records are decoded
    /// again and, when its envelope and body are sound, the message returns
    /// with its recipients' states, due again as they were.
    ///
    /// With `salvage`, recipients whose records still do not decode are left
    /// out (the others are renumbered in order) and returned; without it such
    /// a message stays in quarantine and this throws.
    /// - Returns: the indices of the recipients left out.
    /// - Throws: `JournalError` `.invalidChange` when there is no such
    ///   quarantined message, `.corruptRecord` when it still cannot be restored.
    @discardableResult
    public func restoreQuarantined(_ id: MessageID, salvage: Bool = false) async throws -> [UInt32] {
        guard let entry = try quarantinedMessage(id) else {
            throw JournalError(.invalidChange, "no such message in quarantine", messageID: id)
        }
        guard let envelope = entry.envelope else {
            throw JournalError(.corruptRecord, "the message record still does not decode; \(entry.reason)", messageID: id)
        }
        guard salvage || entry.unreadableRecipients.isEmpty else {
            throw JournalError(.corruptRecord, "recipient records \(entry.unreadableRecipients.map(String.init).joined(separator: ", ")) still do not decode", messageID: id)
        }
        let recipients = entry.recipients.sorted { $0.key < $1.key }.map(\.value)
        guard !recipients.isEmpty else {
            throw JournalError(.corruptRecord, "no recipient record decodes", messageID: id)
        }
        try await commit([.restore(RestoredMessage(envelope: envelope, recipients: recipients, body: nil))])
        return entry.unreadableRecipients
    }
}
